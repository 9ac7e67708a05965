"""The retention job on a hand-set clock: each period of [privacy] takes what it should and nothing else, the daily
run happens once a day in one process, and the reports and PNBP sums of the periods purged stay the same."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from sqlmodel import select

import clock
from models import AccessLog, GuestBookEntry, PrintJob, PrivacyAction, ProductRequest, ScheduledRun, Ticket, Visitor
from privacy.commands import run_purge
from privacy.scheduler import DailyPurge
from rules import access_log
from tests.privacy.test_erasure import files_holding, tables_holding
from tests.request_fixtures import T0

T1 = T0 + timedelta(days=300)  # 10 November 2026


def at(moment: datetime) -> None:
    """Set the one clock of the system to a moment."""
    clock.set_offset(moment - datetime.now(UTC))


def person_at(app, make_person, moment: datetime, **who):
    at(moment)
    p = make_person(at=moment, **who)
    for f in _slips(app).get(p.visitor_id, []):
        os.utime(f, (moment.timestamp(), moment.timestamp()))
    return p


def _slips(app) -> dict[int, list]:
    """Slip files per person (by their print jobs)."""
    from printer.files import places
    from rules.personal_registry import ids_of, slip_files

    db = app.extensions["loket.db"]
    out = {}
    with db.read() as s:
        for v in s.exec(select(Visitor)).all():
            out[v.id] = slip_files(s, ids_of(s, v.id), places(app))
    return out


def month_figures(app, supervisor, month: str):
    csv = supervisor.get(f"/supervisor/reports.csv?period=month&month={month}&lang=en")
    assert csv.status_code == 200
    return csv.data


def test_each_period_takes_what_it_should_and_the_reports_stay(app, db, instance, supervisor, make_person):
    old = person_at(app, make_person, T0, name="Yohana Situmorang", email="yohana.s@contoh.id", phone="081377770001")
    new = person_at(
        app, make_person, T1, name="Dimas Prasetyo", email="dimas.p@contoh.id", phone="081377770002", counter_number=2
    )
    with db.write() as s:
        for who, moment in ((old, T0), (new, T1)):
            access_log.record(s, office_id=1, user_id=1, kind="person", visitor_ids=[who.visitor_id], now=moment)
        tokens = {p.visitor_id: s.get(ProductRequest, p.request_id).visitor_token for p in (old, new)}
    fresh = instance / "prints" / "kiosk" / "999999-test_page.escpos"
    fresh.write_bytes(b"test page")
    reports_before = {m: month_figures(app, supervisor, m) for m in ("2026-01", "2026-11")}
    slips_before = _slips(app)
    assert all(len(v) == 3 for v in slips_before.values())
    for p in (old, new):
        assert supervisor.get(f"/api/visitor/requests/{tokens[p.visitor_id]}").status_code == 200

    # ---- ten days after the newer visit -------------------------------------------------------------
    p1 = T1 + timedelta(days=10)
    at(p1)
    os.utime(fresh, ((p1 - timedelta(days=1)).timestamp(),) * 2)
    dry = app.test_cli_runner().invoke(args=["purge-personal-data", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "print payloads: 3 would be purged" in dry.output and "visitor links: 2 would be purged" in dry.output
    assert all(f.exists() for fs in slips_before.values() for f in fs)  # a dry run changes nothing
    with db.read() as s:
        assert all(j.payload != "{}" for j in s.exec(select(PrintJob)))

    done = app.test_cli_runner().invoke(args=["purge-personal-data"])
    assert done.exit_code == 0, done.output
    with db.read() as s:
        payloads = {j.id: j.payload for j in s.exec(select(PrintJob))}
        visits = {e.visitor_id: e for e in s.exec(select(GuestBookEntry))}
        tickets = {t.visitor_id: t for t in s.exec(select(Ticket))}
    # Print payloads older than 30 days: the older person's three; the newer one's (10 days) stay.
    assert sorted(p == "{}" for p in payloads.values()) == [False] * 3 + [True] * 3
    # Slip files older than 7 days went (both persons'); a file written yesterday stays.
    assert not any(f.exists() for fs in slips_before.values() for f in fs) and fresh.exists()
    # Visits younger than 365 days keep what was typed.
    assert visits[old.visitor_id].name == old.name and visits[new.visitor_id].name == new.name
    # Visitor links of things closed more than 30 days ago are dead; the newer ones still work.
    assert tickets[old.visitor_id].status_token.startswith("~") and not tickets[new.visitor_id].status_token[0] == "~"
    assert supervisor.get(f"/api/visitor/requests/{tokens[old.visitor_id]}").status_code == 404
    assert supervisor.get(f"/api/visitor/requests/{tokens[new.visitor_id]}").status_code == 200

    # ---- 800 days after the older visit ---------------------------------------------------------------
    p2 = T0 + timedelta(days=800)
    at(p2)
    summary = run_purge(app)
    assert summary.counts["visits"] == 2 and summary.counts["people"] == 1
    assert summary.counts["access_log_rows"] == 1
    with db.read() as s:
        visits = {e.visitor_id: e for e in s.exec(select(GuestBookEntry))}
        people = {v.id: v for v in s.exec(select(Visitor))}
        logged = [a.visitor_id for a in s.exec(select(AccessLog))]
        actions = s.exec(select(PrivacyAction).where(PrivacyAction.visitor_id == old.visitor_id)).all()
    # Both visits are older than 365 days: what they typed went, the coarse answers the reports count stayed.
    for v in visits.values():
        assert (v.name, v.email, v.phone, v.institution_name, v.birth_year) == ("", "", "", "", None)
        assert v.education and v.occupation and v.institution_category and v.purpose
    # The older person (800 days without a visit, request or payment) is anonymised; the newer (500) is not.
    assert people[old.visitor_id].erased_at is not None and people[old.visitor_id].name == ""
    assert people[new.visitor_id].erased_at is None and people[new.visitor_id].name == new.name
    assert [a.kind for a in actions] == ["retention"] and actions[0].user_id is None
    assert json.loads(actions[0].detail)["rows"]["invoice"] == 1
    # Access-log rows older than 730 days went.
    assert logged == [new.visitor_id]
    assert tables_holding(db, old) == {} and files_holding(instance, old) == {}

    # Every figure of both months' reports (and their PNBP) is what it was before either purge. (800 days on, the
    # supervisor signs in again: no staff session outlives 31 days.)
    supervisor.login("pengawas")
    assert {m: month_figures(app, supervisor, m) for m in reports_before} == reports_before


def test_the_daily_run_happens_once_a_day_in_one_process(app, db):
    first, second = DailyPurge(app), DailyPurge(app)  # two server processes
    before_hour = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)  # 01:30 in Palembang (purge_hour = 2)
    assert first.run_once(before_hour) is None
    two_am = before_hour + timedelta(hours=1)
    assert first.run_once(two_am) is not None  # due, and claimed by the first
    assert second.run_once(two_am + timedelta(minutes=5)) is None  # the same office day: already claimed
    assert first.run_once(two_am + timedelta(hours=6)) is None
    with db.read() as s:
        run = s.get(ScheduledRun, "purge-personal-data")
        assert run.day.isoformat() == "2026-03-03" and run.holder == first.holder and run.finished_at is not None
        assert set(json.loads(run.summary)) >= {"visits", "people", "print_payloads", "slip_files"}
    assert second.run_once(two_am + timedelta(days=1)) is not None  # the next day, whoever looks first
    with db.read() as s:
        assert s.get(ScheduledRun, "purge-personal-data").holder == second.holder
