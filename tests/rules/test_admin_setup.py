"""The set-up rules behind the admin screens: services and counters, hours and special days, staff, the audit,
the settings laid over from the database, and the export read back as a configuration."""

from __future__ import annotations

import json
from datetime import date, time, timedelta

import pytest
from sqlmodel import select

from models import AuditEntry, Office, SpecialDay, StaffSession
from rules import (
    audit,
    calendar_setup,
    catalog,
    config_export,
    office_setup,
    opening,
    sessions,
    special_days,
    staff,
)
from rules.audit import Actor
from rules.errors import RuleError
from tests import conftest, factories
from tests.rules.conftest import DAY, wib

ADMIN = Actor(None, "tester")


def office(s) -> Office:
    return factories.office(s)


def refused(code: str, fn, *args, **kw) -> RuleError:
    with pytest.raises(RuleError) as e:
        fn(*args, **kw)
    assert e.value.code == code
    return e.value


def test_audit_keeps_only_what_changed_and_nothing_when_nothing_did(db, ids):
    with db.write() as s:
        row = audit.record(
            s,
            office_id=ids.office_id,
            actor=ADMIN,
            entity="service",
            action="changed",
            before={"name": "A", "prefix": "K"},
            after={"name": "B", "prefix": "K"},
        )
        assert (json.loads(row.before), json.loads(row.after)) == ({"name": "A"}, {"name": "B"})
        assert audit.record(s, office_id=ids.office_id, actor=ADMIN, entity="service", action="changed",
                            before={"a": 1}, after={"a": 1}) is None  # fmt: skip


def test_prefix_must_be_unique_and_capital_and_a_counter_needs_a_service(db, ids):
    with db.write() as s:
        e = refused("prefix_taken", catalog.create_service, s, office_id=ids.office_id, actor=ADMIN,
                    data={"prefix": "b", "name": "Dobel"})  # fmt: skip
        assert e.fields.keys() == {"prefix"}
        refused("bad_prefix", catalog.create_service, s, office_id=ids.office_id, actor=ADMIN,
                data={"prefix": "1", "name": "Angka"})  # fmt: skip
        refused("no_service", catalog.create_counter, s, office_id=ids.office_id, actor=ADMIN,
                data={"number": 9, "service_ids": []})  # fmt: skip
        refused("bad_printer", catalog.create_counter, s, office_id=ids.office_id, actor=ADMIN,
                data={"number": 9, "service_ids": [ids.service["penjualan"]], "printer": "nope"}, printers={"loket"})  # fmt: skip
        assert s.exec(select(AuditEntry)).first() is None  # nothing refused is recorded


def test_deactivated_service_keeps_its_tickets_and_leaves_the_kiosk_list(db, ids):
    from rules import offices

    with db.write() as s:
        t = factories.ticket(s, "perpustakaan")
        t.status = "done"
        s.add(t)
        s.flush()
        catalog.update_service(s, office_id=ids.office_id, service_id=ids.service["perpustakaan"], actor=ADMIN,
                               data={"active": False}, today=DAY)  # fmt: skip
        assert "perpustakaan" not in [x.code for x in offices.services(s, ids.office_id)]
        assert t.service_id == ids.service["perpustakaan"]
        kinds = [(e.entity, e.action) for e in s.exec(select(AuditEntry))]
    assert kinds == [("service", "deactivated")]


def test_an_officers_open_counter_cannot_be_deactivated(db, ids):
    from rules import counters

    with db.write() as s:
        counters.open_counter(s, counter_id=ids.counter[1], user_id=ids.user["petugas1"])
        refused("counter_in_use", catalog.update_counter, s, office_id=ids.office_id, counter_id=ids.counter[1],
                actor=ADMIN, data={"active": False})  # fmt: skip


def test_hours_are_validated_and_laid_over_the_settings(db, ids):
    settings = conftest.test_settings()
    with db.write() as s:
        o = office(s)
        refused("bad_hours", office_setup.update_hours, s, o, settings, actor=ADMIN, spans={1: ("12:00", "12:00")},
                observe_public_holidays=True, observe_cuti_bersama=True)  # fmt: skip
        refused("bad_time", office_setup.update_hours, s, o, settings, actor=ADMIN, spans={1: ("8", "12:00")},
                observe_public_holidays=True, observe_cuti_bersama=True)  # fmt: skip
        refused("no_open_day", office_setup.update_hours, s, o, settings, actor=ADMIN, spans={},
                observe_public_holidays=True, observe_cuti_bersama=True)  # fmt: skip
        office_setup.update_hours(s, o, settings, actor=ADMIN, spans={1: ("09:00", "11:00"), 6: ("08:00", "10:00")},
                                  observe_public_holidays=False, observe_cuti_bersama=False)  # fmt: skip
        office_setup.lay_over(settings, o)
    assert settings.office.hours == {1: (time(9), time(11)), 6: (time(8), time(10))}
    assert not settings.office.holidays.observe_public_holidays
    assert opening.opening(wib(10), settings.model_copy(update={"app": settings.app.model_copy(update={"always_open": False})})).open  # fmt: skip


