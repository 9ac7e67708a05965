"""The waiting lines: call order, who is ahead of a ticket, when each ticket joined its line, the last calls, and
each line with its tickets' 10-minute clocks (one function feeds the display, the counter and the supervisor)."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from sqlalchemy import bindparam, func, union_all
from sqlmodel import Session, select

from clock import day_bounds
from models import Office, Ticket, TicketEvent, TicketStatus
from rules import offices, service_limit

# Events that end a ticket's stint in a queue (for the clock of the ticket behind it).
STINT_ENDS = ("finished", "no_show", "transferred", "cancelled")
# Events after which a ticket waits in a line again (its own clock there starts no earlier).
REJOINS = ("transferred", "restored")


def line_order():
    """Call order: priority visitors first, then by their place in time."""
    return (Ticket.priority.desc(), Ticket.queued_at, Ticket.id)


def waiting_line(session: Session, *, office_id: int, service_ids: list[int], day: date) -> list[Ticket]:
    """The waiting tickets of the given services today, in call order."""
    if not service_ids:
        return []
    return list(
        session.exec(
            line_statement(False), params={"office_id": office_id, "service_ids": list(service_ids), "day": day}
        )
    )


def people_ahead(session: Session, ticket: Ticket) -> int:
    """How many waiting tickets of the same queue will be called before this one."""
    if ticket.status != TicketStatus.waiting:
        return 0
    return session.exec(
        _AHEAD[bool(ticket.priority)],
        params={
            "office_id": ticket.office_id,
            "service_id": ticket.service_id,
            "day": ticket.service_date,
            "ticket_id": ticket.id,
            "queued_at": ticket.queued_at,
        },
    ).one()


# The statements read on every ticket, call and snapshot are built once, with bind parameters: building a
# SELECT with its conditions costs more Python time than running it, and a statement object built once also
# keeps its cache key (SQLAlchemy then only binds the values).
def _ahead_stmt(priority: bool):
    t_id, queued = bindparam("ticket_id"), bindparam("queued_at")
    earlier = (Ticket.queued_at < queued) | ((Ticket.queued_at == queued) & (Ticket.id < t_id))
    before = (Ticket.priority.is_(True) & earlier) if priority else (Ticket.priority.is_(True) | earlier)
    return (
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.office_id == bindparam("office_id"),
            Ticket.service_id == bindparam("service_id"),
            Ticket.service_date == bindparam("day"),
            Ticket.status == TicketStatus.waiting,
            Ticket.id != t_id,
            before,
        )
    )


_AHEAD = {True: _ahead_stmt(True), False: _ahead_stmt(False)}


def ahead_of_line(
    session: Session, *, office_id: int, service_id: int, day: date, exclude_ticket_id: int | None = None
) -> service_limit.Ahead:
    """The ticket ahead of the head of a queue: the one called last in that queue today, and when it finished."""
    office = session.get(Office, office_id)
    return aheads_of_lines(
        session, office=office, service_ids=[service_id], day=day, exclude_ticket_id=exclude_ticket_id
    )[service_id]


def aheads_of_lines(
    session: Session, *, office: Office, service_ids: list[int], day: date, exclude_ticket_id: int | None = None
) -> dict[int, service_limit.Ahead]:
    """ahead_of_line() for several queues of an office at once: two queries, however many queues.

    Each queue's last call is one LIMIT 1 read backwards through ix_ticketevent_office_kind_at (it stops at
    the first match, however many calls the day has had), all of them in one UNION ALL; then the end of those
    tickets' stints in one more query.
    """
    out = dict.fromkeys(service_ids, service_limit.NO_ONE_AHEAD)
    if not service_ids:
        return out
    start, end = day_bounds(day, offices.office_tz(office))
    params = {"office_id": office.id, "start": start, "end": end, "exclude": exclude_ticket_id or 0}
    params.update({f"s{i}": sid for i, sid in enumerate(service_ids)})
    last_calls = session.exec(_last_calls_stmt(len(service_ids)), params=params).all()
    if not last_calls:
        return out
    ends: dict[int, list] = {}
    for ticket_id, at in session.exec(_ENDS, params={"ticket_ids": [t for _, t, _ in last_calls]}):
        ends.setdefault(ticket_id, []).append(at)
    for sid, ticket_id, called_at in last_calls:
        called_at = _aware(called_at)
        ended = next((at for at in map(_aware, ends.get(ticket_id, ())) if at >= called_at), None)
        out[sid] = service_limit.Ahead(exists=True, ended_at=ended)
    return out


@cache
def _last_calls_stmt(queues: int):
    """Each of `queues` queues' last call today (bind s0, s1, ...), one LIMIT 1 per queue in a UNION ALL."""
    lasts = [
        select(TicketEvent.service_id, TicketEvent.ticket_id, TicketEvent.at)
        .where(
            TicketEvent.office_id == bindparam("office_id"),
            TicketEvent.kind == "called",
            TicketEvent.at >= bindparam("start"),
            TicketEvent.at < bindparam("end"),
            TicketEvent.ticket_id != bindparam("exclude"),
            TicketEvent.service_id == bindparam(f"s{i}"),
        )
        .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
        .limit(1)
        for i in range(queues)
    ]
    # SQLite takes ORDER BY / LIMIT inside a UNION only in subqueries.
    return lasts[0] if queues == 1 else union_all(*(select(*sub.subquery().c) for sub in lasts))


