"""Load benchmark: Loket as deployed (serve.py), driven over real HTTP and real websockets on 127.0.0.1.

    .venv/bin/python bench/load.py                 # every configuration: sqlite, pg1, pg2, pg4
    .venv/bin/python bench/load.py sqlite pg4      # some of them
    .venv/bin/python bench/load.py pg4 --worker-class gthread --displays 1000   # compare candidates

Per run: scratch database (SQLite file or a new PostgreSQL database, dropped after), demo offices
(bench/seed.py), `serve.py` with 1..4 processes, K display clients (bench/displays.py subprocesses, real
websockets), then three phases on the same server:
  1. /healthz from N concurrent clients: the framework's own ceiling on this machine;
  2. N kiosks issuing tickets (GET /api/session for the CSRF token, then POST /api/offices/<code>/tickets);
  3. M officers, started together, calling (call-next, then finish) until their lines are empty.
It prints tickets/s and latency, call-next latency, call -> display latency (each delivery, and the time
until every display of the office had it), events lost / duplicated / out of order, tickets called twice
(from the officers' answers and from the database), and RSS and CPU per server process.

A share of the visitors (--phones, 25%) open their status page: a '/status' websocket per ticket, which
counts the 'state' pushes it gets and times its own 'call'. The load generator shares the two cores with
the server, so it is kept light (bench/rawhttp.py instead of aiohttp's client for HTTP) and every phase
prints who used the CPU (server, load generator, displays, the rest: PostgreSQL, Redis) and the rates per
second of server CPU, which do not depend on what else ran.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bench import procs
from bench.cpu import CpuMeter
from bench.load_results import analyse_deliveries, double_calls, ms, pct, print_result, profiling, table
from bench.rawhttp import RawHttp
from bench.seed import seed
from security.limits import DEVICE_COOKIE

PRESETS = {
    "sqlite": dict(db="sqlite", workers=1, offices=10, displays=200, kiosks=10, officers=10),
    "pg1": dict(db="postgres", workers=1, offices=100, displays=2000, kiosks=20, officers=50),
    "pg2": dict(db="postgres", workers=2, offices=100, displays=2000, kiosks=20, officers=50),
    "pg4": dict(db="postgres", workers=4, offices=100, displays=2000, kiosks=20, officers=50),
}
DISPLAYS_PER_CLIENT_PROCESS = 1000


def guest_form(service_id: int, n: int) -> dict:
    return dict(
        name=f"Pengunjung Beban {n}",
        email=f"beban{n}@example.id",
        phone=f"0812{n:08d}",
        gender="P",
        birth_year=1990,
        education="d4_s1",
        occupation="researcher",
        institution_category="domestic_education",
        institution_name="Universitas Sriwijaya",
        purpose="research",
        service_id=service_id,
        consent=True,
    )


async def csrf(client: RawHttp) -> str:
    status, body = await client.get("/api/session")
    assert status == 200, body[:200]
    return json.loads(body)["csrf_token"]


# ---- visitors' phones ------------------------------------------------------------------------------


class Phones:
    """Visitors' status pages: for a share of the tickets issued, a websocket in the '/status' namespace.

    Each phone records how many 'state' pushes it got and when its ticket's 'call' arrived, so the run shows
    the server's phone work (it updates only the phones connected to it) and that no call to a phone is lost.
    """

    def __init__(self, url: str, fraction: float, seed: int = 0):
        self.ws_url = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.fraction = fraction
        self.rnd = random.Random(seed)
        self.by_ticket: dict[int, dict] = {}
        self.tasks: list[asyncio.Task] = []
        self.stop = asyncio.Event()
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Phones:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=True))
        return self

    async def __aexit__(self, *exc) -> None:
        self.stop.set()
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.session.close()

    def maybe_open(self, ticket_id: int, token: str) -> None:
        if self.fraction and self.rnd.random() < self.fraction:
            rec = {"token": token, "states": 0, "calls": [], "error": ""}
            self.by_ticket[ticket_id] = rec
            self.tasks.append(asyncio.ensure_future(self._run(rec)))

    async def _run(self, rec: dict) -> None:
        try:
            async with self.session.ws_connect(self.ws_url, autoping=False, max_msg_size=0, compress=0) as ws:
                await ws.receive_str()  # Engine.IO open
                await ws.send_str("40/status," + json.dumps({"token": rec["token"]}))
                while True:
                    msg = await ws.receive()
                    if msg.type != aiohttp.WSMsgType.TEXT:
                        if not self.stop.is_set():
                            rec["error"] = f"closed: {msg.type.name}"
                        return
                    text = msg.data
                    if text == "2":
                        await ws.send_str("3")
                    elif text.startswith('42/status,["state"'):
                        rec["states"] += 1
                    elif text.startswith('42/status,["call"'):
                        rec["calls"].append(time.monotonic_ns())
                    elif text.startswith("44/status"):
                        rec["error"] = "refused"
                        return
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001
            rec["error"] = rec["error"] or f"{type(e).__name__}: {e}"

    def analyse(self, calls: list[dict]) -> dict:
        latencies, lost = [], 0
        for c in calls:
            rec = self.by_ticket.get(c["ticket_id"])
            if rec is None or rec["error"]:
                continue
            if rec["calls"]:
                latencies.append(rec["calls"][0] - c["t_send"])
            else:
                lost += 1
        recs = list(self.by_ticket.values())
        return {
            "phones": len(recs),
            "errors": sum(1 for r in recs if r["error"]),
            "states": sum(r["states"] for r in recs),
            "calls": len(latencies),
            "lost": lost,
            "p50_ms": ms(pct(latencies, 50)),
            "p99_ms": ms(pct(latencies, 99)),
        }


# ---- phases --------------------------------------------------------------------------------------


async def healthz_phase(url: str, clients: int, seconds: float) -> dict:
    count = 0
    errors = 0

    async def one():
        nonlocal count, errors
        async with RawHttp(url) as c:
            await c.get("/healthz")  # warm the connection
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                status, _ = await c.get("/healthz")
                if status == 200:
                    count += 1
                else:
                    errors += 1

    t0 = time.monotonic()
    await asyncio.gather(*(one() for _ in range(clients)))
    return {"rate": count / (time.monotonic() - t0), "errors": errors}


async def issue_phase(url: str, kiosks: int, seconds: float, seeded: dict, calling: list[str], phones: Phones) -> dict:
    offices = list(seeded["offices"])
    latencies: list[int] = []
    errors: Counter = Counter()
    serial = iter(range(10**9))

    async def kiosk(i: int):
        rnd = random.Random(i)
        async with RawHttp(url) as s:
            token = await csrf(s)
            headers = {"X-CSRFToken": token}
            end = time.monotonic() + seconds
            k = 0
            while time.monotonic() < end:
                # Half the tickets go to offices with officers (so phase 3 has lines), half anywhere.
                code = calling[(i + k // 2) % len(calling)] if k % 2 == 0 else rnd.choice(offices)
                k += 1
                service_id = rnd.choice(seeded["offices"][code]["services"])
                form = guest_form(service_id, next(serial))
                t0 = time.monotonic_ns()
                # Each office's paired kiosk (bench/seed.py): the server takes the station from its device token.
                s.cookies[DEVICE_COOKIE] = seeded["kiosks"][code]
                status, body = await s.post(f"/api/offices/{code}/tickets", form, headers)
                if status == 201:
                    latencies.append(time.monotonic_ns() - t0)
                    ticket = json.loads(body)
                    phones.maybe_open(ticket["id"], ticket["status_token"])
                else:
                    errors[f"{status} {body[:80]!r}"] += 1

    t0 = time.monotonic()
    await asyncio.gather(*(kiosk(i) for i in range(kiosks)))
    elapsed = time.monotonic() - t0
    return {
        "count": len(latencies),
        "rate": len(latencies) / elapsed,
        "p50_ms": ms(pct(latencies, 50)),
        "p99_ms": ms(pct(latencies, 99)),
        "errors": dict(errors),
    }


async def call_phase(
    url: str, officers: list[dict], seconds: float, think_ms: float, pause: float = 1.0, on_start=None
) -> dict:
    """Officers sign in and open their counters; `pause` seconds later (the screens have taken in the opened
    counters) they all call at the same moment. `on_start()` runs just before: the measured phase starts
    there, so the sign-ins' password hashing is not counted as calling."""
    calls: list[dict] = []  # one per ticket called: ticket_id, office, counter, t_send_ns, seq
    latencies: list[int] = []
    errors: Counter = Counter()
    start = asyncio.Event()
    ready = 0

    async def officer(o: dict):
        nonlocal ready
        async with RawHttp(url) as s:
            token = await csrf(s)
            status, body = await s.post(
                "/api/login", {"username": o["username"], "password": o["password"]}, {"X-CSRFToken": token}
            )
            assert status == 200, body[:200]
            hdr = {"X-CSRFToken": json.loads(body)["csrf_token"]}
            status, body = await s.post(f"/api/counters/{o['counter_id']}/open", None, hdr)
            assert status == 200, body[:200]
            ready += 1
            await start.wait()
            end = time.monotonic() + seconds
            seq = 0
            while time.monotonic() < end:
                t0 = time.monotonic_ns()
                status, raw = await s.post(f"/api/counters/{o['counter_id']}/call-next", None, hdr)
                t1 = time.monotonic_ns()
                body = json.loads(raw) if raw else {}
                if status != 200:
                    errors[f"call-next {status} {body.get('error')}"] += 1
                    await asyncio.sleep(0.05)
                    continue
                latencies.append(t1 - t0)
                ticket = body["ticket"]
                if ticket is None:
                    return  # this office's line is empty
                calls.append(
                    {
                        "ticket_id": ticket["id"],
                        "office": o["office"],
                        "counter": o["counter"],
                        "t_send": t0,
                        "seq": seq,
                    }
                )
                seq += 1
                if think_ms:  # the visitor walks up and is served; every officer's first call is at once
                    await asyncio.sleep(think_ms / 1000 * random.uniform(0.5, 1.5))
                status, _ = await s.post(f"/api/counters/{o['counter_id']}/tickets/{ticket['id']}/finish", None, hdr)
                if status != 200:
                    errors[f"finish {status}"] += 1

    tasks = [asyncio.ensure_future(officer(o)) for o in officers]
    while ready < len(officers):
        if any(t.done() and t.exception() for t in tasks):
            raise next(t.exception() for t in tasks if t.done() and t.exception())
        await asyncio.sleep(0.05)
    await asyncio.sleep(pause)
    if on_start is not None:
        on_start()
    t0 = time.monotonic()
    start.set()  # every officer calls at once
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - t0
    return {
        "calls": calls,
        "count": len(calls),
        "rate": len(calls) / elapsed,
        "p50_ms": ms(pct(latencies, 50)),
        "p99_ms": ms(pct(latencies, 99)),
        "errors": dict(errors),
    }


