"""A large office's generated history for the report benchmark: 4 years of working days of tickets, events,
guest-book lines and visitors, written in bulk to SQLite (executemany) and copied to PostgreSQL (COPY)."""

from __future__ import annotations

import json
import math
import os
import random
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from commands import migrate
from db import Database
from models import Counter, CounterService
from rules import offices, users
from settings import load_settings

TZ = ZoneInfo("Asia/Jakarta")
END_DAY = date(2026, 10, 30)
DEFAULT_FILE = "/tmp/loket-bench-reports.db"
SERVICE_MIX = (("penjualan", 0.5), ("konsultasi", 0.35), ("perpustakaan", 0.15))
US = timedelta(microseconds=1)
# Secondary indexes of ticket / ticketevent, dropped while loading and built afterwards (name, table, columns).
LOAD_INDEXES = (
    ("ix_ticket_office_day", "ticket", ("office_id", "service_date")),
    ("ix_ticket_queue", "ticket", ("office_id", "service_id", "status", "priority", "queued_at")),
    ("ix_ticket_visitor_id", "ticket", ("visitor_id",)),
    ("ix_ticketevent_office_at", "ticketevent", ("office_id", "at")),
    ("ix_ticketevent_ticket_id", "ticketevent", ("ticket_id",)),
    ("ix_ticket_report_counter", "ticket", ("office_id", "counter_id", "service_date")),
    ("ix_ticket_report_officer", "ticket", ("office_id", "officer_id", "service_date")),
    ("ix_ticketevent_office_kind_at", "ticketevent", ("office_id", "kind", "at")),
)
SCAN_INDEX = (
    "ix_ticket_report_scan",
    "ticket",
    (
        "office_id",
        "service_date",
        "issued_service_id",
        "counter_id",
        "officer_id",
        "status",
        "transfer_count",
        "waiting_us",
        "service_us",
        "first_call_within",
        "estimated_wait_minutes",
        "visitor_id",
        "guestbook_id",
        "issued_at",
    ),
)
# The detail the product writes with a call (rules.tickets.call_next), made once.
WITHIN, LATE = json.dumps({"within_limit": True}), json.dumps({"within_limit": False})
TICKET_COLS = (
    "id",
    "office_id",
    "service_id",
    "issued_service_id",
    "service_date",
    "number",
    "code",
    "guestbook_id",
    "visitor_id",
    "status",
    "priority",
    "priority_reason",
    "issued_at",
    "queued_at",
    "clock_started_at",
    "deadline_at",
    "called_at",
    "first_called_at",
    "started_at",
    "finished_at",
    "ended_at",
    "counter_id",
    "officer_id",
    "recall_count",
    "transfer_count",
    "back_in_minutes",
    "status_token",
    "estimated_wait_minutes",
    "waiting_us",
    "service_us",
    "first_call_within",
)
EVENT_COLS = ("id", "office_id", "ticket_id", "kind", "at", "service_id", "counter_id", "user_id", "detail")
GB_COLS = ("id", "office_id", "visitor_id", "service_id", "purpose", "purpose_note", "consent_at", "created_at")
VISITOR_COLS = (
    "id",
    "office_id",
    "name",
    "email",
    "phone",
    "gender",
    "birth_year",
    "education",
    "occupation",
    "institution_category",
    "institution_name",
    "segment",
    "npwp",
    "created_at",
    "updated_at",
)
COLUMNS = {"visitor": VISITOR_COLS, "guestbookentry": GB_COLS, "ticket": TICKET_COLS, "ticketevent": EVENT_COLS}
BOOLEAN_COLS = {"ticket": ("priority", "first_call_within")}


