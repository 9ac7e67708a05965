"""What the screens show: the public queue snapshot (no personal data) and the staff view of it."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, select

from clock import day_bounds, iso, utcnow
from models import Counter, GuestBookEntry, Office, Service, Ticket, TicketEvent, TicketStatus, Visitor
from rules import lines, offices, service_limit, tickets
from rules.privacy import mask_name

LAST_CALLS = 6
NEXT_CODES = 5


# Built once, with bind parameters: a snapshot is read after every change of an office (see rules/tickets.py).
_AT_COUNTERS = select(Ticket).where(
    Ticket.office_id == bindparam("office_id"),
    Ticket.service_date == bindparam("day"),
    Ticket.status.in_([TicketStatus.called, TicketStatus.serving]),
)
_LAST_CALLS = (
    select(TicketEvent, Ticket.code)
    .join(Ticket, Ticket.id == TicketEvent.ticket_id)
    .where(
        TicketEvent.office_id == bindparam("office_id"),
        TicketEvent.kind.in_(["called", "recalled"]),
        TicketEvent.at >= bindparam("start"),
        TicketEvent.at < bindparam("end"),
    )
    .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
    .limit(LAST_CALLS)
)


def public_snapshot(
    session: Session, office: Office, *, complaints: dict | None = None, now: datetime | None = None
) -> dict:
    """Everything a wall display needs, with ticket codes only: nothing that identifies a person."""
    now = now or utcnow()
    day = tickets.today(office, now)
    limit = office.service_limit_minutes
    svc_list = offices.services(session, office.id)
    svc_by_id = {s.id: s for s in svc_list}
    counters = offices.counters(session, office.id)
    active = {t.counter_id: t for t in session.exec(_AT_COUNTERS, params={"office_id": office.id, "day": day})}
    services_out = []
    # Every queue's line and head clock in a few queries for the whole office (not a few per queue).
    clocks_of = lines.lines_with_clocks(
        session, office=office, service_ids=[s.id for s in svc_list], day=day, light=True
    )
    for s in svc_list:
        clocked = clocks_of[s.id]
        line = [t for t, _, _ in clocked]
        head = None
        if clocked:
            first, start, _ = clocked[0]
            head = {"code": first.code, **service_limit.limit_clock(start, limit, now)}
        services_out.append(
            {
                "id": s.id,
                "code": s.code,
                "prefix": s.prefix,
                "name": s.name,
                "name_en": s.name_en,
                "waiting": len(line),
                "next": [t.code for t in line[:NEXT_CODES]],
                "head": head,
                "longest_wait_seconds": int((now - min(t.queued_at for t in line)).total_seconds()) if line else 0,
            }
        )
    counters_out = []
    for c in counters:
        t = active.get(c.id)
        counters_out.append(
            {
                "id": c.id,
                "number": c.number,
                "name": c.name,
                "status": c.status,
                "paused": c.status == "paused",
                "ticket": None
                if t is None
                else {
                    "code": t.code,
                    "status": t.status,
                    "called_at": iso(t.called_at),
                    "service": svc_by_id[t.service_id].name if t.service_id in svc_by_id else "",
                    "deadline_at": iso(t.deadline_at),
                    "within_limit": t.called_at <= t.deadline_at if t.deadline_at and t.called_at else None,
                },
            }
        )
    start, end = day_bounds(day, offices.office_tz(office))
    number_of = {c.id: c.number for c in counters}
    calls = session.exec(_LAST_CALLS, params={"office_id": office.id, "start": start, "end": end}).all()
    return {
        "office": {
            "code": office.code,
            "name": office.name,
            "short_name": office.short_name,
            "timezone": office.timezone,
            "service_limit_minutes": limit,
        },
        "server_time": iso(now),
        "day": day.isoformat(),
        "counters": counters_out,
        "services": services_out,
        "last_calls": [
            {
                "event_id": ev.id,
                "code": code,
                "counter": number_of.get(ev.counter_id),
                "at": iso(ev.at),
                "recall": ev.kind == "recalled",
            }
            for ev, code in calls
        ],
        "complaints": complaints or {},
    }


def ticket_public(
    session: Session,
    ticket: Ticket,
    office: Office,
    *,
    estimate_minutes: int | None = None,
    ahead: int | None = None,
    service: Service | None = None,
) -> dict:
    """One ticket as the visitor may see it: code, service, place in line, never anyone else's data.

    `ahead` and `service` may be passed by a caller that already has them (the kiosk counted the people
    ahead for its estimate in the same transaction).
    """
    service = (
        service if service is not None and service.id == ticket.service_id else session.get(Service, ticket.service_id)
    )
    counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
    return {
        "id": ticket.id,
        "code": ticket.code,
        "status": ticket.status,
        "priority": ticket.priority,
        "service": {"id": service.id, "name": service.name, "name_en": service.name_en},
        "issued_at": iso(ticket.issued_at),
        "called_at": iso(ticket.called_at),
        "counter": None if counter is None else {"number": counter.number, "name": counter.name},
        "ahead": lines.people_ahead(session, ticket) if ahead is None else ahead,
        "estimated_wait_minutes": estimate_minutes,
        "service_limit_minutes": office.service_limit_minutes,
        "status_token": ticket.status_token,
    }


def staff_ticket(session: Session, ticket: Ticket, office: Office, now: datetime | None = None) -> dict:
    """A ticket as an officer sees it: the visitor's name and what they came for."""
    now = now or utcnow()
    out = ticket_public(session, ticket, office)
    out.pop("status_token", None)
    visitor = session.get(Visitor, ticket.visitor_id) if ticket.visitor_id else None
    # A returning visitor's record keeps its name; a different one typed on this visit is shown beside it, so the
    # officer notices (someone with another person's e-mail and phone, or a record to correct).
    entry = session.get(GuestBookEntry, ticket.guestbook_id) if ticket.guestbook_id else None
    typed = entry.name if entry is not None and visitor is not None and entry.name not in ("", visitor.name) else ""
    out.update(
        {
            "visitor": None
            if visitor is None
            else {
                "id": visitor.id,
                "name": visitor.name,
                "typed_name": typed,
                "institution": visitor.institution_name,
                "segment": visitor.segment,
                "email": visitor.email,
                "phone": visitor.phone,
            },
            "recall_count": ticket.recall_count,
            "transfer_count": ticket.transfer_count,
            "started_at": iso(ticket.started_at),
            "clock_started_at": iso(ticket.clock_started_at),
            "first_called_at": iso(ticket.first_called_at),
            "deadline_at": iso(ticket.deadline_at),
            "queued_at": iso(ticket.queued_at),
            "priority_reason": ticket.priority_reason,
            "history": [
                {"kind": e.kind, "at": iso(e.at), "detail": json.loads(e.detail) if e.detail else {}}
                for e in tickets.history(session, ticket.id)
            ],
        }
    )
    return out