# ---- display swarm --------------------------------------------------------------------------------


async def start_displays(url: str, offices: list[str], count: int, client: str, workdir: Path) -> list:
    swarms = []
    n_procs = max(1, -(-count // DISPLAYS_PER_CLIENT_PROCESS))
    for p in range(n_procs):
        n = count // n_procs + (1 if p < count % n_procs else 0)
        # Each swarm covers every office, so each office's displays are spread over the client processes.
        out = workdir / f"displays-{p}.json"
        proc = await asyncio.create_subprocess_exec(
            procs.PYTHON,
            str(Path(__file__).with_name("displays.py")),
            "--url",
            url,
            "--offices",
            ",".join(offices),
            "--count",
            str(n),
            "--out",
            str(out),
            "--client",
            client,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        swarms.append((proc, out))
    for proc, _ in swarms:
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout=300)).decode().strip()
        if not line.startswith("READY"):
            raise RuntimeError(f"display swarm failed: {line!r}")
        print(f"  displays: {line}", flush=True)
    return swarms


async def stop_displays(swarms) -> list[dict]:
    displays = []
    client = {"cpu_s": 0.0, "rss_mb": []}
    for proc, _out in swarms:
        proc.stdin.write(b"STOP\n")
        await proc.stdin.drain()
    for proc, out in swarms:
        await asyncio.wait_for(proc.wait(), timeout=60)
        data = json.loads(out.read_text())
        displays += data["displays"]
        client["cpu_s"] += data["client_cpu_s"]
        client["rss_mb"].append(round(data["client_rss_mb"]))
    return displays, client


# ---- one configuration ----------------------------------------------------------------------------


async def run_config(name: str, cfg: dict, args) -> dict:
    print(
        f"\n== {name}: {cfg['db']}, {cfg['workers']} process(es) ({'./start.sh' if args.start else args.worker_class}), "
        f"{cfg['offices']} offices, "
        f"{cfg['displays']} displays, {cfg['kiosks']} kiosks, {cfg['officers']} officers",
        flush=True,
    )
    t_start = time.monotonic()
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"loket-bench-{name}-")))
        if cfg["db"] == "sqlite":
            db_url = f"sqlite:///{workdir / 'loket.db'}"
            queue = ""
        else:
            db_url = stack.enter_context(procs.scratch_postgres("loket_bench"))
            queue = procs.REDIS_URL
        seeded = seed(db_url, cfg["offices"], 3, cfg["officers"])
        calling = sorted({o["office"] for o in seeded["officers"]})
        log = workdir / "server.log"
        server = (
            procs.StartedServer(database_url=db_url, log_path=log, extra_env=procs.BENCH_LIMITS, root=args.server_root)
            if args.start
            else procs.Server(
                database_url=db_url,
                workers=cfg["workers"],
                worker_class=args.worker_class,
                message_queue=queue,
                channel=procs.unique_channel("loket-bench"),
                log_path=log,
                threads=args.threads,
                root=args.server_root,
            )
        )
        stack.callback(lambda: args.keep_logs and print(log.read_text()[-3000:]))
        stack.enter_context(server)
        await asyncio.sleep(3)  # idle: started, its background threads settled, no screen connected
        memory_idle = [procs.proc_stats(pid) for pid in server.pids()]
        swarms = await start_displays(server.url, list(seeded["offices"]), cfg["displays"], args.client, workdir)
        await asyncio.sleep(3)
        memory_displays = [procs.proc_stats(pid) for pid in server.pids()]
        meter = CpuMeter(server, [proc.pid for proc, _ in swarms])
        try:
            async with Phones(server.url, args.phones) as phones:
                with meter.phase(health_cpu := {}):
                    health = await healthz_phase(server.url, cfg["kiosks"], args.healthz_seconds)
                with profiling(args.profile, f"{name}-issue", server), meter.phase(issue_cpu := {}):
                    issued = await issue_phase(server.url, cfg["kiosks"], args.issue_seconds, seeded, calling, phones)
                with ExitStack() as measured:
                    call_cpu: dict = {}
                    called = await call_phase(
                        server.url,
                        seeded["officers"],
                        args.call_seconds,
                        args.think_ms,
                        on_start=lambda: (
                            measured.enter_context(profiling(args.profile, f"{name}-call", server)),
                            measured.enter_context(meter.phase(call_cpu)),
                        ),
                    )
                await asyncio.sleep(2)  # let the last events arrive
                phone_stats = phones.analyse(called["calls"])
            memory = [procs.proc_stats(pid) for pid in server.pids()]
        finally:
            displays, client = await stop_displays(swarms)
        health.update(health_cpu)
        issued.update(issue_cpu)
        called.update(call_cpu)
        deliveries = analyse_deliveries(called["calls"], displays)
        twice = double_calls(db_url, called["calls"])
    result = {
        "name": name,
        **cfg,
        "worker_class": "start.sh" if args.start else args.worker_class,
        "healthz": health,
        "issue": issued,
        "call": {k: v for k, v in called.items() if k != "calls"},
        "deliveries": deliveries,
        "twice": twice,
        "phones": phone_stats,
        "memory": memory,
        "memory_idle": memory_idle,
        "memory_displays": memory_displays,
        "client": client,
        "seconds": time.monotonic() - t_start,
    }
    print_result(result)
    return result


