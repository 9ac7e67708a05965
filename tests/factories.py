"""Factories for test objects: guest-book forms, tickets, users."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlmodel import func, select

from models import DailySequence, GuestBookEntry, Office, PrintJob, Service, Ticket, Visitor
from rules import guestbook, tickets

_seq = itertools.count(1)
TICKETS_URL = "/api/offices/1600/tickets"
NOTHING = {"Ticket": 0, "Visitor": 0, "GuestBookEntry": 0, "DailySequence": 0, "PrintJob": 0}


def written(db) -> dict[str, int]:
    """How many rows the kiosk can write exist: all zero (NOTHING) means nothing was issued."""
    with db.read() as s:
        return {
            m.__name__: s.exec(select(func.count()).select_from(m)).one()
            for m in (Ticket, Visitor, GuestBookEntry, DailySequence, PrintJob)
        }


def guest_form(service_id: int, **overrides) -> dict:
    """A valid guest-book submission (as JSON would carry it)."""
    n = next(_seq)
    data = dict(
        name=f"Pengunjung {n} Contoh",
        email=f"visitor{n}@example.id",
        phone=f"08123{n:07d}",
        gender="P",
        birth_year=1990,
        education="d4_s1",
        occupation="researcher",
        institution_category="domestic_education",
        institution_name="Universitas Sriwijaya",
        purpose="research",
        service_id=service_id,
        consent=True,
    )
    data.update(overrides)
    return data


def office(session, code: str = "1600") -> Office:
    return session.exec(select(Office).where(Office.code == code)).one()


def service(session, code: str = "penjualan", office_code: str = "1600") -> Service:
    o = office(session, office_code)
    return session.exec(select(Service).where(Service.office_id == o.id, Service.code == code)).one()


def ticket(
    session,
    service_code: str = "penjualan",
    *,
    now: datetime | None = None,
    priority_reason: str = "",
    with_visitor: bool = False,
    office_code: str = "1600",
):
    """Issue a ticket directly through the rules (no guest book unless asked)."""
    o = office(session, office_code)
    svc = service(session, service_code, office_code)
    if with_visitor:
        form = guestbook.GuestBookForm.model_validate(guest_form(svc.id, priority_reason=priority_reason))
        return guestbook.sign_and_take_ticket(session, office=o, form=form, now=now)
    return tickets.issue_ticket(session, office=o, service=svc, priority_reason=priority_reason, now=now)
