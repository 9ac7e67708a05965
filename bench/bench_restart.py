"""Restart benchmark: how long ./start.sh takes to be healthy again after `kill -9`, and how long a wall display
(a real Socket.IO client, reconnecting at most 1 s apart) takes to have a fresh snapshot after that.

    .venv/bin/python bench/bench_restart.py               # 5 restarts of this checkout
    .venv/bin/python bench/bench_restart.py --rounds 3 --root /tmp/base   # another checkout (needs .venv there)

Each start.sh step is also timed on its own (set-up check, `manage.py db-upgrade`, `manage.py seed-demo`, the
server to healthy) on the warm demo database. Figures only (no pass/fail): seconds, median and worst.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import procs


def display(url: str):
    """A wall display: websocket, reconnecting after 0.2 s, 0.4 s, ... at most 1 s apart; counts snapshots."""
    import socketio

    got = []
    client = socketio.Client(reconnection_delay=0.2, reconnection_delay_max=1, randomization_factor=0)
    client.on("snapshot", lambda data=None: got.append(time.monotonic()))
    client.connect(url, transports=["websocket"], auth={"office": "1600", "screen": "display"}, wait_timeout=15)
    return client, got


def step_times(server: procs.StartScript, root: Path) -> dict[str, float]:
    """Each start.sh step alone, as start.sh runs it, on the warm database."""
    python = str(root / ".venv" / "bin" / "python")
    out = {}
    for name, cmd in (
        ("setup check", ["bash", "scripts/setup.sh"]),
        ("manage.py db-upgrade", [python, "manage.py", "db-upgrade"]),
        ("manage.py seed-demo", [python, "manage.py", "seed-demo"]),
    ):
        t0 = time.monotonic()
        subprocess.run(cmd, cwd=root, env=server.env, check=True, capture_output=True, timeout=120)
        out[name] = time.monotonic() - t0
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [python, "app.py"], cwd=root, env=server.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        out["app.py to healthy"] = server.wait_healthy(60) - t0
    finally:
        proc.kill()
        proc.wait()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--root", default=str(procs.ROOT), help="the checkout to start (default: this one)")
    args = p.parse_args()
    root = Path(args.root).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'loket.db'}"
        server = procs.StartScript(database_url=url, log_path=Path(tmp) / "start.log")
        saved_root, procs.ROOT = procs.ROOT, root
        try:
            t0 = server.start()
            print(f"first start (migrations, demo office): {server.wait_healthy(300) - t0:.2f} s")
            client, snapshots = display(server.url)
            healthy_times, resync_times = [], []
            for _ in range(args.rounds):
                server.kill()
                time.sleep(0.5)
                mark = len(snapshots)
                started = server.start()
                healthy = server.wait_healthy(60)
                deadline = time.monotonic() + 30
                while len(snapshots) == mark and time.monotonic() < deadline:
                    time.sleep(0.01)
                healthy_times.append(healthy - started)
                resync_times.append(snapshots[mark] - healthy if len(snapshots) > mark else float("nan"))
            client.disconnect()
            server.kill()
            steps = step_times(server, root)
        finally:
            procs.ROOT = saved_root
            server.kill()
    print(f"{'after kill -9':<34} {'median':>8} {'worst':>8}")
    for name, values in (("start.sh to healthy", healthy_times), ("healthy to display resynced", resync_times)):
        print(f"{name:<34} {statistics.median(values):8.2f} {max(values):8.2f}")
    print("each step alone (warm database):")
    for name, value in steps.items():
        print(f"  {name:<32} {value:8.2f}")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
