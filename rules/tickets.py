"""The queue: issuing tickets and moving them through call, recall, no-show, service and transfer (the lines
themselves, who is ahead and the clocks, are in rules/lines.py).

Every change is one function here, runs inside the caller's write transaction, and records a
TicketEvent (who, when, what). Screens and commands call these; they never change a ticket themselves.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import bindparam, func
from sqlmodel import Session, select

from clock import business_day, day_bounds, utcnow
from models import Counter, CounterStatus, Office, Service, Ticket, TicketEvent, TicketStatus
from rules import lines, offices, service_limit
from rules.errors import N_, NotFound, RuleError
from rules.numbering import format_code, next_number

PRIORITY_REASONS = ("disability", "elderly", "pregnant", "infant")


def record(
    session: Session,
    ticket: Ticket,
    kind: str,
    *,
    at: datetime,
    user_id: int | None = None,
    counter_id: int | None = None,
    service_id: int | None = None,
    **detail,
) -> TicketEvent:
    """Append one step to a ticket's history."""
    ev = TicketEvent(
        office_id=ticket.office_id,
        ticket_id=ticket.id,
        kind=kind,
        at=at,
        user_id=user_id,
        counter_id=counter_id,
        service_id=service_id or ticket.service_id,
        detail=json.dumps(detail, sort_keys=True) if detail else "",
    )
    session.add(ev)
    return ev


def today(office: Office, now: datetime | None = None) -> date:
    return business_day(now or utcnow(), offices.office_tz(office))


# ---- issuing -------------------------------------------------------------------------------------


def issue_ticket(
    session: Session,
    *,
    office: Office,
    service: Service,
    visitor_id: int | None = None,
    guestbook_id: int | None = None,
    priority_reason: str = "",
    now: datetime | None = None,
    user_id: int | None = None,
) -> Ticket:
    """Issue the next number of the day for a service, atomically with its history row."""
    if service.office_id != office.id or not service.active:
        raise NotFound("service_not_found", N_("This service does not exist at this office."))
    if priority_reason and priority_reason not in PRIORITY_REASONS:
        raise RuleError("bad_priority", N_("Unknown priority reason %(reason)s."), status=400, reason=priority_reason)
    now = now or utcnow()
    day = today(office, now)
    number = next_number(session, office_id=office.id, service_id=service.id, service_date=day)
    ticket = Ticket(
        office_id=office.id,
        service_id=service.id,
        issued_service_id=service.id,
        service_date=day,
        number=number,
        code=format_code(service.prefix, number),
        visitor_id=visitor_id,
        guestbook_id=guestbook_id,
        priority=bool(priority_reason),
        priority_reason=priority_reason,
        issued_at=now,
        queued_at=now,
    )
    session.add(ticket)
    session.flush()
    record(session, ticket, "issued", at=now, user_id=user_id, priority=priority_reason or None)
    return ticket


# ---- the counter's actions -----------------------------------------------------------------------


def current_ticket(session: Session, counter_id: int) -> Ticket | None:
    """The ticket a counter has called or is serving, if any."""
    return session.exec(_CURRENT, params={"counter_id": counter_id}).first()


_CURRENT = (
    select(Ticket)
    .where(Ticket.counter_id == bindparam("counter_id"), Ticket.status.in_([TicketStatus.called, TicketStatus.serving]))
    .order_by(Ticket.called_at.desc())
    .limit(1)
)


def _lock_counter(session: Session, counter_id: int, office_id: int | None, locked: Counter | None = None) -> Counter:
    if locked is not None and locked.id == counter_id:
        return locked  # the caller read it under this transaction's row lock already (counters.held_counter)
    return offices.lock_counter(session, counter_id, office_id)


def _require_open(counter: Counter) -> None:
    if counter.status == CounterStatus.paused:
        raise RuleError("counter_paused", N_("Counter %(counter)s is paused; resume it first."), counter=counter.number)
    if counter.status != CounterStatus.open:
        raise RuleError("counter_closed", N_("Counter %(counter)s is not open."), counter=counter.number)


