"""The fast reports (migration 0006) give the figures of the ticket-by-ticket computation they replaced.

tests/supervisor/reference.py is the old computation: every ticket read with its first 'called' event and
worked out in Python. Here both run on random histories made through the rules (SQLite, and PostgreSQL when
it is running) for days, a month, a long range and every filter, and must agree on every figure; the report
columns each ticket row carries must be what its times and events say, after every kind of step; and the
migration and the refill command must write the same columns for history already stored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

from bench import procs
from commands import migrate
from db import Database
from models import Office, Ticket, TicketEvent
from rules import report_columns, report_guestbook, reports
from rules.reports import Filters, Period
from startup import seed_demo
from tests import factories
from tests.conftest import test_settings as office_settings
from tests.supervisor import reference
from tests.supervisor.history import counters_and_officers, random_history
from tests.supervisor.timeline import DAY, Timeline

US = timedelta(microseconds=1)


def _periods() -> list[Period]:
    return [
        Period.day(DAY),
        Period.day(DAY + timedelta(days=1)),
        Period.day(DAY + timedelta(days=2)),
        Period.day(DAY - timedelta(days=1)),  # nothing that day
        Period.between(DAY, DAY + timedelta(days=1)),
        Period.month(2026, 3),
        Period.between(date(2026, 1, 15), date(2026, 4, 2)),
    ]  # over 62 days: by month


def _filters(db) -> list[Filters]:
    counters, officers = counters_and_officers(db)
    with db.read() as s:
        services = [factories.service(s, code).id for code in ("penjualan", "konsultasi", "perpustakaan")]
    return (
        [Filters()]
        + [Filters(service_id=x) for x in services]
        + [Filters(counter_id=x) for x in counters]
        + [Filters(officer_id=x) for x in officers]
        + [Filters(service_id=services[0], counter_id=counters[1])]
    )


def _compare_everything(db) -> int:
    """Every period and filter: the reports must equal the reference; returns how many were compared."""
    n = 0
    for period in _periods():
        for filters in _filters(db):
            with db.read() as s:
                office = factories.office(s)
                expected = reference.build_report(s, office, period, filters)
                actual = reports.build_report(s, office, period, filters)
            assert reference.differences(expected, actual) == [], (period, filters)
            n += 1
    return n


def _columns_from_times_and_events(db) -> dict[int, tuple]:
    """What each ticket's report columns must hold, worked out from its times and its first call's event."""
    out = {}
    with db.read() as s:
        events = s.exec(
            select(TicketEvent).where(TicketEvent.kind == "called").order_by(TicketEvent.at, TicketEvent.id)
        ).all()
        first_call: dict[int, bool | None] = {}
        for e in events:
            first_call.setdefault(e.ticket_id, reference._verdict(e.detail))
        for t in s.exec(select(Ticket)):
            waiting = None if t.first_called_at is None else (t.first_called_at - t.issued_at) // US
            service = (
                (t.finished_at - t.started_at) // US if t.status == "done" and t.started_at and t.finished_at else None
            )
            out[t.id] = (waiting, service, first_call.get(t.id) if t.first_called_at else None)
    return out


def _stored_columns(db) -> dict[int, tuple]:
    with db.read() as s:
        return {t.id: (t.waiting_us, t.service_us, t.first_call_within) for t in s.exec(select(Ticket))}


def test_random_history_gives_the_reference_figures(db):
    done = random_history(db, days=3, per_day=30, seed=5)
    # the history went through every kind of step
    for action in (
        "issue",
        "call",
        "start",
        "finish",
        "recall",
        "no_show",
        "restore",
        "transfer",
        "cancel",
        "takeover",
    ):
        assert done.get(action, 0) > 0, (action, done)
    assert _stored_columns(db) == _columns_from_times_and_events(db)
    assert _compare_everything(db) == len(_periods()) * len(_filters(db))
    with db.read() as s:
        month = reports.build_report(s, factories.office(s), Period.month(2026, 3))
    assert month.summary["tickets"] == 90 and month.summary["transfers"] > 0 and month.summary["no_shows"] > 0
    assert month.summary["waiting"]["count"] > 0 and month.summary["limit"]["called"] > 0


def test_a_second_random_history(db):
    random_history(db, days=2, per_day=40, seed=11)
    assert _stored_columns(db) == _columns_from_times_and_events(db)
    _compare_everything(db)


@pytest.fixture
def pg_db():
    """The test office on a scratch PostgreSQL database (dropped afterwards)."""
    why = procs.postgres_available()
    if why:
        pytest.skip(why)
    with procs.scratch_postgres("loket_test_reports") as url:
        migrate(url)
        seed_demo(url, office_settings())
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()


@pytest.mark.postgres
def test_random_history_on_postgresql(pg_db):
    random_history(pg_db, days=3, per_day=25, seed=7)
    good = _columns_from_times_and_events(pg_db)
    assert _stored_columns(pg_db) == good
    _compare_everything(pg_db)
    # the refill and the migration work the columns out the same way from PostgreSQL's times and events
    with pg_db.write() as s:
        s.execute(text("UPDATE ticket SET waiting_us = NULL, service_us = NULL, first_call_within = NULL"))
    with pg_db.write() as s:
        assert report_columns.refill_report_columns(s)["waiting_us"] > 0
    assert _stored_columns(pg_db) == good
    _downgrade_and_upgrade(pg_db.url)
    assert _stored_columns(pg_db) == good


# ---- the report columns after each kind of step ------------------------------------------------------------


def _ticket(db, ticket_id: int) -> Ticket:
    with db.read() as s:
        return s.get(Ticket, ticket_id)


def test_columns_keep_the_first_calls_verdict_through_transfer_and_return(db, timeline):
    t = timeline
    t.open(0, 1, "petugas1")
    t.open(0, 2, "petugas2")
    a = t.issue(0)
    b = t.issue(0.5)
    assert t.call(1, 1) == a  # called within the limit
    assert _ticket(db, a).waiting_us == 60_000_000 and _ticket(db, a).first_call_within is True
    t.recall(5, a)
    t.transfer(6, a, "konsultasi")
    assert t.call(30, 1) == a  # called again, 24 minutes after it joined konsultasi
    ticket = _ticket(db, a)
    assert ticket.first_call_within is True and ticket.waiting_us == 60_000_000 and ticket.service_us is None
    t.finish(31, a)  # finished without a start: counts from its call
    assert _ticket(db, a).service_us == 60_000_000
    assert t.call(32, 2) == b  # 31.5 minutes after issue: over the limit
    t.no_show(33, b)
    with db.write() as s:
        from rules import tickets

        tickets.restore(s, ticket_id=b, user_id=None, now=t.at(34))
    assert t.call(35, 2) == b
    t.start(36, b)
    t.finish(40.25, b)
    ticket = _ticket(db, b)
    assert ticket.first_call_within is False and ticket.waiting_us == 1_890_000_000  # 31.5 minutes
    assert ticket.service_us == 255_000_000  # 4.25 minutes
    assert _stored_columns(db) == _columns_from_times_and_events(db)


def test_columns_of_a_visitor_closed_overnight(db):
    day1, day2 = Timeline(db, 0), Timeline(db, 1)
    day1.open(0, 1, "petugas1")
    a = day1.issue(0)
    day1.call(2, 1)
    day1.start(3, a)
    day2.issue(0)
    day2.call(1, 1)  # closes yesterday's visitor at the end of that day
    ticket = _ticket(db, a)
    assert ticket.status == "done" and ticket.service_us == (ticket.finished_at - ticket.started_at) // US
    assert ticket.finished_at == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    assert _stored_columns(db) == _columns_from_times_and_events(db)


# ---- history stored before the columns: the migration and the refill command -------------------------------


def test_refill_finds_and_fixes_missing_or_wrong_columns(db):
    random_history(db, days=1, per_day=25, seed=3)
    good = _stored_columns(db)
    with db.write() as s:
        assert report_columns.refill_report_columns(s, check_only=True) == {
            "waiting_us": 0,
            "service_us": 0,
            "first_call_within": 0,
        }
        s.execute(text("UPDATE ticket SET waiting_us = NULL, first_call_within = NULL WHERE id % 2 = 0"))
        s.execute(text("UPDATE ticket SET service_us = service_us + 1 WHERE service_us IS NOT NULL"))
    with db.write() as s:
        found = report_columns.refill_report_columns(s, check_only=True)
    called_even = sum(1 for tid, (w, _sv, _v) in good.items() if tid % 2 == 0 and w is not None)
    assert found["waiting_us"] == called_even and found["first_call_within"] == called_even
    assert found["service_us"] == sum(1 for _w, sv, _v in good.values() if sv is not None) > 0
    assert _stored_columns(db) != good
    with db.write() as s:
        assert report_columns.refill_report_columns(s) == found
    assert _stored_columns(db) == good
    with db.write() as s:
        assert set(report_columns.refill_report_columns(s, check_only=True).values()) == {0}


def _downgrade_and_upgrade(url: str) -> None:
    """Back to 0005 (the columns and the scan index are gone), then up again (filled from times and events)."""
    from alembic import command
    from alembic.config import Config

    from settings import ROOT

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.downgrade(cfg, "0005_merge")
    db = Database(url)
    try:
        with db.engine.connect() as c:
            names = {col["name"] for col in inspect(c).get_columns("ticket")}
        assert not {"waiting_us", "service_us", "first_call_within"} & names
    finally:
        db.dispose()
    command.upgrade(cfg, "heads")


def test_migration_fills_the_columns_of_stored_history(db, db_url):
    random_history(db, days=2, per_day=25, seed=9)
    good = _stored_columns(db)
    db.dispose()
    _downgrade_and_upgrade(db_url)
    assert _stored_columns(db) == good
    with db.read() as s:
        plan = " ".join(
            r[-1]
            for r in s.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT count(*), sum(waiting_us) FROM ticket WHERE office_id = 1 "
                    "AND service_date BETWEEN '2026-03-01' AND '2026-03-31' GROUP BY service_date, issued_service_id, "
                    "counter_id, officer_id"
                )
            )
        )
    assert "COVERING INDEX ix_ticket_report_scan" in plan and "TEMP B-TREE" not in plan


def test_refill_command(app, db):
    random_history(db, days=1, per_day=10, seed=4)
    with db.write() as s:
        s.execute(text("UPDATE ticket SET waiting_us = NULL"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["supervisor", "reports-refill", "--check"])
    assert result.exit_code == 1 and "waiting_us" in result.output
    result = runner.invoke(args=["supervisor", "reports-refill"])
    assert result.exit_code == 0 and "refilled" in result.output
    result = runner.invoke(args=["supervisor", "reports-refill", "--check"])
    assert result.exit_code == 0 and "all report columns match" in result.output


# ---- arrivals per local hour where the zone changes its offset ---------------------------------------------


def test_offset_spans():
    jakarta = ZoneInfo("Asia/Jakarta")
    start, end = Period.between(date(2025, 1, 1), date(2025, 12, 31)).bounds(jakarta)
    assert report_guestbook.offset_spans(jakarta, start, end) == [(start, end, timedelta(hours=7))]
    amsterdam = ZoneInfo("Europe/Amsterdam")
    start, end = Period.between(date(2025, 1, 1), date(2025, 12, 31)).bounds(amsterdam)
    assert report_guestbook.offset_spans(amsterdam, start, end) == [
        (start, datetime(2025, 3, 30, 1, tzinfo=UTC), timedelta(hours=1)),
        (datetime(2025, 3, 30, 1, tzinfo=UTC), datetime(2025, 10, 26, 1, tzinfo=UTC), timedelta(hours=2)),
        (datetime(2025, 10, 26, 1, tzinfo=UTC), end, timedelta(hours=1)),
    ]


def test_arrivals_by_hour_across_a_clock_change(db):
    with db.write() as s:
        office = factories.office(s)
        office.timezone = "Europe/Amsterdam"
        s.add(office)
    # Sunday 29 March 2026: clocks go from 02:00 CET to 03:00 CEST at 01:00 UTC.
    moments = [
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 21, 59, tzinfo=UTC),
        datetime(2026, 3, 28, 23, 30, tzinfo=UTC),
    ]
    with db.write() as s:
        for at in moments:
            factories.ticket(s, now=at)
    with db.read() as s:
        office = s.exec(select(Office)).one()
        for period in (Period.day(date(2026, 3, 29)), Period.month(2026, 3)):
            actual = reports.build_report(s, office, period)
            expected = reference.build_report(s, office, period)
            assert reference.differences(expected, actual) == [], (expected.by_hour, actual.by_hour)
        assert reports.build_report(s, office, Period.day(date(2026, 3, 29))).by_hour == [
            (0, 1),
            (1, 2),
            (3, 2),
            (23, 1),
        ]
