"""The load benchmark's results: what reached every display and when, tickets called twice, the profiles, and
the printed figures and table."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

from bench import procs
from bench.cpu import cpu_line


def ms(ns: float) -> float:
    return ns / 1e6


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); nan for no values."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))
    return s[k]


def analyse_deliveries(calls: list[dict], displays: list[dict]) -> dict:
    """Match every call made to its arrival at every display of its office."""
    by_office: dict[str, list[dict]] = defaultdict(list)
    for c in calls:
        by_office[c["office"]].append(c)
    per_delivery: list[int] = []
    last_arrival: dict[int, int] = {}
    lost = duplicated = out_of_order = unexpected = 0
    for d in displays:
        expected = {c["ticket_id"]: c for c in by_office.get(d["office"], [])}
        seen: Counter = Counter()
        last_seq: dict[int, int] = {}
        for ticket_id, counter, t_recv in d["calls"]:
            seen[ticket_id] += 1
            c = expected.get(ticket_id)
            if c is None:
                unexpected += 1
                continue
            if seen[ticket_id] > 1:
                duplicated += 1
                continue
            if last_seq.get(counter, -1) > c["seq"]:
                out_of_order += 1  # a counter's calls must reach a display in the order they were made
            last_seq[counter] = max(last_seq.get(counter, -1), c["seq"])
            dt = t_recv - c["t_send"]
            per_delivery.append(dt)
            last_arrival[ticket_id] = max(last_arrival.get(ticket_id, 0), dt)
        lost += sum(1 for t in expected if t not in seen)
    every = list(last_arrival.values())
    # The officers' first calls are made at the same instant (a burst); every later call is spread out.
    first = {c["ticket_id"] for c in calls if c["seq"] == 0}
    burst = [v for k, v in last_arrival.items() if k in first]
    steady = [v for k, v in last_arrival.items() if k not in first]
    return {
        "deliveries": len(per_delivery),
        "lost": lost,
        "duplicated": duplicated,
        "out_of_order": out_of_order,
        "unexpected": unexpected,
        "delivery_p50_ms": ms(pct(per_delivery, 50)),
        "delivery_p99_ms": ms(pct(per_delivery, 99)),
        "every_p50_ms": ms(pct(every, 50)),
        "every_p99_ms": ms(pct(every, 99)),
        "every_max_ms": ms(max(every)) if every else float("nan"),
        "burst_p50_ms": ms(pct(burst, 50)),
        "burst_max_ms": ms(max(burst)) if burst else float("nan"),
        "steady_p50_ms": ms(pct(steady, 50)),
        "steady_p99_ms": ms(pct(steady, 99)),
        "snapshots": sum(d["snapshots"] for d in displays),
        "stale_snapshots": sum(d["stale_snapshots"] for d in displays),
        "display_errors": sum(1 for d in displays if d["error"]),
    }


def double_calls(database_url: str, calls: list[dict]) -> dict:
    """Tickets called twice: in the officers' answers, and in the database's ticket history."""
    from sqlalchemy import create_engine, text

    answers = sum(n - 1 for n in Counter(c["ticket_id"] for c in calls).values() if n > 1)
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            db_twice = conn.execute(
                text(
                    "SELECT count(*) FROM (SELECT ticket_id FROM ticketevent WHERE kind = 'called' "
                    "GROUP BY ticket_id HAVING count(*) > 1) AS t"
                )
            ).scalar_one()
            db_calls = conn.execute(text("SELECT count(*) FROM ticketevent WHERE kind = 'called'")).scalar_one()
    finally:
        engine.dispose()
    return {"twice_in_answers": answers, "twice_in_db": db_twice, "called_in_db": db_calls}


@contextmanager
def profiling(directory: str | None, label: str, server):
    """py-spy (sampling, from outside) on every server worker for the duration of a phase.

    --gil: each sample is the stack of the thread holding the GIL, i.e. what the process spends its Python
    CPU on (a process has thousands of idle websocket threads; sampling them all would slow py-spy down to a
    few samples a second). Time in C with the GIL released (SQLite's engine, libpq) is not sampled.
    """
    if not directory:
        yield
        return
    Path(directory).mkdir(parents=True, exist_ok=True)
    spies = []
    for pid in server.pids()[1:] or server.pids():
        out = Path(directory) / f"{label}-{pid}.txt"
        spies.append(
            subprocess.Popen(
                [
                    str(Path(procs.PYTHON).with_name("py-spy")),
                    "record",
                    "--pid",
                    str(pid),
                    "--rate",
                    "200",
                    "--format",
                    "raw",
                    "--output",
                    str(out),
                    "--nonblocking",
                    "--gil",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    time.sleep(1)  # py-spy attaches
    try:
        yield
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
        for spy in spies:
            spy.wait(timeout=30)
        print(f"  profile: {directory}/{label}-*.txt (collapsed stacks; bench/profile.py summarises)", flush=True)


def per_server_second(phase: dict, rate: float) -> float:
    """Requests per second of server CPU (one core fully busy): what the server can do, whoever else runs."""
    seconds_per_second = phase["cpu"]["server"] * (os.cpu_count() or 1)
    return rate / seconds_per_second if seconds_per_second else float("nan")


def print_result(r: dict) -> None:
    h, i, c, d, t, ph = r["healthz"], r["issue"], r["call"], r["deliveries"], r["twice"], r["phones"]
    ratio = i["rate"] / h["rate"] if h["rate"] else float("nan")
    h_core, i_core = per_server_second(h, h["rate"]), per_server_second(i, i["rate"])
    print(
        f"  /healthz          {h['rate']:8.0f} req/s ({r['kiosks']} clients, errors {h['errors']})"
        f" = {h_core:.0f} per server CPU-second"
    )
    print(f"      {cpu_line(h['cpu'])}")
    print(
        f"  tickets issued    {i['rate']:8.1f} /s = {ratio:.0%} of /healthz   latency p50 {i['p50_ms']:.1f} ms"
        f"  p99 {i['p99_ms']:.1f} ms   ({i['count']} tickets, errors {i['errors'] or 0})"
    )
    print(f"      = {i_core:.0f} per server CPU-second = {i_core / h_core:.0%} of /healthz per server CPU-second")
    print(f"      {cpu_line(i['cpu'])}")
    print(
        f"  call-next         {c['rate']:8.1f} calls/s   latency p50 {c['p50_ms']:.1f} ms  p99 {c['p99_ms']:.1f} ms"
        f"   ({c['count']} calls by {r['officers']} officers at once, errors {c['errors'] or 0})"
    )
    print(f"      {cpu_line(c['cpu'])}")
    print(
        f"  call -> display   each delivery p50 {d['delivery_p50_ms']:.1f} ms  p99 {d['delivery_p99_ms']:.1f} ms"
        f"   ({d['deliveries']} deliveries)"
    )
    print(
        f"  call -> EVERY display of the office   p50 {d['every_p50_ms']:.1f} ms  p99 {d['every_p99_ms']:.1f} ms"
        f"  worst {d['every_max_ms']:.1f} ms"
    )
    print(
        f"      the officers' first calls, all at once: p50 {d['burst_p50_ms']:.1f} ms  worst {d['burst_max_ms']:.1f} ms;"
        f"  every later call: p50 {d['steady_p50_ms']:.1f} ms  p99 {d['steady_p99_ms']:.1f} ms"
    )
    print(
        f"  events lost {d['lost']}  duplicated {d['duplicated']}  out of order {d['out_of_order']}"
        f"  unexpected {d['unexpected']}   display errors {d['display_errors']}"
        f"   snapshots {d['snapshots']} (stale after newer: {d['stale_snapshots']})"
    )
    print(
        f"  phones            {ph['phones']} status pages (errors {ph['errors']}), {ph['states']} state pushes;"
        f"  call -> phone p50 {ph['p50_ms']:.1f} ms  p99 {ph['p99_ms']:.1f} ms  ({ph['calls']} calls, lost {ph['lost']})"
    )
    print(
        f"  tickets called twice: {t['twice_in_answers']} in answers, {t['twice_in_db']} in the database"
        f" ({t['called_in_db']} calls recorded)"
    )
    mem = "  ".join(
        f"{m['pid']}: {m['rss_mb']:.0f} MB (peak {m['peak_rss_mb']:.0f}), cpu {m['cpu_s']:.0f} s, "
        f"{m['threads']} threads"
        for m in r["memory"]
    )
    print(f"  server processes  {mem}")
    if r.get("memory_idle"):
        print(
            f"  memory, all server processes: idle {sum(m['rss_mb'] for m in r['memory_idle']):.0f} MB, "
            f"with the displays connected {sum(m['rss_mb'] for m in r['memory_displays']):.0f} MB, "
            f"after the load {sum(m['rss_mb'] for m in r['memory']):.0f} MB "
            f"(peak {sum(m['peak_rss_mb'] for m in r['memory']):.0f} MB)"
        )
    print(
        f"  display clients   cpu {r['client']['cpu_s']:.0f} s, rss {r['client']['rss_mb']} MB;"
        f"  run took {r['seconds']:.0f} s",
        flush=True,
    )


def _total(r: dict, key: str) -> str:
    return f"{sum(m['rss_mb'] for m in r[key]):.0f}" if r.get(key) else "–"


def table(results: list[dict]) -> str:
    rows = [
        (
            "| configuration | displays | /healthz req/s | tickets/s (ratio) | per server CPU-second: /healthz, tickets "
            "(ratio) | ticket p50 / p99 ms | call-next p50 / p99 ms | call→every display p50 / p99 / worst ms "
            "| lost / dup / disorder | called twice | RSS per process MB | RSS all processes idle / displays / after MB |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        h, i, c, d, t = r["healthz"], r["issue"], r["call"], r["deliveries"], r["twice"]
        workers = r["memory"][1:] or r["memory"]  # the gunicorn master is small; show the workers
        rss = ", ".join(f"{m['rss_mb']:.0f}" for m in workers)
        h_core, i_core = per_server_second(h, h["rate"]), per_server_second(i, i["rate"])
        rows.append(
            f"| {r['name']} ({r['db']}, {r['workers']}×{r['worker_class']}) | {r['displays']} / {r['offices']} offices "
            f"| {h['rate']:.0f} | {i['rate']:.0f} ({i['rate'] / h['rate']:.0%}) "
            f"| {h_core:.0f}, {i_core:.0f} ({i_core / h_core:.0%}) | {i['p50_ms']:.0f} / {i['p99_ms']:.0f} "
            f"| {c['p50_ms']:.0f} / {c['p99_ms']:.0f} "
            f"| {d['every_p50_ms']:.0f} / {d['every_p99_ms']:.0f} / {d['every_max_ms']:.0f} "
            f"| {d['lost']} / {d['duplicated']} / {d['out_of_order']} | {max(t['twice_in_answers'], t['twice_in_db'])} "
            f"| {rss} | {_total(r, 'memory_idle')} / {_total(r, 'memory_displays')} / {_total(r, 'memory')} |"
        )
    return "\n".join(rows)
