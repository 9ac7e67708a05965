"""The start path (./start.sh, as the README says) after a crash: `kill -9`, start again, and the system is healthy
within 3 s of being started; a wall display (a real Socket.IO client) has a fresh snapshot within 2 s of that.

These are the only timed assertions of the suite, because the issue asks for these figures. They are measured
from the moment the process is started, against the issue's own bounds. The machine is shared (two cores,
other test runs): a restart that happens to fall in a moment when the machine is saturated is tried again, up to
three restarts; the test fails when none of them meets the bounds. bench/bench_restart.py prints the figures.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from bench import procs
from db import Database
from rules import tickets
from tests.realtime.conftest import Http, Screen, counter_code

HEALTHY_WITHIN = 3.0  # seconds from starting ./start.sh to /healthz answering 200
RESYNC_WITHIN = 2.0  # seconds from healthy to the display's fresh snapshot
RESTARTS = 3

pytestmark = pytest.mark.slow


def move_the_queue_on(url: str, counter_id: int, serving: dict, waiting: dict) -> None:
    """While the server is down the queue moves on (another process, a script): the visitor being served is
    finished and the next one called, straight in the database file."""
    db = Database(url)
    try:
        with db.write() as s:
            tickets.finish(s, ticket_id=serving["id"], counter_id=counter_id, user_id=None)
            assert tickets.call_next(s, counter_id=counter_id, user_id=None).code == waiting["code"]
    finally:
        db.dispose()


def test_after_kill_9_start_sh_is_healthy_within_3_s_and_a_display_resyncs_within_2_s(tmp_path):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    server = procs.StartScript(database_url=url, log_path=tmp_path / "start.log")
    display = None
    measured = []
    try:
        server.start()
        server.wait_healthy(timeout=180)  # the first start migrates and loads the demo office: not timed
        visitor = Http(server.url)
        line = [visitor.take_ticket("penjualan") for _ in range(RESTARTS + 1)]
        officer = Http(server.url).login("petugas1")
        counter_id = officer.open_counter(1)
        officer.call_next(counter_id)
        display = Screen(server.url)  # reconnects after 0.2 s, 0.4 s, ... at most 1 s apart
        display.connect()
        before = display.wait_until(lambda d: d.named("snapshot"), "the first snapshot")[0]
        assert counter_code(before, 1) == line[0]["code"]

        for serving, waiting in zip(line, line[1:]):
            server.kill()  # kill -9: no goodbye to the display, no clean shutdown of the database
            display.wait_until(lambda d, n=len(measured): d.disconnects > n, "the display to notice the crash")
            move_the_queue_on(url, counter_id, serving, waiting)
            mark = len(display.events)

            started = server.start()
            healthy = server.wait_healthy(timeout=60)
            fresh = display.snapshot_where(
                lambda snap, code=waiting["code"]: counter_code(snap, 1) == code, "a fresh snapshot", after=mark
            )
            resynced = time.monotonic()
            assert fresh["last_calls"][0]["code"] == waiting["code"] and fresh["server_time"] > before["server_time"]
            measured.append((healthy - started, resynced - healthy))
            if measured[-1][0] <= HEALTHY_WITHIN and measured[-1][1] <= RESYNC_WITHIN:
                break
    finally:
        if display is not None:
            display.close()
        server.kill()
    figures = ", ".join(f"healthy {h:.2f} s, resynced {r:.2f} s later" for h, r in measured)
    assert any(h <= HEALTHY_WITHIN and r <= RESYNC_WITHIN for h, r in measured), figures
    log = (tmp_path / "start.log").read_text()
    assert log.count("database up to date") == len(measured) + 1 and "Demo users already exist" in log


def _command_line(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


def test_the_readme_start_serves_through_the_production_server(tmp_path):
    """./start.sh ends in serve.py's one gevent process (the print worker inside), not the development server:
    the process it leaves running is serve.py, its log says so, Werkzeug answers nothing, and a wall display and
    a kiosk work through it."""
    server = procs.StartScript(database_url=f"sqlite:///{tmp_path / 'loket.db'}", log_path=tmp_path / "start.log")
    display = None
    try:
        server.start()
        server.wait_healthy(timeout=180)
        command = _command_line(server.proc.pid)  # start.sh exec's the server: the same process
        assert command[1].endswith("serve.py") and "--bind" in command, command
        answer = requests.get(server.url + "/healthz", timeout=10)
        assert "werkzeug" not in answer.headers.get("Server", "").lower()
        display = Screen(server.url)
        display.connect()
        display.wait_until(lambda d: d.named("snapshot"), "the display's first snapshot")
        ticket = Http(server.url).take_ticket("penjualan")
        display.wait_until(lambda d: len(d.named("snapshot")) > 1, "a snapshot after the ticket")
        assert ticket["code"]
    finally:
        if display is not None:
            display.close()
        server.kill()
    log = (tmp_path / "start.log").read_text()
    assert "(1 gevent process" in log and "DEVELOPMENT" not in log
    assert "development server" not in log.lower() and "werkzeug" not in log.lower()


@pytest.mark.parametrize(
    "argv, expect",
    [([], "(1 gevent process"), (["--dev"], "(DEVELOPMENT server)")],
    ids=["production by default", "development only when asked"],
)
def test_python_app_py_runs_the_production_server_unless_asked_for_the_development_one(tmp_path, argv, expect):
    port = procs.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
    env.update(
        LOKET_DATABASE_URL=f"sqlite:///{tmp_path / 'loket.db'}",
        LOKET_PORT=str(port),
        LOKET_PRINT_WORKER="0",
        LOKET_SECRET_KEY=uuid.uuid4().hex,
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "app.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [procs.PYTHON, "app.py", *argv], cwd=procs.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 120
            while expect not in log.read_text() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            assert expect in log.read_text(), log.read_text()[-2000:]
            procs.wait_healthy(f"http://127.0.0.1:{port}", proc, 60, "python app.py")
            script = _command_line(proc.pid)[1]
            assert script.endswith("serve.py" if not argv else "app.py"), script
        finally:
            proc.terminate()
            proc.wait(timeout=20)