def main() -> None:
    p = argparse.ArgumentParser(description="Loket load benchmark (see the module docstring).")
    p.add_argument("configs", nargs="*", default=list(PRESETS), help=f"any of {', '.join(PRESETS)}")
    p.add_argument("--worker-class", choices=("gevent", "gthread"), default="gevent")
    p.add_argument("--threads", type=int, default=2200, help="gthread: threads per process (>= its websockets)")
    p.add_argument("--client", choices=("light", "socketio"), default="light", help="display client implementation")
    p.add_argument("--displays", type=int, help="override the preset's number of displays")
    p.add_argument("--offices", type=int)
    p.add_argument("--kiosks", type=int)
    p.add_argument("--officers", type=int)
    p.add_argument("--healthz-seconds", type=float, default=8)
    p.add_argument("--issue-seconds", type=float, default=15)
    p.add_argument("--call-seconds", type=float, default=30)
    p.add_argument(
        "--think-ms",
        type=float,
        default=500,
        help="officer's time between a call and finishing (x0.5..1.5); 0: call as fast as possible",
    )
    p.add_argument("--json", help="also write the results here")
    p.add_argument(
        "--server-root",
        type=Path,
        default=procs.ROOT,
        help="run serve.py from this checkout (e.g. a `git worktree` of an older commit, to compare)",
    )
    p.add_argument(
        "--phones",
        type=float,
        default=0.25,
        help="share of the tickets issued whose visitor opens the status page (a '/status' websocket)",
    )
    p.add_argument("--profile", metavar="DIR", help="record py-spy profiles of the server during phases 2 and 3")
    p.add_argument(
        "--start",
        action="store_true",
        help="run the README's start (./start.sh, one process on SQLite) instead of serve.py with the preset's workers",
    )
    p.add_argument("--keep-logs", action="store_true", help="print the tail of each server log")
    args = p.parse_args()
    results = []
    for name in args.configs:
        cfg = dict(PRESETS[name])
        for key in ("displays", "offices", "kiosks", "officers"):
            if getattr(args, key):
                cfg[key] = getattr(args, key)
        results.append(asyncio.run(run_config(name, cfg, args)))
    print("\n" + table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
