"""Personal data on a large office's history: the kiosk's look-up under a burst, the first retention purge over
years of history (and that the reports are the same after it), one erasure. Prints figures; asserts nothing
timed.

    .venv/bin/python -m bench.bench_privacy [--tickets 100000] [--years 4] [--reuse]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from datetime import date

from sqlalchemy import func
from sqlmodel import select

from app import create_app
from bench.report_history import build_sqlite
from models import GuestBookEntry, Office, Visitor
from rules import erasure, guestbook, reports
from settings import load_settings

DEFAULT_FILE = "/tmp/loket-bench-privacy.db"


def main() -> None:
    """Build (or reuse) the history, then time each part and print what it found."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--years", type=int, default=4)
    ap.add_argument("--file", default=DEFAULT_FILE)
    ap.add_argument("--reuse", action="store_true", help="keep the file of an earlier run (already purged)")
    args = ap.parse_args()
    if not (args.reuse and os.path.exists(args.file)):
        build_sqlite(args.file, args.tickets, args.years)
    settings = load_settings(env={"LOKET_ALWAYS_OPEN": "1"})
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{args.file}"}, settings=settings)
    db = app.extensions["loket.db"]

    with db.read() as s:
        office = s.exec(select(Office)).one()
        people = s.exec(select(func.count()).select_from(Visitor)).one()
        visits = s.exec(select(func.count()).select_from(GuestBookEntry)).one()
        sample = s.exec(select(Visitor).where(Visitor.erased_at.is_(None)).limit(1)).first()
    print(f"history: {people:,} people, {visits:,} visits")

    # The kiosk's look-up: a burst of 300 from one kiosk (the attack), then the recognition query alone.
    client = app.test_client()
    token = client.get("/api/session").get_json()["csrf_token"]
    t0 = time.perf_counter()
    codes = [
        client.post(
            f"/api/offices/{office.code}/visitors/lookup",
            json={"email": f"guess{i}@example.id", "phone": "081200000000"},
            headers={"X-CSRFToken": token},
        ).status_code
        for i in range(300)
    ]
    dt = time.perf_counter() - t0
    print(f"300 look-ups from one kiosk in {dt:.2f} s: {codes.count(200)} answered, {codes.count(429)} refused (429)")
    with db.read() as s:
        t0 = time.perf_counter()
        for _ in range(1000):
            guestbook.recognise(s, office_id=office.id, email=sample.email, phone=sample.phone)
        dt = time.perf_counter() - t0
    print(f"recognise (e-mail and phone, indexed): {dt:.3f} ms each")

    # The first purge over the whole history, and the reports of the last whole year before and after.
    period = reports.Period.between(date(2025, 1, 1), date(2025, 12, 31))
    with db.read() as s:
        before = dataclasses.asdict(reports.build_report(s, office, period))
    from privacy.commands import run_purge

    t0 = time.perf_counter()
    summary = run_purge(app)
    dt = time.perf_counter() - t0
    counts = ", ".join(f"{k} {v:,}" for k, v in sorted(summary.counts.items()))
    print(f"purge (the first one builds up years of history) in {dt:.1f} s: {counts}; {len(summary.waiting)} waiting")
    with db.read() as s:
        after = dataclasses.asdict(reports.build_report(s, office, period))
    print(f"report of 2025 after the purge: {'the same' if after == before else 'DIFFERENT'}")

    # One erasure of the busiest person still on record.
    with db.read() as s:
        vid, n = s.exec(
            select(GuestBookEntry.visitor_id, func.count())
            .join(Visitor, Visitor.id == GuestBookEntry.visitor_id)
            .where(Visitor.erased_at.is_(None))
            .group_by(GuestBookEntry.visitor_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
    from printer.files import places

    t0 = time.perf_counter()
    with db.write() as s:
        done = erasure.erase(
            s, visitor_id=vid, office_id=office.id, user_id=None, reason="bench erasure", places=places(app)
        )
    db.forget_freed()
    dt = time.perf_counter() - t0
    print(f"erasure of a person with {n} visits in {dt * 1000:.0f} ms ({sum(done.rows.values())} rows)")
    with db.read() as s:
        again = dataclasses.asdict(reports.build_report(s, office, period))
    print(f"report of 2025 after the erasure: {'the same' if again == before else 'DIFFERENT'}")
    db.dispose()


if __name__ == "__main__":
    main()