def call_next(
    session: Session,
    *,
    counter_id: int,
    user_id: int | None,
    office_id: int | None = None,
    now: datetime | None = None,
    locked_counter: Counter | None = None,
) -> Ticket | None:
    """Call the next ticket for a counter: priority first, then arrival. Returns None when no one waits.

    A counter has at most one visitor at a time: if its visitor is being served, that service is finished
    first; if its visitor was called but not yet served, the call is refused (recall, start or no-show),
    so a double click or a second tab can never skip a ticket. `locked_counter`: the counter, if the caller
    has already read it FOR UPDATE in this transaction.
    """
    now = now or utcnow()
    counter = _lock_counter(session, counter_id, office_id, locked_counter)
    _require_open(counter)
    current = current_ticket(session, counter.id)
    office = session.get(Office, counter.office_id)
    if current is not None and current.service_date < today(office, now):
        _close_left_overnight(session, current, office, user_id=user_id)
        current = None
    if current is not None:
        if current.status == TicketStatus.called:
            raise RuleError(
                "already_called",
                N_("%(code)s has been called to this counter; start serving, recall or mark as no-show first."),
                code=current.code,
            )
        finish(session, ticket_id=current.id, counter_id=counter.id, user_id=user_id, now=now)
    day = today(office, now)
    service_ids = offices.counter_service_ids(session, counter.id)
    if not service_ids:
        return None
    ticket = session.exec(
        _NEXT_FOR_UPDATE, params={"office_id": counter.office_id, "service_ids": service_ids, "day": day}
    ).first()
    if ticket is None:
        return None
    ahead = lines.ahead_of_line(
        session, office_id=ticket.office_id, service_id=ticket.service_id, day=day, exclude_ticket_id=ticket.id
    )
    ticket.clock_started_at = service_limit.recorded_clock(lines.joined_line_at(session, ticket), ahead, now)
    ticket.deadline_at = service_limit.deadline(ticket.clock_started_at, office.service_limit_minutes)
    ticket.status = TicketStatus.called
    ticket.called_at = now
    ticket.first_called_at = ticket.first_called_at or now
    ticket.counter_id, ticket.officer_id = counter.id, user_id
    ticket.recall_count = 0
    ticket.back_in_minutes = None
    session.add(ticket)
    record(
        session,
        ticket,
        "called",
        at=now,
        user_id=user_id,
        counter_id=counter.id,
        within_limit=now <= ticket.deadline_at,
    )
    session.flush()
    return ticket


_NEXT_FOR_UPDATE = lines.line_statement(False).limit(1).with_for_update(skip_locked=True)


def _close_left_overnight(session: Session, ticket: Ticket, office: Office, *, user_id: int | None) -> None:
    """A visitor left called or in service at a counter on an earlier day: close it at the end of that day.

    Numbers restart every day, so yesterday's visitor must not block today's first call; the end of its own
    business day is the latest moment the service can have ended, and the event says it was closed this way.
    """
    _, end_of_day = day_bounds(ticket.service_date, offices.office_tz(office))
    if ticket.started_at is None:
        ticket.started_at = ticket.called_at
    ticket.status = TicketStatus.done
    ticket.finished_at = ticket.ended_at = end_of_day
    session.add(ticket)
    record(
        session,
        ticket,
        "finished",
        at=end_of_day,
        user_id=user_id,
        counter_id=ticket.counter_id,
        closed="left open overnight",
    )
    session.flush()


def _ticket_at_counter(session: Session, ticket_id: int, counter_id: int | None, statuses) -> Ticket:
    ticket = session.exec(_TICKET_FOR_UPDATE, params={"ticket_id": ticket_id}).first()
    if ticket is None:
        raise NotFound("ticket_not_found", N_("No such ticket."))
    if counter_id is not None and ticket.counter_id != counter_id and ticket.status in ACTIVE:
        raise RuleError("other_counter", N_("%(code)s is at another counter."), code=ticket.code)
    if ticket.status not in statuses:
        # The placeholder is "state", not "status": RuleError takes status= as the HTTP status.
        raise RuleError(
            "bad_state",
            N_("%(code)s is %(state)s; that action is not possible now."),
            code=ticket.code,
            state=ticket.status,
        )
    return ticket


