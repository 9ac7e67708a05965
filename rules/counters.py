"""A counter's own state: opened by an officer, paused with a reason, resumed, closed."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from clock import utcnow
from models import Counter, CounterEvent, CounterStatus
from rules import offices
from rules.errors import N_, RuleError
from rules.tickets import current_ticket

PAUSE_REASONS = ("break", "prayer", "meeting", "system", "other")


def _lock(session: Session, counter_id: int, office_id: int | None) -> Counter:
    return offices.lock_counter(session, counter_id, office_id)


def held_counter(session: Session, *, counter_id: int, user_id: int, office_id: int) -> Counter:
    """The counter, locked, if it is in the user's office and the user holds it; refused otherwise.

    Read under the row lock the action itself takes: a takeover committed meanwhile is seen here, not after
    the check.
    """
    counter = offices.lock_counter(session, counter_id, office_id)
    if counter.officer_id != user_id:
        raise RuleError(
            "not_your_counter", N_("Open counter %(counter)s before serving at it."), counter=counter.number
        )
    return counter


def _event(session: Session, counter: Counter, kind: str, user_id: int | None, at: datetime, reason: str = ""):
    session.add(
        CounterEvent(
            office_id=counter.office_id, counter_id=counter.id, kind=kind, reason=reason, user_id=user_id, at=at
        )
    )


def open_counter(
    session: Session, *, counter_id: int, user_id: int, office_id: int | None = None, now: datetime | None = None
) -> Counter:
    """An officer takes a counter. Taking over from another officer is allowed and recorded."""
    now = now or utcnow()
    counter = _lock(session, counter_id, office_id)
    if counter.status != CounterStatus.closed and counter.officer_id == user_id:
        return counter  # already theirs: idempotent (second tab, reload)
    previous = counter.officer_id
    counter.status, counter.officer_id, counter.pause_reason, counter.status_since = (
        CounterStatus.open,
        user_id,
        "",
        now,
    )
    session.add(counter)
    _event(
        session,
        counter,
        "open",
        user_id,
        now,
        reason=f"took over from user {previous}" if previous and previous != user_id else "",
    )
    session.flush()
    return counter


def release_counters_of(
    session: Session, *, user_id: int, except_counter_id: int | None = None, now: datetime | None = None
) -> None:
    """Close other counters an officer still holds (an officer works at one counter at a time)."""
    now = now or utcnow()
    for counter in session.exec(
        select(Counter).where(Counter.officer_id == user_id, Counter.status != CounterStatus.closed)
    ):
        if counter.id != except_counter_id and current_ticket(session, counter.id) is None:
            counter.status, counter.officer_id, counter.status_since = CounterStatus.closed, None, now
            session.add(counter)
            _event(session, counter, "close", user_id, now)


def pause(
    session: Session,
    *,
    counter_id: int,
    user_id: int | None,
    reason: str,
    note: str = "",
    office_id: int | None = None,
    now: datetime | None = None,
) -> Counter:
    now = now or utcnow()
    if reason not in PAUSE_REASONS:
        raise RuleError("bad_reason", N_("Choose a reason for the pause."), status=400)
    if reason == "other" and not note.strip():
        raise RuleError("bad_reason", N_("Say why the counter is paused."), status=400)
    counter = _lock(session, counter_id, office_id)
    if counter.status != CounterStatus.open:
        raise RuleError("not_open", N_("Only an open counter can be paused."))
    current = current_ticket(session, counter.id)
    if current is not None:
        raise RuleError("busy", N_("Finish or transfer %(code)s before pausing."), code=current.code)
    text = reason if reason != "other" else f"other: {note.strip()[:180]}"
    counter.status, counter.pause_reason, counter.status_since = CounterStatus.paused, text, now
    session.add(counter)
    _event(session, counter, "pause", user_id, now, reason=text)
    session.flush()
    return counter


def resume(
    session: Session, *, counter_id: int, user_id: int | None, office_id: int | None = None, now: datetime | None = None
) -> Counter:
    now = now or utcnow()
    counter = _lock(session, counter_id, office_id)
    if counter.status != CounterStatus.paused:
        raise RuleError("not_paused", N_("The counter is not paused."))
    counter.status, counter.pause_reason, counter.status_since = CounterStatus.open, "", now
    session.add(counter)
    _event(session, counter, "resume", user_id, now)
    session.flush()
    return counter


def close_counter(
    session: Session, *, counter_id: int, user_id: int | None, office_id: int | None = None, now: datetime | None = None
) -> Counter:
    now = now or utcnow()
    counter = _lock(session, counter_id, office_id)
    current = current_ticket(session, counter.id)
    if current is not None:
        raise RuleError("busy", N_("Finish or transfer %(code)s before closing."), code=current.code)
    counter.status, counter.officer_id, counter.pause_reason, counter.status_since = CounterStatus.closed, None, "", now
    session.add(counter)
    _event(session, counter, "close", user_id, now)
    session.flush()
    return counter