def waiting_for_staff(
    session: Session, office: Office, service_ids: list[int], now: datetime | None = None
) -> list[dict]:
    """The waiting line of some services as a counter screen lists it (first names only), each ticket with its
    10-minute clock; `head` marks the first in each service's line, the only one whose clock can run."""
    now = now or utcnow()
    day = tickets.today(office, now)
    line = lines.waiting_line(session, office_id=office.id, service_ids=service_ids, day=day)
    clocks = lines.clocks_of(session, office=office, waiting=line, day=day)
    heads = {}
    for t in line:
        heads.setdefault(t.service_id, t.id)
    visitors = (
        {
            v.id: v
            for v in session.exec(select(Visitor).where(Visitor.id.in_([t.visitor_id for t in line if t.visitor_id])))
        }
        if line
        else {}
    )
    back = tickets.back_until(session, line)  # "I'll be back in N minutes" from the visitor's phone
    return [
        {
            "id": t.id,
            "code": t.code,
            "service_id": t.service_id,
            "priority": t.priority,
            "priority_reason": t.priority_reason,
            "queued_at": iso(t.queued_at),
            "waiting_seconds": int((now - t.queued_at).total_seconds()),
            "name": mask_name(visitors[t.visitor_id].name) if t.visitor_id in visitors else "",
            "transferred": t.transfer_count > 0,
            "back_until": iso(back.get(t.id)),
            "back_by": back[t.id].astimezone(offices.office_tz(office)).strftime("%H:%M") if t.id in back else "",
            "head": heads[t.service_id] == t.id,
            **service_limit.limit_clock(clocks[t.id][0], office.service_limit_minutes, now),
        }
        for t in line
    ]


def no_shows_today(session: Session, office: Office, service_ids: list[int], now: datetime | None = None) -> list[dict]:
    """Tickets set aside today that an officer may bring back."""
    day = tickets.today(office, now or utcnow())
    rows = session.exec(
        select(Ticket)
        .where(
            Ticket.office_id == office.id,
            Ticket.service_date == day,
            Ticket.service_id.in_(service_ids),
            Ticket.status == TicketStatus.no_show,
        )
        .order_by(Ticket.ended_at.desc())
    ).all()
    return [{"id": t.id, "code": t.code, "ended_at": iso(t.ended_at)} for t in rows]


def call_message(ticket: Ticket, counter: Counter) -> dict:
    """The payload of a 'call' event: what the display flashes and speaks (no personal data)."""
    return {
        "ticket_id": ticket.id,
        "code": ticket.code,
        "counter": counter.number,
        "counter_name": counter.name,
        "recall": ticket.recall_count > 0,
        "at": iso(ticket.called_at),
    }


def service_json(service: Service) -> dict:
    """A service as the kiosk and the counter list it (both names: the screen shows its language's)."""
    return {
        "id": service.id,
        "code": service.code,
        "prefix": service.prefix,
        "name": service.name,
        "name_en": service.name_en,
        "paid": service.paid,
    }