ACTIVE = (TicketStatus.called, TicketStatus.serving)
_TICKET_FOR_UPDATE = select(Ticket).where(Ticket.id == bindparam("ticket_id")).with_for_update()


def recall(
    session: Session, *, ticket_id: int, counter_id: int, user_id: int | None, now: datetime | None = None
) -> Ticket:
    """Announce a called ticket again."""
    now = now or utcnow()
    ticket = _ticket_at_counter(session, ticket_id, counter_id, (TicketStatus.called,))
    ticket.recall_count += 1
    ticket.called_at = now
    session.add(ticket)
    record(session, ticket, "recalled", at=now, user_id=user_id, counter_id=counter_id, recall=ticket.recall_count)
    session.flush()
    return ticket


def no_show(
    session: Session,
    *,
    ticket_id: int,
    counter_id: int,
    user_id: int | None,
    recalls_required: int,
    now: datetime | None = None,
) -> Ticket:
    """Set a called visitor who did not come aside, after the required number of recalls."""
    now = now or utcnow()
    ticket = _ticket_at_counter(session, ticket_id, counter_id, (TicketStatus.called,))
    if ticket.recall_count < recalls_required:
        raise RuleError(
            "recall_first",
            N_("Recall %(code)s %(n)s more time(s) before setting it aside."),
            code=ticket.code,
            n=recalls_required - ticket.recall_count,
        )
    ticket.status = TicketStatus.no_show
    ticket.ended_at = now
    session.add(ticket)
    record(session, ticket, "no_show", at=now, user_id=user_id, counter_id=counter_id)
    session.flush()
    return ticket


def restore(
    session: Session, *, ticket_id: int, user_id: int | None, office_id: int | None = None, now: datetime | None = None
) -> Ticket:
    """Bring a no-show back into its queue, at its original place in time."""
    now = now or utcnow()
    ticket = _ticket_at_counter(session, ticket_id, None, (TicketStatus.no_show,))
    if office_id is not None and ticket.office_id != office_id:
        raise NotFound("ticket_not_found", N_("No such ticket."))
    office = session.get(Office, ticket.office_id)
    if ticket.service_date != today(office, now):
        raise RuleError("old_ticket", N_("%(code)s was issued on another day."), code=ticket.code)
    ticket.status = TicketStatus.waiting
    ticket.ended_at = None
    ticket.counter_id = None
    ticket.recall_count = 0
    session.add(ticket)
    record(session, ticket, "restored", at=now, user_id=user_id)
    session.flush()
    return ticket


def start(
    session: Session, *, ticket_id: int, counter_id: int, user_id: int | None, now: datetime | None = None
) -> Ticket:
    """The visitor has arrived at the counter: service starts."""
    now = now or utcnow()
    ticket = _ticket_at_counter(session, ticket_id, counter_id, (TicketStatus.called,))
    ticket.status = TicketStatus.serving
    ticket.started_at = now
    session.add(ticket)
    record(session, ticket, "started", at=now, user_id=user_id, counter_id=counter_id)
    session.flush()
    return ticket


def finish(
    session: Session, *, ticket_id: int, counter_id: int, user_id: int | None, now: datetime | None = None
) -> Ticket:
    """Service is over. A called ticket finished without an explicit start counts as started at its call."""
    now = now or utcnow()
    ticket = _ticket_at_counter(session, ticket_id, counter_id, ACTIVE)
    if ticket.started_at is None or ticket.status == TicketStatus.called:
        ticket.started_at = ticket.called_at
    ticket.status = TicketStatus.done
    ticket.finished_at = ticket.ended_at = now
    session.add(ticket)
    record(session, ticket, "finished", at=now, user_id=user_id, counter_id=counter_id)
    session.flush()
    return ticket


