"""Report queries on years of a large office's history: generate the database fast, then time each report
with and without its indexes and print the query plans.

    .venv/bin/python bench/bench_reports.py                         # 500,000 tickets over 4 years, SQLite
    .venv/bin/python bench/bench_reports.py --tickets 100000 --years 2
    .venv/bin/python bench/bench_reports.py --url postgresql://postgres@127.0.0.1:5432/loket_bench_reports

The data is inserted in bulk (SQLite executemany in one transaction; PostgreSQL COPY), never one ORM object
at a time. Rows look like the product's own: tickets with their events (issued, called with its verdict,
started, finished / no-show / cancelled / transferred), guest-book lines and visitors. The report figures
come from rules.reports, the same functions the pages use; timings are the best of --repeat runs.
Index sets compared: 'none' (no secondary index on ticket/ticketevent), 'base' (those of 0001), 'all'
(0001 plus 0004_reports). Nothing here asserts: it prints.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text  # noqa: E402

from commands import migrate  # noqa: E402
from db import Database  # noqa: E402
from models import Counter, CounterService  # noqa: E402
from rules import offices, reports, users  # noqa: E402
from settings import load_settings  # noqa: E402

TZ = ZoneInfo("Asia/Jakarta")
END_DAY = date(2026, 10, 30)
SERVICE_MIX = (("penjualan", 0.5), ("konsultasi", 0.35), ("perpustakaan", 0.15))
# Indexes the comparison adds and removes (name, table, columns); the unique keys always stay.
BASE_INDEXES = (
    ("ix_ticket_office_day", "ticket", ("office_id", "service_date")),
    ("ix_ticket_queue", "ticket", ("office_id", "service_id", "status", "priority", "queued_at")),
    ("ix_ticketevent_office_at", "ticketevent", ("office_id", "at")),
)
REPORT_INDEXES = (
    ("ix_ticket_report_counter", "ticket", ("office_id", "counter_id", "service_date")),
    ("ix_ticket_report_officer", "ticket", ("office_id", "officer_id", "service_date")),
    ("ix_ticketevent_office_kind_at", "ticketevent", ("office_id", "kind", "at")),
)
# The detail the product writes with a call (rules.tickets.call_next), made once.
WITHIN, LATE = json.dumps({"within_limit": True}), json.dumps({"within_limit": False})
TICKET_COLS = ("id", "office_id", "service_id", "issued_service_id", "service_date", "number", "code", "guestbook_id",
               "visitor_id", "status", "priority", "priority_reason", "issued_at", "queued_at", "clock_started_at",
               "deadline_at", "called_at", "first_called_at", "started_at", "finished_at", "ended_at", "counter_id",
               "officer_id", "recall_count", "transfer_count", "back_in_minutes", "status_token",
               "estimated_wait_minutes")
EVENT_COLS = ("id", "office_id", "ticket_id", "kind", "at", "service_id", "counter_id", "user_id", "detail")
GB_COLS = ("id", "office_id", "visitor_id", "service_id", "purpose", "purpose_note", "consent_at", "created_at")
VISITOR_COLS = ("id", "office_id", "name", "email", "phone", "gender", "birth_year", "education", "occupation",
                "institution_category", "institution_name", "segment", "npwp", "created_at", "updated_at")


def business_days(years: int) -> list[date]:
    start = END_DAY - timedelta(days=round(365.25 * years))
    days, d = [], start
    while d <= END_DAY:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return days


def local(day: date, minutes: float) -> datetime:
    """Minutes after 08:00 local on a day, as aware UTC."""
    return (datetime(day.year, day.month, day.day, 8, tzinfo=TZ) + timedelta(minutes=minutes)).astimezone(UTC)


def generate(n_tickets: int, years: int, ids: dict, seed: int = 7):
    """Yield (table, row) in insert order. ids: service/counter/officer ids of the office."""
    rnd = random.Random(seed)
    from rules.guestbook import EDUCATION, INSTITUTION_CATEGORIES, OCCUPATIONS, PURPOSES, SEGMENT_OF_CATEGORY
    office_id = ids["office"]
    n_visitors = max(n_tickets // 6, 10)
    for v in range(1, n_visitors + 1):
        cat = rnd.choice(INSTITUTION_CATEGORIES)
        created = local(END_DAY - timedelta(days=365 * years), 0)
        yield "visitor", (v, office_id, f"Pengunjung {v}", f"v{v}@example.id", f"0812{v:08d}", rnd.choice("LP"),
                          rnd.randint(1960, 2006), rnd.choice(EDUCATION), rnd.choice(OCCUPATIONS), cat, "Instansi",
                          SEGMENT_OF_CATEGORY[cat], "", created, created)
    days = business_days(years)
    per_day = n_tickets / len(days)
    services = [(ids["services"][code], w) for code, w in SERVICE_MIX]
    tid = eid = gid = 0
    # exactly n_tickets: every day gets the whole part, randomly chosen days one more
    extra = set(rnd.sample(range(len(days)), n_tickets - int(per_day) * len(days)))
    for i, day in enumerate(days):
        count = int(per_day) + (1 if i in extra else 0)
        numbers = {sid: 0 for sid, _w in services}
        # arrivals spread over 7 hours, each service with its own counter(s) and a running "free at" time
        free_at = {cid: 0.0 for cid in ids["counters"]}
        last_end = {sid: None for sid, _w in services}
        arrivals = sorted(rnd.uniform(0, 420) for _ in range(count))
        for arrival in arrivals:
            tid += 1
            r = rnd.random()
            sid = services[0][0] if r < 0.5 else services[1][0] if r < 0.85 else services[2][0]
            numbers[sid] += 1
            prefix = ids["prefix"][sid]
            gid += 1
            visitor = rnd.randint(1, n_visitors)
            issued = local(day, arrival)
            counters = ids["serves"][sid]
            cid = min(counters, key=lambda c: free_at[c])
            officer = ids["officer_of"][cid]
            start_call = max(arrival, free_at[cid]) + rnd.expovariate(1 / 1.5)
            clock = arrival if last_end[sid] is None else max(arrival, min(last_end[sid], start_call))
            within = start_call <= clock + 10
            fate = rnd.random()
            service_min = max(0.5, rnd.gauss(8, 3))
            est = round(max(0.0, (max(arrival, free_at[cid]) - arrival) + rnd.gauss(0, 4)))
            called = local(day, start_call)
            yield "guestbookentry", (gid, office_id, visitor, sid, rnd.choice(PURPOSES), "", issued, issued)
            t = dict.fromkeys(TICKET_COLS)
            t.update(id=tid, office_id=office_id, service_id=sid, issued_service_id=sid, service_date=day,
                     number=numbers[sid], code=f"{prefix}-{numbers[sid]:03d}", guestbook_id=gid, visitor_id=visitor,
                     priority=False, priority_reason="", issued_at=issued, queued_at=issued, recall_count=0,
                     transfer_count=0, status_token=f"bench-{tid}", estimated_wait_minutes=est,
                     clock_started_at=local(day, clock), deadline_at=local(day, clock + 10), called_at=called,
                     first_called_at=called, counter_id=cid, officer_id=officer)
            events = [("issued", issued, None, None, "")]
            events.append(("called", called, cid, officer, WITHIN if within else LATE))
            if fate < 0.02:                                   # left before being called
                t.update(status="cancelled", ended_at=local(day, arrival + 5), clock_started_at=None,
                         deadline_at=None, called_at=None, first_called_at=None, counter_id=None, officer_id=None)
                events = [events[0], ("cancelled", t["ended_at"], None, None, json.dumps({"by": "visitor"}))]
                yield "ticket", tuple(t[c] for c in TICKET_COLS)
                for kind, at, c, u, detail in events:
                    eid += 1
                    yield "ticketevent", (eid, office_id, tid, kind, at, sid, c, u, detail)
                continue
            if fate < 0.06:                                   # no-show after two recalls
                end = start_call + 3
                t.update(status="no_show", ended_at=local(day, end), recall_count=2)
                events += [("recalled", local(day, start_call + 1), cid, officer, ""),
                           ("no_show", local(day, end), cid, officer, "")]
                free_at[cid] = end
            else:
                started = start_call + rnd.uniform(0.2, 1.0)
                finished = started + service_min
                if fate < 0.09:                               # transferred once, then finished elsewhere
                    t["transfer_count"] = 1
                    events.append(("transferred", local(day, started + 1), cid, officer,
                                   json.dumps({"to_service": "konsultasi"})))
                    started, finished = started + 4, started + 4 + service_min
                    events.append(("called", local(day, started - 0.5), cid, officer, WITHIN))
                t.update(status="done", started_at=local(day, started), finished_at=local(day, finished),
                         ended_at=local(day, finished))
                events += [("started", local(day, started), cid, officer, ""),
                           ("finished", local(day, finished), cid, officer, "")]
                free_at[cid] = finished
            last_end[sid] = free_at[cid]
            yield "ticket", tuple(t[c] for c in TICKET_COLS)
            for kind, at, c, u, detail in events:
                eid += 1
                yield "ticketevent", (eid, office_id, tid, kind, at, sid, c, u, detail)


def _sqlite_value(v):
    if isinstance(v, datetime):
        return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, bool):
        return int(v)
    return v


COLUMNS = {"ticket": TICKET_COLS, "ticketevent": EVENT_COLS, "guestbookentry": GB_COLS, "visitor": VISITOR_COLS}


def load(db: Database, rows, batch: int = 20000) -> dict:
    """Bulk insert: SQLite executemany in one transaction, PostgreSQL COPY."""
    counts = {k: 0 for k in COLUMNS}
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        if db.is_sqlite:
            cur.execute("PRAGMA synchronous=OFF")
            buffers: dict[str, list] = {k: [] for k in COLUMNS}

            def flush(table):
                cols = COLUMNS[table]
                cur.executemany(f'INSERT INTO "{table}" ({",".join(cols)}) VALUES ({",".join("?" * len(cols))})',
                                buffers[table])
                buffers[table].clear()
            cur.execute("BEGIN")
            for table, row in rows:
                buffers[table].append(tuple(_sqlite_value(v) for v in row))
                counts[table] += 1
                if len(buffers[table]) >= batch:
                    for t in ("visitor", "guestbookentry", "ticket", "ticketevent"):  # foreign-key order
                        if buffers[t]:
                            flush(t)
            for t in ("visitor", "guestbookentry", "ticket", "ticketevent"):
                if buffers[t]:
                    flush(t)
            cur.execute("COMMIT")
        else:
            # COPY per table needs the rows grouped: keep them in memory per table, parents first.
            grouped: dict[str, list] = {k: [] for k in COLUMNS}
            for table, row in rows:
                grouped[table].append(row)
                counts[table] += 1
            for table in ("visitor", "guestbookentry", "ticket", "ticketevent"):
                with cur.copy(f'COPY "{table}" ({",".join(COLUMNS[table])}) FROM STDIN') as copy:
                    for row in grouped[table]:
                        copy.write_row(row)
            for table in COLUMNS:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))")
            raw.commit()
    finally:
        raw.close()
    return counts


def set_indexes(db: Database, wanted: str) -> None:
    """'none', 'base' or 'all'."""
    keep = {"none": (), "base": BASE_INDEXES, "all": BASE_INDEXES + REPORT_INDEXES}[wanted]
    with db.engine.begin() as conn:
        for name, _table, _cols in BASE_INDEXES + REPORT_INDEXES:
            conn.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
        for name, table, cols in keep:
            conn.execute(text(f'CREATE INDEX "{name}" ON "{table}" ({", ".join(cols)})'))
        conn.execute(text("ANALYZE"))


class Capture:
    """The SQL statements (with parameters) a report runs, to show their plans."""

    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._hook)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._hook)

    def _hook(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))


def plans(db: Database, statements) -> list[str]:
    out = []
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for sql, params in statements:
            if "FROM ticket" not in sql and "FROM ticketevent" not in sql:
                continue
            if db.is_sqlite:
                rows = cur.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
                out.append(" | ".join(r[-1] for r in rows))
            else:
                cur.execute("EXPLAIN " + sql, params)
                out.append(" | ".join(r[0].strip() for r in cur.fetchall()[:4]))
    finally:
        raw.close()
    return out


def run_reports(db: Database, ids: dict, repeat: int, show_plans: bool, label: str) -> None:
    officer = ids["officer_of"][ids["counters"][0]]
    counter = ids["counters"][1]
    cases = [
        ("day", reports.Period.day(END_DAY), reports.Filters()),
        ("month", reports.Period.month(END_DAY.year, END_DAY.month), reports.Filters()),
        ("year", reports.Period.between(END_DAY - timedelta(days=364), END_DAY), reports.Filters()),
        ("year, one service", reports.Period.between(END_DAY - timedelta(days=364), END_DAY),
         reports.Filters(service_id=ids["services"]["perpustakaan"])),
        ("year, one counter", reports.Period.between(END_DAY - timedelta(days=364), END_DAY),
         reports.Filters(counter_id=counter)),
        ("year, one officer", reports.Period.between(END_DAY - timedelta(days=364), END_DAY),
         reports.Filters(officer_id=officer)),
        ("month, one officer", reports.Period.month(END_DAY.year, END_DAY.month), reports.Filters(officer_id=officer)),
    ]
    print(f"\n== indexes: {label}")
    print(f"{'report':<22}{'best s':>9}{'tickets':>10}{'wait med':>10}{'wait P90':>10}{'svc med':>9}{'in limit':>10}")
    from models import Office
    for name, period, filters in cases:
        best = None
        for _ in range(repeat):
            with db.read() as s:
                office = s.get(Office, ids["office"])
                with Capture(db.engine) as cap:
                    t0 = time.perf_counter()
                    rep = reports.build_report(s, office, period, filters)
                    dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
        sm = rep.summary
        fmt = lambda v: "-" if v is None else f"{v:.1f}"  # noqa: E731
        share = "-" if sm["limit"]["share"] is None else f"{100 * sm['limit']['share']:.1f}%"
        print(f"{name:<22}{best:>9.3f}{sm['tickets']:>10,}{fmt(sm['waiting']['median']):>10}"
              f"{fmt(sm['waiting']['p90']):>10}{fmt(sm['service']['median']):>9}{share:>10}")
        if show_plans:
            for p in plans(db, cap.statements):
                print(f"    plan: {p[:220]}")


def prepare(url: str, n: int, years: int) -> tuple[Database, dict]:
    migrate(url)
    db = Database(url)
    settings = load_settings(env={"LOKET_ALWAYS_OPEN": "1"})
    with db.write() as s:
        office = offices.sync_from_settings(s, settings)
        officer_ids = []
        for i, c in enumerate(offices.counters(s, office.id), 1):
            u, _pw = users.create_user(s, office_id=office.id, username=f"bench{i}", name=f"Petugas Bench {i}",
                                       role="officer", password="bench-demo-password")
            officer_ids.append(u.id)
        services = {sv.code: sv.id for sv in offices.services(s, office.id)}
        # A large office: enough counters that the day's visitors can be served (about 8 minutes each over a
        # 7-hour day at 80 % load), each serving one service, in proportion to the service mix.
        per_day = n / len(business_days(years))
        needed = max(3, math.ceil(per_day * 8 / 420 / 0.8))
        have = len(offices.counters(s, office.id))
        for number in range(have + 1, needed + 1):
            r = (number - have - 1) / max(needed - have, 1)
            code = "penjualan" if r < 0.5 else "konsultasi" if r < 0.85 else "perpustakaan"
            c = Counter(office_id=office.id, number=number, name=f"Loket {number}")
            s.add(c)
            s.flush()
            s.add(CounterService(counter_id=c.id, service_id=services[code]))
        s.flush()
        for c in offices.counters(s, office.id)[len(officer_ids):]:
            u, _pw = users.create_user(s, office_id=office.id, username=f"bench{c.number}",
                                       name=f"Petugas Bench {c.number}", role="officer", password="bench-demo-password")
            officer_ids.append(u.id)
        prefix = {sv.id: sv.prefix for sv in offices.services(s, office.id)}
        counters = [c.id for c in offices.counters(s, office.id)]
        serves: dict[int, list[int]] = {}
        for c in counters:
            for sid in offices.counter_service_ids(s, c):
                serves.setdefault(sid, []).append(c)
        ids = {"office": office.id, "services": services, "prefix": prefix, "counters": counters,
               "officer_of": dict(zip(counters, officer_ids)), "serves": serves}
    return db, ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets", type=int, default=500_000)
    ap.add_argument("--years", type=int, default=4)
    ap.add_argument("--url", default="", help="database URL (default: a fresh SQLite file under /tmp)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-plans", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the generated SQLite file")
    ap.add_argument("--pdf", default="", help="also write the last month's report PDF here (for the README)")
    ap.add_argument("--lang", default="id", help="language of that PDF (id or en)")
    args = ap.parse_args()
    url = args.url or f"sqlite:////tmp/loket-bench-reports-{os.getpid()}.db"
    if url.startswith("postgresql"):
        _create_pg_database(url)
    print(f"database: {url.split('@')[-1]}  tickets: {args.tickets:,}  years: {args.years}")
    db, ids = prepare(url, args.tickets, args.years)
    set_indexes(db, "none")        # load without secondary indexes, build them afterwards (faster)
    t0 = time.perf_counter()
    counts = load(db, generate(args.tickets, args.years, ids))
    dt = time.perf_counter() - t0
    total = sum(counts.values())
    print(f"generated and inserted in {dt:.1f} s ({total / dt:,.0f} rows/s): "
          + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if args.pdf:
        write_sample_pdf(url, args.pdf, args.lang)
    for label in ("none", "base", "all"):
        t0 = time.perf_counter()
        set_indexes(db, label)
        print(f"\n(index set '{label}' built in {time.perf_counter() - t0:.1f} s)")
        run_reports(db, ids, args.repeat, not args.no_plans, {
            "none": "none (no secondary index on ticket / ticketevent)",
            "base": "base (0001: office+day, queue, office+event time)",
            "all": "all (0001 + 0004_reports: counter, officer, event kind+time)"}[label])
    db.dispose()
    if url.startswith("sqlite") and not args.keep:
        path = url.split("///", 1)[1]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    elif url.startswith("postgresql") and not args.keep:
        _drop_pg_database(url)


def write_sample_pdf(url: str, path: str, lang: str) -> None:
    """The month report of END_DAY's month as a supervisor downloads it (through the app, over its routes)."""
    from app import create_app
    settings = load_settings(env={"LOKET_ALWAYS_OPEN": "1"})
    app = create_app({"TESTING": True, "DATABASE_URL": url}, settings=settings)
    with app.extensions["loket.db"].write() as s:
        office = offices.get_office(s, settings.office.code)
        users.create_user(s, office_id=office.id, username="bench-supervisor", name="Kepala Seksi PST",
                          role="supervisor", password="bench-supervisor-pw")
    client = app.test_client()
    token = client.get("/api/session").get_json()["csrf_token"]
    r = client.post("/api/login", json={"username": "bench-supervisor", "password": "bench-supervisor-pw"},
                    headers={"X-CSRFToken": token})
    assert r.status_code == 200, r.get_json()
    r = client.get(f"/supervisor/reports.pdf?period=month&month={END_DAY:%Y-%m}&lang={lang}")
    assert r.status_code == 200, r.status_code
    Path(path).write_bytes(r.data)
    app.extensions["loket.db"].dispose()
    print(f"sample report: {path} ({len(r.data):,} bytes)")


def _admin_url(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    return base + "/postgres", name


def _create_pg_database(url: str) -> None:
    import psycopg
    admin, name = _admin_url(url)
    with psycopg.connect(admin.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}"')


def _drop_pg_database(url: str) -> None:
    import psycopg
    admin, name = _admin_url(url)
    with psycopg.connect(admin.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
