"""Ticket numbers: B-001, B-002 per service, a fresh sequence each business day at local (WIB) midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from models import DailySequence, Ticket
from rules import numbering, tickets
from tests.rules.conftest import DAY, wib


def issue(db, ids, code="penjualan", now=None, **kw) -> Ticket:
    with db.write() as s:
        return tickets.issue_ticket(s, office=ids.office(s), service=ids.svc(s, code), now=now or wib(9), **kw)


def test_format_code_pads_to_three_digits():
    assert numbering.format_code("B", 7) == "B-007"
    assert numbering.format_code("K", 123) == "K-123"
    assert numbering.format_code("B", 1000) == "B-1000"


def test_numbers_count_up_per_service_and_each_service_has_its_own_sequence(db, ids):
    b = [issue(db, ids, "penjualan", wib(9, i)) for i in range(3)]
    k = [issue(db, ids, "konsultasi", wib(9, 10 + i)) for i in range(2)]
    b.append(issue(db, ids, "penjualan", wib(9, 20)))
    assert [t.code for t in b] == ["B-001", "B-002", "B-003", "B-004"]
    assert [t.code for t in k] == ["K-001", "K-002"]
    assert {t.service_date for t in b + k} == {DAY}
    with db.read() as s:
        seq = {r.service_id: r.last_number for r in s.exec(select(DailySequence))}
    assert seq == {ids.service["penjualan"]: 4, ids.service["konsultasi"]: 2}


def test_the_day_turns_at_local_midnight_not_utc_midnight(db, ids):
    # 16:59:59 UTC is 23:59:59 in Palembang (WIB, UTC+7); 17:00:00 UTC is the next local day.
    last_of_day = datetime(2026, 3, 2, 16, 59, 59, tzinfo=UTC)
    first_of_next = datetime(2026, 3, 2, 17, 0, 0, tzinfo=UTC)
    a = issue(db, ids, now=datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # 08:00 WIB
    b = issue(db, ids, now=last_of_day)
    c = issue(db, ids, now=first_of_next)
    # UTC midnight (07:00 WIB) is in the middle of the local day: no restart there.
    d = issue(db, ids, now=datetime(2026, 3, 2, 23, 59, 59, tzinfo=UTC))
    e = issue(db, ids, now=datetime(2026, 3, 3, 0, 0, 0, tzinfo=UTC))
    assert (a.code, a.service_date) == ("B-001", date(2026, 3, 2))
    assert (b.code, b.service_date) == ("B-002", date(2026, 3, 2))
    assert (c.code, c.service_date) == ("B-001", date(2026, 3, 3))
    assert (d.code, d.service_date) == ("B-002", date(2026, 3, 3))
    assert (e.code, e.service_date) == ("B-003", date(2026, 3, 3))


def test_history_is_kept_and_a_number_is_unique_within_its_day_only(db, ids):
    first = issue(db, ids, now=wib(9, day=date(2026, 3, 2)))
    second = issue(db, ids, now=wib(9, day=date(2026, 3, 3)))
    assert first.code == second.code == "B-001"
    with db.read() as s:
        kept = s.exec(select(Ticket).order_by(Ticket.service_date)).all()
        days = s.exec(select(DailySequence.service_date).order_by(DailySequence.service_date)).all()
    assert [(t.id, t.service_date) for t in kept] == [(first.id, date(2026, 3, 2)), (second.id, date(2026, 3, 3))]
    assert days == [date(2026, 3, 2), date(2026, 3, 3)]
    # The database itself refuses a second B-001 on the same day.
    with pytest.raises(IntegrityError):
        with db.write() as s:
            s.add(
                Ticket(
                    office_id=ids.office_id,
                    service_id=ids.service["penjualan"],
                    issued_service_id=ids.service["penjualan"],
                    service_date=date(2026, 3, 2),
                    number=1,
                    code="B-001",
                    issued_at=wib(10),
                    queued_at=wib(10),
                )
            )
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(Ticket)).one() == 2


def test_a_failed_issue_does_not_use_up_a_number(db, ids):
    issue(db, ids)
    # Something later in the same transaction fails (e.g. the print job): the number goes back.
    with pytest.raises(RuntimeError):
        with db.write() as s:
            tickets.issue_ticket(s, office=ids.office(s), service=ids.svc(s, "penjualan"), now=wib(9, 5))
            raise RuntimeError("print job could not be queued")
    assert issue(db, ids).code == "B-002"


def test_priority_ticket_takes_the_next_number_of_its_service(db, ids):
    a = issue(db, ids, now=wib(9))
    p = issue(db, ids, now=wib(9, 1), priority_reason="elderly")
    assert (p.code, p.priority, p.priority_reason) == ("B-002", True, "elderly")
    assert a.code == "B-001"
