"""A swarm of wall-display clients for the load benchmark: many real websocket connections in one process.

Run by bench/load.py as a subprocess:

    python bench/displays.py --url http://127.0.0.1:8000 --offices 7001,7002 --count 1000 --out /tmp/d.json

Each display opens a websocket to /socket.io/, speaks Engine.IO 4 / Socket.IO 5 itself (open, connect with
auth {office, screen}, ping/pong, events) and records the arrival time (CLOCK_MONOTONIC, comparable across
processes on one machine) of every 'call' event, and how many snapshots it got. It prints "READY n" once
every display has its first snapshot, and on "STOP" (stdin) writes its records as JSON and exits.

`--client socketio` uses python-socketio's AsyncClient instead (to compare their cost; see docs/DEPLOY.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import sys
import time

import aiohttp

SERVER_TIME = re.compile(r'"server_time":\s*"([^"]*)"')


class Display:
    """One screen: what it received, in arrival order."""

    def __init__(self, index: int, office: str):
        self.index = index
        self.office = office
        self.calls: list[tuple[int, int, int]] = []  # (ticket_id, counter number, arrival ns)
        self.snapshots = 0
        self.stale_snapshots = 0  # a snapshot older (server_time) than one already shown
        self.last_server_time = ""
        self.ready = asyncio.Event()
        self.error = ""

    def on_call(self, data: dict) -> None:
        self.calls.append((data["ticket_id"], data["counter"], time.monotonic_ns()))

    def on_snapshot_time(self, server_time: str) -> None:
        self.snapshots += 1
        if server_time < self.last_server_time:
            self.stale_snapshots += 1
        else:
            self.last_server_time = server_time
        self.ready.set()


async def light_display(session: aiohttp.ClientSession, url: str, d: Display, stop: asyncio.Event) -> None:
    """Engine.IO over a raw websocket: only 'call' events are parsed in full; snapshots are counted."""
    ws_url = url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    try:
        async with session.ws_connect(ws_url, autoping=False, max_msg_size=0, compress=0) as ws:
            opened = await ws.receive_str()
            if not opened.startswith("0"):
                raise RuntimeError(f"unexpected open packet {opened[:40]!r}")
            await ws.send_str("40" + json.dumps({"office": d.office, "screen": "display"}))
            while True:
                msg = await ws.receive()
                if msg.type != aiohttp.WSMsgType.TEXT:
                    if not stop.is_set():
                        d.error = f"closed: {msg.type.name}"
                    d.ready.set()
                    return
                text = msg.data
                if text == "2":  # Engine.IO ping from the server
                    await ws.send_str("3")
                elif text.startswith('42["call"'):
                    d.on_call(json.loads(text[2:])[1])
                elif text.startswith('42["snapshot"'):
                    m = SERVER_TIME.search(text)
                    d.on_snapshot_time(m.group(1) if m else "")
                elif text.startswith("44"):
                    d.error = f"refused: {text[:80]}"
                    d.ready.set()
                    return
    except asyncio.CancelledError:
        raise
    except Exception as e:  # noqa: BLE001
        d.error = d.error or f"{type(e).__name__}: {e}"
        d.ready.set()


async def socketio_display(url: str, d: Display, stop: asyncio.Event) -> None:
    """The same display with python-socketio's AsyncClient (heavier: a task set per client)."""
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    client.on("call", d.on_call)
    client.on("snapshot", lambda snap: d.on_snapshot_time(snap.get("server_time", "")))
    try:
        await client.connect(url, auth={"office": d.office, "screen": "display"}, transports=["websocket"])
        await stop.wait()
        await client.disconnect()
    except Exception as e:  # noqa: BLE001
        d.error = f"{type(e).__name__}: {e}"
        d.ready.set()


async def run(args) -> None:
    offices = args.offices.split(",")
    displays = [Display(i, offices[i % len(offices)]) for i in range(args.count)]
    stop = asyncio.Event()
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    cpu0 = time.process_time()
    t0 = time.monotonic()
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = []
        for i, d in enumerate(displays):
            if args.client == "socketio":
                tasks.append(asyncio.ensure_future(socketio_display(args.url, d, stop)))
            else:
                tasks.append(asyncio.ensure_future(light_display(session, args.url, d, stop)))
            if i % 25 == 24:  # connect in waves (250/s per swarm), like screens coming back after a restart
                await asyncio.sleep(0.1)
        await asyncio.wait_for(asyncio.gather(*(d.ready.wait() for d in displays)), timeout=args.connect_timeout)
        failed = [d for d in displays if d.error]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            f"READY {len(displays) - len(failed)} failed={len(failed)} connect_s={time.monotonic() - t0:.1f} "
            f"client_cpu_s={time.process_time() - cpu0:.1f} client_rss_mb={rss / 1024:.0f}",
            flush=True,
        )
        for d in failed[:3]:
            print(f"  display {d.index} ({d.office}): {d.error}", file=sys.stderr, flush=True)
        loop = asyncio.get_running_loop()
        line = await loop.run_in_executor(None, sys.stdin.readline)
        assert line.strip() in ("STOP", ""), line
        stop.set()
        if args.client == "socketio":
            await asyncio.wait(tasks, timeout=10)  # let the AsyncClients disconnect cleanly
        for t in tasks:  # the records are kept in the Display objects; the connections just end
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    out = {
        "displays": [
            {
                "index": d.index,
                "office": d.office,
                "calls": d.calls,
                "snapshots": d.snapshots,
                "stale_snapshots": d.stale_snapshots,
                "error": d.error,
            }
            for d in displays
        ],
        "client_cpu_s": time.process_time() - cpu0,
        "client_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    with open(args.out, "w") as f:
        json.dump(out, f)
    print("DONE", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True)
    p.add_argument("--offices", required=True, help="comma-separated office codes, assigned round-robin")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--client", choices=("light", "socketio"), default="light")
    p.add_argument("--connect-timeout", type=float, default=180)
    args = p.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