# ---- the generated office ---------------------------------------------------------------------------------


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
        yield (
            "visitor",
            (
                v,
                office_id,
                f"Pengunjung {v}",
                f"v{v}@example.id",
                f"0812{v:08d}",
                rnd.choice("LP"),
                rnd.randint(1960, 2006),
                rnd.choice(EDUCATION),
                rnd.choice(OCCUPATIONS),
                cat,
                "Instansi",
                SEGMENT_OF_CATEGORY[cat],
                "",
                created,
                created,
            ),
        )
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
        free_at = dict.fromkeys(ids["counters"], 0.0)
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
            fate = rnd.random()
            service_min = max(0.5, rnd.gauss(8, 3))
            est = round(max(0.0, (max(arrival, free_at[cid]) - arrival) + rnd.gauss(0, 4)))
            called, deadline = local(day, start_call), local(day, clock + 10)
            within = called <= deadline  # as rules.tickets.call_next decides it, on the stored times
            yield "guestbookentry", (gid, office_id, visitor, sid, rnd.choice(PURPOSES), "", issued, issued)
            t = dict.fromkeys(TICKET_COLS)
            t.update(
                id=tid,
                office_id=office_id,
                service_id=sid,
                issued_service_id=sid,
                service_date=day,
                number=numbers[sid],
                code=f"{prefix}-{numbers[sid]:03d}",
                guestbook_id=gid,
                visitor_id=visitor,
                priority=False,
                priority_reason="",
                issued_at=issued,
                queued_at=issued,
                recall_count=0,
                transfer_count=0,
                status_token=f"bench-{tid}",
                estimated_wait_minutes=est,
                clock_started_at=local(day, clock),
                deadline_at=deadline,
                called_at=called,
                first_called_at=called,
                counter_id=cid,
                officer_id=officer,
            )
            events = [("issued", issued, None, None, "")]
            events.append(("called", called, cid, officer, WITHIN if within else LATE))
            if fate < 0.02:  # left before being called
                t.update(
                    status="cancelled",
                    ended_at=local(day, arrival + 5),
                    clock_started_at=None,
                    deadline_at=None,
                    called_at=None,
                    first_called_at=None,
                    counter_id=None,
                    officer_id=None,
                )
                events = [events[0], ("cancelled", t["ended_at"], None, None, json.dumps({"by": "visitor"}))]
            elif fate < 0.06:  # no-show after two recalls
                end = start_call + 3
                t.update(
                    status="no_show", ended_at=local(day, end), recall_count=2, called_at=local(day, start_call + 1)
                )
                events += [
                    ("recalled", local(day, start_call + 1), cid, officer, ""),
                    ("no_show", local(day, end), cid, officer, ""),
                ]
                free_at[cid] = end
            else:
                started = start_call + rnd.uniform(0.2, 1.0)
                finished = started + service_min
                if fate < 0.09:  # transferred once, then finished elsewhere
                    t["transfer_count"] = 1
                    events.append(
                        ("transferred", local(day, started + 1), cid, officer, json.dumps({"to_service": "konsultasi"}))
                    )
                    started, finished = started + 4, started + 4 + service_min
                    t["called_at"] = local(day, started - 0.5)
                    events.append(("called", t["called_at"], cid, officer, WITHIN))
                t.update(
                    status="done",
                    started_at=local(day, started),
                    finished_at=local(day, finished),
                    ended_at=local(day, finished),
                )
                events += [
                    ("started", local(day, started), cid, officer, ""),
                    ("finished", local(day, finished), cid, officer, ""),
                ]
                free_at[cid] = finished
            # the report columns, as models._ticket_report_figures writes them
            if t["first_called_at"] is not None:
                t.update(waiting_us=(t["first_called_at"] - issued) // US, first_call_within=within)
            if t["status"] == "done":
                t["service_us"] = (t["finished_at"] - t["started_at"]) // US
            if t["status"] != "cancelled":
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


def prepare(url: str, n: int, years: int) -> tuple[Database, dict]:
    """Schema, office, counters (enough for the day's load) and one officer per counter; the ids used."""
    migrate(url)
    db = Database(url)
    settings = load_settings(env={"LOKET_ALWAYS_OPEN": "1"})
    with db.write() as s:
        office = offices.sync_from_settings(s, settings)
        officer_ids = []
        for i, _counter in enumerate(offices.counters(s, office.id), 1):
            u, _pw = users.create_user(
                s,
                office_id=office.id,
                username=f"bench{i}",
                name=f"Petugas Bench {i}",
                role="officer",
                password="bench-demo-password",
                enforce_policy=False,  # a scratch database's account
            )
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
        for c in offices.counters(s, office.id)[len(officer_ids) :]:
            u, _pw = users.create_user(
                s,
                office_id=office.id,
                username=f"bench{c.number}",
                name=f"Petugas Bench {c.number}",
                role="officer",
                password="bench-demo-password",
                enforce_policy=False,  # a scratch database's account
            )
            officer_ids.append(u.id)
        prefix = {sv.id: sv.prefix for sv in offices.services(s, office.id)}
        counters = [c.id for c in offices.counters(s, office.id)]
        serves: dict[int, list[int]] = {}
        for c in counters:
            for sid in offices.counter_service_ids(s, c):
                serves.setdefault(sid, []).append(c)
        ids = {
            "office": office.id,
            "services": services,
            "prefix": prefix,
            "counters": counters,
            "officer_of": dict(zip(counters, officer_ids)),
            "serves": serves,
        }
    return db, ids


def drop_indexes(db: Database, indexes) -> None:
    with db.engine.begin() as conn:
        for name, _table, _cols in indexes:
            conn.execute(text(f'DROP INDEX IF EXISTS "{name}"'))


def create_indexes(db: Database, indexes) -> None:
    with db.engine.begin() as conn:
        for name, table, cols in indexes:
            conn.execute(text(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({", ".join(cols)})'))
    analyze(db)


def analyze(db: Database) -> None:
    if db.is_sqlite:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    else:  # VACUUM too: index-only scans need the visibility map
        raw = db.engine.raw_connection()
        try:
            raw.driver_connection.autocommit = True
            raw.driver_connection.execute("VACUUM ANALYZE")
        finally:
            raw.close()


def build_sqlite(path: str, n: int, years: int) -> dict:
    """A fresh SQLite file with the generated office (bulk insert in one transaction)."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    url = f"sqlite:///{path}"
    t0 = time.perf_counter()
    db, ids = prepare(url, n, years)
    drop_indexes(db, LOAD_INDEXES + (SCAN_INDEX,))
    counts = dict.fromkeys(COLUMNS, 0)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("PRAGMA synchronous=OFF")
        buffers: dict[str, list] = {k: [] for k in COLUMNS}

        def flush():
            for table in COLUMNS:  # foreign-key order
                if buffers[table]:
                    cols = COLUMNS[table]
                    cur.executemany(
                        f'INSERT INTO "{table}" ({",".join(cols)}) VALUES ({",".join("?" * len(cols))})', buffers[table]
                    )
                    buffers[table].clear()

        cur.execute("BEGIN")
        for table, row in generate(n, years, ids):
            buffers[table].append(tuple(_sqlite_value(v) for v in row))
            counts[table] += 1
            if len(buffers[table]) >= 20000:
                flush()
        flush()
        cur.execute("COMMIT")
    finally:
        raw.close()
    create_indexes(db, LOAD_INDEXES + (SCAN_INDEX,))
    with db.write() as s:  # remember the ids with the file, for --reuse
        s.execute(text("CREATE TABLE IF NOT EXISTS bench_meta (ids TEXT)"))
        s.execute(text("DELETE FROM bench_meta"))
        s.execute(text("INSERT INTO bench_meta (ids) VALUES (:ids)"), {"ids": json.dumps(ids)})
    db.dispose()
    dt = time.perf_counter() - t0
    print(f"generated {path} in {dt:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return ids


def read_ids(db: Database) -> dict:
    with db.read() as s:
        ids = json.loads(s.execute(text("SELECT ids FROM bench_meta")).scalar_one())
    for key in ("prefix", "serves", "officer_of"):
        ids[key] = {int(k): v for k, v in ids[key].items()}
    return ids


def build_postgres(url: str, sqlite_path: str, n: int, years: int) -> dict:
    """A scratch PostgreSQL database with the SQLite file's rows, loaded with COPY."""
    import sqlite3

    create_pg_database(url)
    t0 = time.perf_counter()
    db, ids = prepare(url, n, years)
    src = sqlite3.connect(sqlite_path)
    drop_indexes(db, LOAD_INDEXES + (SCAN_INDEX,))
    counts = {}
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        # Times in the file are UTC without an offset; foreign keys are the file's own (checked there), so
        # their triggers are skipped while copying (superuser only).
        cur.execute("SET TIME ZONE 'UTC'")
        cur.execute("SET session_replication_role = replica")
        for table, cols in COLUMNS.items():
            booleans = [cols.index(c) for c in BOOLEAN_COLS.get(table, ())]
            counts[table] = 0
            with cur.copy(f'COPY "{table}" ({",".join(cols)}) FROM STDIN') as copy:
                for row in src.execute(f'SELECT {",".join(cols)} FROM "{table}" ORDER BY id'):
                    if booleans:
                        row = list(row)
                        for i in booleans:
                            row[i] = None if row[i] is None else bool(row[i])
                    copy.write_row(row)
                    counts[table] += 1
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"
            )
        cur.execute("SET session_replication_role = DEFAULT")
        raw.commit()
    finally:
        raw.close()
        src.close()
    create_indexes(db, LOAD_INDEXES + (SCAN_INDEX,))
    db.dispose()
    print(
        f"PostgreSQL database filled with COPY in {time.perf_counter() - t0:.0f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )
    return ids


# ---- timing the reports --------------------------------------------------------------------------------------


def _admin_url(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    return base.replace("postgresql+psycopg", "postgresql") + "/postgres", name


def create_pg_database(url: str) -> None:
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}"')


def drop_pg_database(url: str) -> None:
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
