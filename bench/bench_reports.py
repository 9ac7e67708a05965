"""Report queries on years of a large office's history: the reports before and after 0006_report_speed, on
a generated database, on SQLite and on PostgreSQL, with the query plans and the figures.

    .venv/bin/python bench/bench_reports.py                      # generate the SQLite file once (500,000 tickets)
    .venv/bin/python bench/bench_reports.py --reuse              # the same file again (no generation)
    .venv/bin/python bench/bench_reports.py --reuse --postgres   # and PostgreSQL: a scratch database filled
                                                                 # from that file with COPY, dropped after
    .venv/bin/python bench/bench_reports.py --tickets 100000 --years 2 --file /tmp/small.db

The generated office: 4 years of working days, arrivals over 7 hours, three services, enough counters (one
officer each) to serve the day at about 80 % load; tickets with their events (issued, called with its
verdict, started, finished / no-show / cancelled / transferred), guest-book lines and visitors, inserted in
bulk (SQLite executemany in one transaction; PostgreSQL COPY), never one ORM object at a time. The report
columns of 0006 (waiting_us, service_us, first_call_within) are written as models._ticket_report_figures
would write them.

For each report (a day, a month, a year, a year of one officer, a year of one service) it times:
  before   tests/supervisor/reference.py: every ticket read and worked out in Python (the code before 0006),
           with the indexes of 0005 (ix_ticket_report_scan dropped)
  no scan  rules/reports.py without ix_ticket_report_scan (what the SQL aggregation alone buys)
  after    rules/reports.py with ix_ticket_report_scan (0006)
Timings are the best of --repeat runs (before: one run for periods over a month), wall clock; the load
average is printed because another process on the machine changes them. It checks that before and after
give the same figures (tests/supervisor/reference.differences), prints them, and prints the plans of the
queries each report runs. Nothing here asserts: it prints.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text
from sqlmodel import select

from bench.report_history import (
    DEFAULT_FILE,
    END_DAY,
    SCAN_INDEX,
    analyze,
    build_postgres,
    build_sqlite,
    create_indexes,
    drop_indexes,
    drop_pg_database,
    read_ids,
)
from commands import migrate
from db import Database
from models import Office, User
from rules import offices, reports, users
from settings import load_settings
from tests.supervisor import reference


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


def plans(db: Database, statements) -> list[list[str]]:
    """The plan of each statement that reads ticket or ticketevent (PostgreSQL: EXPLAIN ANALYZE)."""
    out = []
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for sql, params in statements:
            if "FROM ticket" not in sql and "ticket." not in sql:
                continue
            if db.is_sqlite:
                rows = cur.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
                out.append([r[-1] for r in rows])
            else:
                cur.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
                out.append([r[0] for r in cur.fetchall()])
    finally:
        raw.close()
    return out


def cases(ids: dict) -> list[tuple[str, reports.Period, reports.Filters]]:
    year = reports.Period.between(END_DAY - timedelta(days=364), END_DAY)
    return [
        ("day", reports.Period.day(END_DAY), reports.Filters()),
        ("month", reports.Period.month(END_DAY.year, END_DAY.month), reports.Filters()),
        ("year", year, reports.Filters()),
        ("year, one officer", year, reports.Filters(officer_id=ids["officer_of"][ids["counters"][0]])),
        ("year, one service", year, reports.Filters(service_id=ids["services"]["perpustakaan"])),
    ]


def timed(db: Database, ids: dict, build, period, filters, repeat: int):
    """(best seconds, report, statements of the last run)."""
    best, report, statements = None, None, []
    for _ in range(repeat):
        with db.read() as s:
            office = s.get(Office, ids["office"])
            with Capture(db.engine) as cap:
                t0 = time.perf_counter()
                report = build(s, office, period, filters)
                dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
        statements = cap.statements
    return best, report, statements


def fmt(v, unit="") -> str:
    return "-" if v is None else f"{v:,.2f}{unit}" if isinstance(v, float) else f"{v:,}{unit}"


def figures_line(r: reports.Report) -> str:
    s = r.summary
    w, sv, lim, est = s["waiting"], s["service"], s["limit"], s["estimate"]
    share = "-" if lim["share"] is None else f"{100 * lim['share']:.1f} %"
    return (
        f"tickets {s['tickets']:,}, visitors {s['visitors']:,}, served {s['served']:,}, no-shows {s['no_shows']:,}, "
        f"cancelled {s['cancelled']:,}, transfers {s['transfers']:,}; waiting mean/median/P90 "
        f"{fmt(w['mean'])}/{fmt(w['median'])}/{fmt(w['p90'])} min; service median/P90 "
        f"{fmt(sv['median'])}/{fmt(sv['p90'])} min; within the limit {share} "
        f"({lim['within']:,} of {lim['called']:,}); "
        f"estimate MAE {fmt(est['mean_abs_error'])} min; {len(r.by_counter)} counters, {len(r.by_officer)} officers, "
        f"{len(r.by_time)} {r.time_unit}s, busiest hour "
        f"{max(r.by_hour, key=lambda h: h[1])[0] if r.by_hour else '-'}:00"
    )


def run(db: Database, ids: dict, label: str, repeat: int, show_plans: bool) -> list[dict]:
    print(f"\n==== {label}  (load average {load_average()})")
    rows = []
    drop_indexes(db, (SCAN_INDEX,))
    analyze(db)
    for name, period, filters in cases(ids):
        before, ref, before_sql = timed(
            db, ids, reference.build_report, period, filters, repeat if period.days <= 31 else 1
        )
        no_scan, _r, no_scan_sql = timed(db, ids, reports.build_report, period, filters, repeat)
        rows.append(
            {
                "name": name,
                "period": period,
                "filters": filters,
                "before": before,
                "no_scan": no_scan,
                "ref": ref,
                "plans_before": plans(db, before_sql) if show_plans else [],
                "plans_no_scan": plans(db, no_scan_sql) if show_plans else [],
            }
        )
    t0 = time.perf_counter()
    create_indexes(db, (SCAN_INDEX,))
    print(f"(ix_ticket_report_scan built in {time.perf_counter() - t0:.1f} s)")
    for row in rows:
        after, rep, after_sql = timed(db, ids, reports.build_report, row["period"], row["filters"], repeat)
        row.update(
            after=after,
            report=rep,
            plans_after=plans(db, after_sql) if show_plans else [],
            differences=reference.differences(row["ref"], rep),
        )
    print(
        f"{'report':<20}{'tickets':>10}{'before s':>11}{'no scan s':>11}{'after s':>10}{'speed-up':>10}  same figures"
    )
    for row in rows:
        diffs = row["differences"]
        print(
            f"{row['name']:<20}{row['report'].summary['tickets']:>10,}{row['before']:>11.3f}{row['no_scan']:>11.3f}"
            f"{row['after']:>10.3f}{row['before'] / row['after']:>9.0f}x  "
            f"{'yes' if not diffs else f'NO ({len(diffs)}): ' + '; '.join(diffs[:3])}"
        )
    print("\nfigures (after):")
    for row in rows:
        print(f"  {row['name']}: {figures_line(row['report'])}")
    if show_plans:
        for row in rows:
            if row["name"] not in ("year", "year, one officer"):
                continue
            for key, title in (
                ("plans_before", "before"),
                ("plans_no_scan", "no scan index"),
                ("plans_after", "after"),
            ):
                print(f"\n  plans, {row['name']}, {title}:")
                for plan in row[key]:
                    print("    - " + plan[0])
                    for line in plan[1:]:
                        print("      " + line)
    print(f"(load average {load_average()})")
    return rows


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


# ---- main ---------------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", default=DEFAULT_FILE, help=f"the SQLite file (default {DEFAULT_FILE})")
    ap.add_argument("--reuse", action="store_true", help="use the file as it is if it exists (no generation)")
    ap.add_argument("--tickets", type=int, default=500_000)
    ap.add_argument("--years", type=int, default=4)
    ap.add_argument(
        "--postgres",
        nargs="?",
        const="postgresql+psycopg://postgres@127.0.0.1:5432/loket_bench_reports",
        default="",
        help="also on PostgreSQL: a scratch database of this URL, dropped after",
    )
    ap.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL (the file still feeds it)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-plans", action="store_true")
    ap.add_argument("--pdf", default="", help="also write the last month's report PDF here (for the README)")
    ap.add_argument("--lang", default="id", help="language of that PDF (id or en)")
    args = ap.parse_args()
    print(f"load average {load_average()} on {os.cpu_count()} cores")
    if args.reuse and os.path.exists(args.file):
        print(f"reusing {args.file}")
        db = Database(f"sqlite:///{args.file}")
        migrate(db.url)  # a file made before a newer revision gets it
        ids = read_ids(db)
    else:
        ids = build_sqlite(args.file, args.tickets, args.years)
        db = Database(f"sqlite:///{args.file}")
    if args.pdf:
        write_sample_pdf(db.url, args.pdf, args.lang)
    results = {}
    if not args.no_sqlite:
        results["SQLite"] = run(db, ids, f"SQLite {args.file}", args.repeat, not args.no_plans)
        create_indexes(db, (SCAN_INDEX,))  # leave the file as 0006 has it
    db.dispose()
    if args.postgres:
        url = args.postgres
        with Database(f"sqlite:///{args.file}").read() as s:
            n = s.execute(text("SELECT count(*) FROM ticket")).scalar_one()
            first = s.execute(text("SELECT min(service_date) FROM ticket")).scalar_one()
        years = round((END_DAY - date.fromisoformat(first)).days / 365.25)
        try:
            pg_ids = build_postgres(url, args.file, n, years)
            if pg_ids != ids:
                print("PostgreSQL ids differ from the file's: the figures below are not comparable")
            pg = Database(url)
            results["PostgreSQL"] = run(pg, ids, f"PostgreSQL {url.rsplit('@', 1)[-1]}", args.repeat, not args.no_plans)
            pg.dispose()
        finally:
            drop_pg_database(url)
            print(f"dropped {url.rsplit('/', 1)[-1]}")
    print_summary(results)


def print_summary(results: dict) -> None:
    """Before and after side by side (seconds), and whether every figure agreed."""
    if not results:
        return
    print(f"\n==== summary (load average {load_average()})")
    header = "".join(f"{db + ' before':>20}{db + ' after':>18}" for db in results)
    print(f"{'report':<20}{header}  same figures")
    names = [row["name"] for row in next(iter(results.values()))]
    for i, name in enumerate(names):
        cells = "".join(f"{rows[i]['before']:>20.3f}{rows[i]['after']:>18.3f}" for rows in results.values())
        same = all(not rows[i]["differences"] for rows in results.values())
        print(f"{name:<20}{cells}  {'yes' if same else 'NO'}")


def write_sample_pdf(url: str, path: str, lang: str) -> None:
    """The month report of END_DAY's month as a supervisor downloads it (through the app, over its routes)."""
    from app import create_app

    settings = load_settings(env={"LOKET_ALWAYS_OPEN": "1"})
    app = create_app({"TESTING": True, "DATABASE_URL": url}, settings=settings)
    with app.extensions["loket.db"].write() as s:
        office = offices.get_office(s, settings.office.code)
        if s.exec(select(User).where(User.username == "bench-supervisor")).first() is None:
            users.create_user(
                s,
                office_id=office.id,
                username="bench-supervisor",
                name="Kepala Seksi PST",
                role="supervisor",
                password="bench-supervisor-pw",
                enforce_policy=False,  # a scratch database's account
            )
    client = app.test_client()
    token = client.get("/api/session").get_json()["csrf_token"]
    r = client.post(
        "/api/login",
        json={"username": "bench-supervisor", "password": "bench-supervisor-pw"},
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 200, r.get_json()
    r = client.get(f"/supervisor/reports.pdf?period=month&month={END_DAY:%Y-%m}&lang={lang}")
    assert r.status_code == 200, r.status_code
    Path(path).write_bytes(r.data)
    app.extensions["loket.db"].dispose()
    print(f"sample report: {path} ({len(r.data):,} bytes)")


if __name__ == "__main__":
    main()
