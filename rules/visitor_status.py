"""What a visitor's own phone may know about their ticket, found by the unguessable link on the slip.

Only the visitor's own ticket: its number, service, place in line, estimated wait, the 10-minute promise
and the counter once called. Never another visitor's code or name. The link works while the ticket (or
the paid-product request it led to) is open, and for `keep_hours` after it closed; after that, and for a
token nobody was given, the answer is the same "not found".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, select

from clock import day_bounds, iso, utcnow
from models import DEAD, Counter, Office, Service, Ticket, TicketStatus
from rules import lines, offices, service_limit, tickets
from rules.estimate import estimated_wait_minutes, expected_wait, speeds_of, whole_minutes

OPEN_STATUSES = (TicketStatus.waiting, TicketStatus.called, TicketStatus.serving)
# Tickets that ended this recently still get their final state pushed (the phone shows "done"/"cancelled").
RECENTLY_ENDED = timedelta(minutes=15)
MAX_TOKEN_LENGTH = 64


# ---- the link's life ---------------------------------------------------------------------------------


def ticket_closed_at(ticket: Ticket, office: Office, now: datetime) -> datetime | None:
    """When the ticket stopped being live, or None while it still is.

    A ticket ends when it is finished, set aside or cancelled. A number still waiting (or called) after its
    business day is over was never going to be served: it counts as closed at the end of that day.
    """
    if ticket.status in OPEN_STATUSES:
        day_end = day_bounds(ticket.service_date, offices.office_tz(office))[1]
        return None if now < day_end else day_end
    return ticket.ended_at or ticket.finished_at or ticket.issued_at


def request_of(session: Session, ticket: Ticket):
    """The paid-product request opened from this ticket (the latest, if several), or None.

    The requests part is built separately; it is looked up lazily so this page works without it.
    """
    try:
        from models import ProductRequest
    except ImportError:
        return None
    return session.exec(
        select(ProductRequest).where(ProductRequest.ticket_id == ticket.id).order_by(ProductRequest.id.desc()).limit(1)
    ).first()


def request_open_until(session: Session, ticket: Ticket) -> tuple[bool, datetime | None] | None:
    """The request the ticket led to: (still open, closed at), or None when there is none.

    A request outlives the queue ticket (the visitor may pay later), and so does the link: it stays alive
    until the request is closed or cancelled (a correction re-opens it).
    """
    req = request_of(session, ticket)
    if req is None:
        return None
    if req.state not in ("closed", "cancelled"):
        return (True, None)
    return (False, req.closed_at or req.cancelled_at or req.updated_at)


def link_expires_at(
    session: Session, ticket: Ticket, office: Office, *, keep_hours: float, now: datetime
) -> datetime | None:
    """When the status link stops working (None: not while the ticket or its request is open)."""
    closed = ticket_closed_at(ticket, office, now)
    if closed is None:
        return None
    req = request_open_until(session, ticket)
    if req is not None:
        still_open, req_closed = req
        if still_open:
            return None
        closed = max(closed, req_closed)
    return closed + timedelta(hours=keep_hours)


_BY_TOKEN = select(Ticket).where(Ticket.status_token == bindparam("token"))


def live_ticket(session: Session, token: str, *, keep_hours: float, now: datetime | None = None) -> Ticket | None:
    """The ticket a status link points to, or None if the link is unknown or has expired (both look alike)."""
    if not token or len(token) > MAX_TOKEN_LENGTH or token.startswith(DEAD):
        return None
    ticket = session.exec(_BY_TOKEN, params={"token": token}).first()
    if ticket is None:
        return None
    now = now or utcnow()
    office = session.get(Office, ticket.office_id)
    expires = link_expires_at(session, ticket, office, keep_hours=keep_hours, now=now)
    if expires is not None and now >= expires:
        return None
    return ticket


# ---- what the phone shows ----------------------------------------------------------------------------


def _view(
    ticket: Ticket,
    service: Service,
    counter: Counter | None,
    *,
    ahead: int | None,
    wait: int | None,
    deadline: datetime | None,
    back_until: datetime | None,
    limit: int,
    now: datetime,
) -> dict:
    """One ticket as its own visitor sees it. No ids, no names: the page has the first name already."""
    waiting = ticket.status == TicketStatus.waiting
    at_counter = ticket.status in (TicketStatus.called, TicketStatus.serving)
    return {
        "code": ticket.code,
        "status": ticket.status,
        "priority": ticket.priority,
        "service": {"name": service.name, "name_en": service.name_en},
        "ahead": ahead if waiting else None,
        "estimated_wait_minutes": wait if waiting else None,
        "service_limit_minutes": limit,
        "deadline_at": iso(deadline) if waiting else None,
        "counter": {"number": counter.number, "name": counter.name} if at_counter and counter else None,
        "called_at": iso(ticket.called_at) if at_counter else None,
        "recall": ticket.recall_count if at_counter else 0,
        "back_in_minutes": ticket.back_in_minutes if waiting else None,
        "back_until": iso(back_until) if waiting and back_until else None,
        "can_cancel": waiting,
        "can_step_out": waiting,
        "server_time": iso(now),
    }


def _head_deadline(session: Session, ticket: Ticket, limit: int) -> datetime | None:
    """For the ticket at the head of its line: the latest moment it should be called (None: clock not running)."""
    ahead = lines.ahead_of_line(
        session, office_id=ticket.office_id, service_id=ticket.service_id, day=ticket.service_date
    )
    return service_limit.deadline(service_limit.clock_start(ticket.queued_at, ahead), limit)


def visitor_view(
    session: Session, ticket: Ticket, *, default_service_minutes: float, now: datetime | None = None
) -> dict:
    """The state of one ticket for its visitor's phone (page load and the polling fallback)."""
    now = now or utcnow()
    office = session.get(Office, ticket.office_id)
    service = session.get(Service, ticket.service_id)
    counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
    ahead = wait = deadline = None
    if ticket.status == TicketStatus.waiting and ticket.service_date == tickets.today(office, now):
        ahead = lines.people_ahead(session, ticket)
        wait = estimated_wait_minutes(
            session,
            office_id=office.id,
            service_id=ticket.service_id,
            ahead=ahead,
            default_minutes=default_service_minutes,
            now=now,
        )
        if ahead == 0:
            deadline = _head_deadline(session, ticket, office.service_limit_minutes)
    back = tickets.back_until(session, [ticket]).get(ticket.id)
    out = _view(
        ticket,
        service,
        counter,
        ahead=ahead,
        wait=wait,
        deadline=deadline,
        back_until=back,
        limit=office.service_limit_minutes,
        now=now,
    )
    if ticket.status in OPEN_STATUSES and ticket_closed_at(ticket, office, now) is not None:
        # Its business day is over without it being served: say so rather than show a stale place in line.
        out.update(
            status="day_over",
            ahead=None,
            estimated_wait_minutes=None,
            deadline_at=None,
            counter=None,
            can_cancel=False,
            can_step_out=False,
        )
    return out