_ENDS = (
    select(TicketEvent.ticket_id, TicketEvent.at)
    .where(TicketEvent.ticket_id.in_(bindparam("ticket_ids", expanding=True)), TicketEvent.kind.in_(STINT_ENDS))
    .order_by(TicketEvent.at, TicketEvent.id)
)
_REJOINED = select(TicketEvent.ticket_id, TicketEvent.at).where(
    TicketEvent.ticket_id.in_(bindparam("ticket_ids", expanding=True)), TicketEvent.kind.in_(REJOINS)
)


def _aware(at: datetime | None) -> datetime | None:
    """A time read through a subquery's column: SQLite may hand it back naive (it is UTC)."""
    if at is not None and at.tzinfo is None:
        from datetime import UTC

        return at.replace(tzinfo=UTC)
    return at


def rejoined_at(session: Session, ticket_ids: list[int]) -> dict[int, datetime]:
    """Each ticket's latest transfer or return from no-show (tickets that never rejoined are absent)."""
    out: dict[int, datetime] = {}
    if not ticket_ids:
        return out
    for ticket_id, at in session.exec(_REJOINED, params={"ticket_ids": list(ticket_ids)}):
        if ticket_id not in out or at > out[ticket_id]:
            out[ticket_id] = at
    return out


def joined_line_at(session: Session, ticket: Ticket) -> datetime:
    """When a ticket joined the line it waits in now: its issue, or its latest transfer or return from no-show.

    queued_at keeps its place in the order, but the 10-minute clock in a new queue (or after being set aside)
    cannot have been running while the visitor was still at another counter or away.
    """
    rejoined = rejoined_at(session, [ticket.id]).get(ticket.id)
    return max(ticket.queued_at, rejoined) if rejoined else ticket.queued_at


def line_with_clocks(
    session: Session, *, office: Office, service_id: int, day: date
) -> list[tuple[Ticket, datetime | None, datetime | None]]:
    """A queue's waiting tickets in call order, each with its 10-minute clock (start, deadline).

    Only the head's clock can be running; it starts when the head joined this line (not its original issue,
    after a transfer or a return from no-show) or when the ticket ahead finished, whichever is later.
    The display, the counter screen and the supervisor all show these same clocks (lines_with_clocks()).
    """
    return lines_with_clocks(session, office=office, service_ids=[service_id], day=day)[service_id]


# The columns a screen needs of a waiting ticket to show a line (lines_with_clocks(..., light=True)).
LINE_COLUMNS = (Ticket.id, Ticket.service_id, Ticket.code, Ticket.priority, Ticket.queued_at)


@cache
def line_statement(light: bool):
    """Waiting tickets of some queues of an office on a day, in call order (whole tickets, or LINE_COLUMNS)."""
    return (
        (select(*LINE_COLUMNS) if light else select(Ticket))
        .where(
            Ticket.office_id == bindparam("office_id"),
            Ticket.service_id.in_(bindparam("service_ids", expanding=True)),
            Ticket.service_date == bindparam("day"),
            Ticket.status == TicketStatus.waiting,
        )
        .order_by(*line_order())
    )


def lines_with_clocks(
    session: Session, *, office: Office, service_ids: list[int], day: date, light: bool = False
) -> dict[int, list[tuple[Ticket, datetime | None, datetime | None]]]:
    """line_with_clocks() for several queues of an office in four queries, however many queues.

    light=True reads only LINE_COLUMNS (rows with those attributes instead of Ticket objects): a long
    line costs a screen that shows five codes and a count no ORM objects.
    """
    out: dict[int, list] = {sid: [] for sid in service_ids}
    if not service_ids:
        return out
    waiting = session.exec(
        line_statement(light), params={"office_id": office.id, "service_ids": list(service_ids), "day": day}
    )
    out.update(_clocked(session, office=office, waiting=waiting, day=day))
    return out


def clocks_of(session: Session, *, office: Office, waiting: list[Ticket], day: date) -> dict[int, tuple]:
    """Each ticket's 10-minute clock (start, deadline) by ticket id, for waiting tickets already read in call order
    (the counter's line of several services): the same clocks lines_with_clocks() gives the other screens."""
    return {
        t.id: (start, end)
        for line in _clocked(session, office=office, waiting=waiting, day=day).values()
        for t, start, end in line
    }


def _clocked(session: Session, *, office: Office, waiting, day: date) -> dict[int, list]:
    """Waiting tickets (in call order) grouped by queue, each with its clock; only queues with someone waiting."""
    out: dict[int, list] = {}
    lines: dict[int, list] = {}
    for t in waiting:
        lines.setdefault(t.service_id, []).append(t)
    if not lines:
        return out
    aheads = aheads_of_lines(session, office=office, service_ids=list(lines), day=day)
    rejoined = rejoined_at(session, [line[0].id for line in lines.values()])
    for sid, line in lines.items():
        head = line[0]
        joined = [max(head.queued_at, rejoined[head.id]) if head.id in rejoined else head.queued_at]
        joined += [t.queued_at for t in line[1:]]
        clocks = service_limit.clocks_for_line(joined, aheads[sid], office.service_limit_minutes)
        out[sid] = [(t, start, end) for t, (start, end) in zip(line, clocks)]
    return out
