"""Staff sessions held on the server: the signed cookie carries a session token naming a row here, so a session
ends for good when its row ends (logout, a password change, deactivation, idle or absolute timeout)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from clock import utcnow
from models import StaffSession, User

# last_seen_at is written at most this often per session: enough for an idle timeout counted in minutes.
TOUCH_EVERY = timedelta(seconds=30)


@dataclass(frozen=True)
class Timeouts:
    """How long a session lives without a request (idle) and at most after sign-in (absolute)."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)


def _hash(secret: str) -> str:
    """What is stored of a session token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def start(session: Session, user: User, *, user_agent: str = "", address: str = "", now: datetime | None = None) -> str:
    """Open a session for a user who just proved who they are; returns the token the cookie carries."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    row = StaffSession(
        user_id=user.id,
        token_hash=_hash(secret),
        created_at=now,
        last_seen_at=now,
        user_agent=(user_agent or "")[:200],
        address=(address or "")[:45],
    )
    session.add(row)
    session.flush()
    return f"{row.id}.{secret}"


def _parse(token: str) -> tuple[int, str] | None:
    """(row id, secret) from a cookie's token, or None when it is not one."""
    sid, _, secret = (token or "").partition(".")
    if not sid.isdigit() or len(sid) > 18 or not secret:
        return None
    return int(sid), secret


def find(session: Session, token: str) -> StaffSession | None:
    """The session row a cookie's token names, ended or not (None for a forged or unknown token)."""
    parsed = _parse(token)
    if parsed is None:
        return None
    row = session.get(StaffSession, parsed[0])
    if row is None or not hmac.compare_digest(row.token_hash, _hash(parsed[1])):
        return None
    return row


def check(
    session: Session, token: str, *, timeouts: Timeouts = Timeouts(), now: datetime | None = None
) -> tuple[StaffSession, User] | None:
    """The live session and its active user, or None. A session found idle or too old is ended here, and its
    last_seen_at moves on (at most every TOUCH_EVERY) so that use keeps it alive."""
    now = now or utcnow()
    row = find(session, token)
    if row is None or row.ended_at is not None:
        return None
    user = session.get(User, row.user_id)
    reason = ""
    if user is None or not user.active:
        reason = "deactivated"
    elif now - row.created_at > timeouts.absolute:
        reason = "expired"
    elif now - row.last_seen_at > timeouts.idle:
        reason = "idle"
    if reason:
        row.ended_at, row.end_reason = now, reason
        session.add(row)
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    return row, user


def end(session: Session, row: StaffSession, reason: str, *, now: datetime | None = None) -> None:
    """End one session."""
    if row.ended_at is None:
        row.ended_at, row.end_reason = now or utcnow(), reason
        session.add(row)


def end_all(session: Session, user_id: int, reason: str, *, now: datetime | None = None) -> int:
    """End every open session of a user (logout everywhere, password change, reset, deactivation)."""
    result = session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
        .values(ended_at=now or utcnow(), end_reason=reason)
    )
    return result.rowcount or 0


def open_sessions(session: Session, user_id: int) -> list[StaffSession]:
    """A user's sessions not ended yet (newest first)."""
    return list(
        session.exec(
            select(StaffSession)
            .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
            .order_by(StaffSession.id.desc())
        )
    )