# Read after every change at an office that has phones connected: built once (see rules/tickets.py).
_LIVE_TODAY = (
    Ticket.office_id == bindparam("office_id"),
    Ticket.service_date == bindparam("day"),
    Ticket.status.in_(OPEN_STATUSES) | (Ticket.ended_at >= bindparam("ended_since")),
)
_LIVE = select(Ticket).where(*_LIVE_TODAY).order_by(*lines.line_order())
_LIVE_OF_TOKENS = select(Ticket).where(*_LIVE_TODAY, Ticket.status_token.in_(bindparam("tokens", expanding=True)))
_WAITING_PLACES = (
    select(Ticket.id, Ticket.service_id, Ticket.queued_at)
    .where(
        Ticket.office_id == bindparam("office_id"),
        Ticket.service_date == bindparam("day"),
        Ticket.status == TicketStatus.waiting,
    )
    .order_by(*lines.line_order())
)
_ALL_SERVICES = select(Service).where(Service.office_id == bindparam("office_id"))
_ALL_COUNTERS = select(Counter).where(Counter.office_id == bindparam("office_id"))


def office_views(
    session: Session,
    office: Office,
    *,
    default_service_minutes: float,
    now: datetime | None = None,
    tokens: set[str] | None = None,
) -> dict[str, dict]:
    """The state of every ticket whose phone may need an update after a change at the office, by token.

    Cheap enough to run after every change: one query for today's live (and just-ended) tickets, and a few
    for all the services together (typical service time, counter loads, the clocks of the heads), instead
    of per-ticket counting. Positions come from the line order itself, which is the order people_ahead()
    counts in (tests hold the two equal). `tokens`: only these tickets' states (the phones connected now).
    """
    now = now or utcnow()
    day = tickets.today(office, now)
    limit = office.service_limit_minutes
    live = {"office_id": office.id, "day": day, "ended_since": now - RECENTLY_ENDED}
    if tokens is None:
        rows = list(session.exec(_LIVE, params=live))
        wanted, waiting = rows, [t for t in rows if t.status == TicketStatus.waiting]
    else:
        # Whole tickets only for the phones asked about; the lines (for their places) as a few columns.
        wanted = list(session.exec(_LIVE_OF_TOKENS, params={**live, "tokens": list(tokens)}))
        if not wanted:
            return {}
        waiting = list(session.exec(_WAITING_PLACES, params={"office_id": office.id, "day": day}))
    if not wanted:
        return {}
    services = {s.id: s for s in session.exec(_ALL_SERVICES, params={"office_id": office.id})}
    counters = {c.id: c for c in session.exec(_ALL_COUNTERS, params={"office_id": office.id})}
    position: dict[int, int] = {}
    per_service: dict[int, list] = {}
    for t in waiting:  # already in line order
        line = per_service.setdefault(t.service_id, [])
        position[t.id] = len(line)
        line.append(t)
    needed = sorted({t.service_id for t in wanted if t.id in position})
    speed = speeds_of(
        session,
        office_id=office.id,
        service_ids=needed,
        default_minutes=default_service_minutes,
        now=now,
        waiting={sid: len(line) for sid, line in per_service.items()},
    )
    heads = {sid: per_service[sid][0] for sid in needed}
    aheads = lines.aheads_of_lines(session, office=office, service_ids=needed, day=day)
    back = tickets.back_until(session, wanted)
    out = {}
    for t in wanted:
        ahead = position.get(t.id)
        wait = deadline = None
        if ahead is not None:
            per_visitor, loads = speed[t.service_id]
            # rules.estimate's own model, with its inputs read once per service instead of once per ticket.
            wait = whole_minutes(expected_wait(ahead, per_visitor, loads))
            if ahead == 0:  # as _head_deadline(), with the queues' aheads read together
                head = heads[t.service_id]
                deadline = service_limit.deadline(
                    service_limit.clock_start(head.queued_at, aheads[t.service_id]), limit
                )
        out[t.status_token] = _view(
            t,
            services[t.service_id],
            counters.get(t.counter_id),
            ahead=ahead,
            wait=wait,
            deadline=deadline,
            back_until=back.get(t.id),
            limit=limit,
            now=now,
        )
    return out
