"""Slowing down guessing at public endpoints: attempts per key in a fixed window, kept in the database so every
server process counts the same attempts (a kiosk's returning-visitor look-ups, a request's paper unlocks)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from clock import utcnow
from models import Throttle


def blocked(session: Session, key: str, *, now: datetime | None = None) -> datetime | None:
    """Until when the key is blocked (None: not blocked)."""
    now = now or utcnow()
    row = session.get(Throttle, key)
    if row is not None and row.blocked_until is not None and row.blocked_until > now:
        return row.blocked_until
    return None


def hit(
    session: Session,
    key: str,
    *,
    limit: int,
    window: timedelta,
    block: timedelta | None = None,
    now: datetime | None = None,
) -> bool:
    """Count one attempt in the caller's write transaction; False when the limit of this window is used up.

    The window starts at the first attempt; the limit+1st attempt in it is refused, and with `block` the key
    stays refused for that long after it (a lock-out), else until the window ends.
    """
    now = now or utcnow()
    row = session.get(Throttle, key, with_for_update=True)
    if row is None:
        row = Throttle(key=key, window_start=now, count=0)
    if row.blocked_until is not None and row.blocked_until > now:
        return False
    if now - row.window_start >= window:
        row.window_start, row.count, row.blocked_until = now, 0, None
    row.count += 1
    allowed = row.count <= limit
    if not allowed:
        row.blocked_until = now + (block or (row.window_start + window - now))
    session.add(row)
    return allowed


def clear(session: Session, key: str) -> None:
    """Forget a key's attempts (after a right answer)."""
    row = session.get(Throttle, key)
    if row is not None:
        session.delete(row)


def purge(session: Session, *, before: datetime) -> int:
    """Drop counters whose window and block ended before a moment (the daily purge)."""
    stale = (Throttle.window_start < before) & ((Throttle.blocked_until.is_(None)) | (Throttle.blocked_until < before))
    return session.execute(delete(Throttle).where(stale)).rowcount