def transfer(
    session: Session,
    *,
    ticket_id: int,
    counter_id: int,
    to_service_id: int,
    user_id: int | None,
    now: datetime | None = None,
) -> Ticket:
    """Send a visitor to another service's queue; they keep their place in time (their queued_at)."""
    now = now or utcnow()
    ticket = _ticket_at_counter(session, ticket_id, counter_id, ACTIVE)
    target = offices.get_service(session, ticket.office_id, to_service_id)
    if target.id == ticket.service_id:
        raise RuleError("same_service", N_("%(code)s is already in that queue."), code=ticket.code, status=400)
    record(
        session,
        ticket,
        "transferred",
        at=now,
        user_id=user_id,
        counter_id=counter_id,
        service_id=ticket.service_id,
        to_service=target.code,
    )
    ticket.service_id = target.id
    ticket.status = TicketStatus.waiting
    ticket.counter_id = None
    ticket.called_at = None
    ticket.started_at = None
    ticket.ended_at = None
    ticket.recall_count = 0
    ticket.transfer_count += 1
    session.add(ticket)
    session.flush()
    return ticket


def cancel(
    session: Session, *, ticket_id: int, user_id: int | None = None, by: str = "visitor", now: datetime | None = None
) -> Ticket:
    """Withdraw a waiting ticket (the visitor left); its place is freed."""
    now = now or utcnow()
    ticket = _ticket_at_counter(session, ticket_id, None, (TicketStatus.waiting,))
    ticket.status = TicketStatus.cancelled
    ticket.ended_at = now
    session.add(ticket)
    record(session, ticket, "cancelled", at=now, user_id=user_id, by=by)
    session.flush()
    return ticket


BACK_IN_MAX_MINUTES = 60


def back_in(
    session: Session,
    *,
    ticket_id: int,
    minutes: int,
    user_id: int | None = None,
    by: str = "visitor",
    now: datetime | None = None,
) -> Ticket:
    """The visitor steps out: "I'll be back in N minutes" (0 means "I'm back"), from their phone.

    Call-next does NOT skip such a ticket: it keeps its place and is called in its turn, because a queue that
    reorders itself behind the officer's back breaks the 10-minute promise to everyone else. The officer sees
    "back by HH:MM" in the waiting line (back_until()), and a visitor still away when called is recalled and,
    after the usual recalls, set aside like any no-show (and can be restored to the same place).
    """
    if not 0 <= minutes <= BACK_IN_MAX_MINUTES:
        raise RuleError("bad_minutes", N_("Choose between 0 and %(max)s minutes."), status=400, max=BACK_IN_MAX_MINUTES)
    now = now or utcnow()
    ticket = _ticket_at_counter(session, ticket_id, None, (TicketStatus.waiting,))
    ticket.back_in_minutes = minutes or None
    session.add(ticket)
    record(session, ticket, "back_in", at=now, user_id=user_id, by=by, minutes=minutes)
    session.flush()
    return ticket


def back_until(session: Session, ticket_list: list[Ticket]) -> dict[int, datetime]:
    """When each stepped-out ticket's visitor said they would be back: the last "back_in" event plus its minutes."""
    from datetime import timedelta  # local: only needed here

    away = {t.id: t.back_in_minutes for t in ticket_list if t.back_in_minutes}
    if not away:
        return {}
    rows = session.exec(
        select(TicketEvent.ticket_id, func.max(TicketEvent.at))
        .where(TicketEvent.ticket_id.in_(list(away)), TicketEvent.kind == "back_in")
        .group_by(TicketEvent.ticket_id)
    ).all()
    out = {}
    for tid, at in rows:
        if at.tzinfo is None:  # SQLite returns max() as naive UTC
            from datetime import UTC

            at = at.replace(tzinfo=UTC)
        out[tid] = at + timedelta(minutes=away[tid])
    return out


def get_ticket(session: Session, ticket_id: int, office_id: int | None = None) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or (office_id is not None and ticket.office_id != office_id):
        raise NotFound("ticket_not_found", N_("No such ticket."))
    return ticket


def history(session: Session, ticket_id: int) -> list[TicketEvent]:
    return list(session.exec(_HISTORY, params={"ticket_id": ticket_id}))


_HISTORY = (
    select(TicketEvent).where(TicketEvent.ticket_id == bindparam("ticket_id")).order_by(TicketEvent.at, TicketEvent.id)
)