def test_a_past_special_day_is_refused_and_a_closure_needs_its_note(db, ids):
    with db.write() as s:
        kw = dict(office_id=ids.office_id, actor=ADMIN, today=DAY)
        refused("day_past", calendar_setup.set_day, s, day=DAY - timedelta(days=1), closed=True, note="x", **kw)
        refused("note_needed", calendar_setup.set_day, s, day=DAY, closed=True, note=" ", **kw)
        refused("bad_hours", calendar_setup.set_day, s, day=DAY, closed=False, opens="12:00", closes="08:00", **kw)
        calendar_setup.set_day(s, day=DAY, closed=True, note="Tutup", note_en="Closed", **kw)
        assert s.exec(select(SpecialDay)).one().note_en == "Closed"


def test_hours_on_a_cuti_bersama_day_open_the_office_and_the_calendar_says_why(db, ids):
    settings = conftest.test_settings(LOKET_ALWAYS_OPEN="0")
    # 2026-03-20 is a public holiday (Idul Fitri) in Indonesia's calendar.
    holiday = date(2026, 3, 20)
    name = opening.holiday_name(holiday, settings)
    assert name
    with db.write() as s:
        days = calendar_setup.next_days(s, settings, ids.office_id, holiday - timedelta(days=1), days=3)
        assert [d["why"] for d in days][1] == "holiday" and not days[1]["open"]
        calendar_setup.set_day(s, office_id=ids.office_id, actor=ADMIN, today=DAY, day=holiday, closed=False,
                               opens="08:00", closes="12:00", note="Buka setengah hari")  # fmt: skip
        special = special_days.on(s, ids.office_id, holiday)
        assert opening.opening(wib(9, day=holiday), settings, special).open
        assert not opening.opening(wib(13, day=holiday), settings, special).open
        days = calendar_setup.next_days(s, settings, ids.office_id, holiday, days=1)
        assert (days[0]["open"], days[0]["why"], days[0]["closes"]) == (True, "shortened", "12:00")
        cal = special_days.office_calendar(s, settings, ids.office_id, holiday, holiday)
        assert cal.is_working_day(holiday)


def test_staff_created_must_change_password_and_deactivation_ends_sessions(db, ids):
    with db.write() as s:
        user, password = staff.create(
            s, office_id=ids.office_id, actor=ADMIN, username="Sari", name="Sari", role="officer"
        )
        assert user.username == "sari" and user.must_change_password and len(password) >= 12
        refused("username_taken", staff.create, s, office_id=ids.office_id, actor=ADMIN, username="sari", name="S",
                role="officer")  # fmt: skip
        refused("bad_role", staff.create, s, office_id=ids.office_id, actor=ADMIN, username="x1", name="X",
                role="boss")  # fmt: skip
        token = sessions.start(s, user)
        staff.update(s, office_id=ids.office_id, user_id=user.id, actor=ADMIN, active=False)
        assert sessions.check(s, token) is None
        assert s.exec(select(StaffSession)).one().end_reason == "deactivated"
        me = Actor(ids.user["admin"], "admin")
        refused(
            "own_account", staff.update, s, office_id=ids.office_id, user_id=ids.user["admin"], actor=me, active=False
        )
        refused(
            "own_role", staff.update, s, office_id=ids.office_id, user_id=ids.user["admin"], actor=me, role="officer"
        )
        _, temporary = staff.reset_password(s, office_id=ids.office_id, user_id=ids.user["petugas1"], actor=me)
        assert temporary
        actions = [e.action for e in s.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["created", "deactivated", "password_reset"]
    with db.read() as s:
        stored = " ".join(e.before + e.after for e in s.exec(select(AuditEntry)))
    assert password not in stored and temporary not in stored  # never a password in the audit


def test_export_reads_back_as_the_same_set_up(db, ids, tmp_path):
    from rules import offices
    from settings import load_settings

    settings = conftest.test_settings()
    with db.write() as s:
        catalog.create_service(
            s, office_id=ids.office_id, actor=ADMIN, data={"prefix": "D", "name": "Data", "code": "data"}
        )
        svc = s.exec(select(factories.Service).where(factories.Service.code == "data")).one()
        catalog.create_counter(s, office_id=ids.office_id, actor=ADMIN, data={"number": 7, "service_ids": [svc.id]})
        text = config_export.export(s, settings, ids.office_id)
    path = tmp_path / "c.toml"
    path.write_text(text)
    loaded = load_settings(path, env={})
    assert [x.code for x in loaded.services][-1] == "data"
    assert [c.services for c in loaded.counters if c.number == 7] == [["data"]]
    assert loaded.office.hours == settings.office.hours
    with db.write() as s:  # importing it again changes nothing that matters
        offices.sync_from_settings(s, loaded)
        assert offices.counter_service_ids(s, ids.counter[1]) == sorted(offices.counter_service_ids(s, ids.counter[1]))
