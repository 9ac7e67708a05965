"""Sign-in throttling: each failure of an account makes the next try wait longer, and too many lock it for a
while; an address with too many failures (over every account it tried) is locked for a while too. Every try is recorded (sign_in_attempt), so the counts hold across processes and
restarts and an administrator can see them.

A try that comes too early is refused before the password is checked: during a lockout even the right
password is refused. An administrator's password reset clears the account's failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, func, select

from clock import utcnow
from models import SignInAttempt

# Failures older than these no longer count.
ACCOUNT_WINDOW = timedelta(hours=24)
ADDRESS_WINDOW = timedelta(hours=1)
MAX_DELAY_SECONDS = 300


@dataclass(frozen=True)
class Policy:
    """The thresholds (config.toml [security] signin_*)."""

    delay_after: int = 3
    lockout_after: int = 10
    address_lockout_after: int = 30
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Verdict:
    """Whether a try may go ahead now; else how long to wait and why ('delay' or 'locked', of 'account' or
    'address')."""

    allowed: bool
    wait_seconds: int = 0
    reason: str = ""
    scope: str = ""


def normalize(username: str) -> str:
    """The account name the counts are kept under (as rules.users stores usernames)."""
    return (username or "").strip().lower()[:64]


def _failures(session: Session, column, value: str, since: datetime) -> tuple[int, datetime | None]:
    """How many failures since `since`, and the last one's time."""
    row = session.exec(
        select(func.count(), func.max(SignInAttempt.at)).where(
            column == value, SignInAttempt.outcome == "failed", SignInAttempt.at > since
        )
    ).one()
    return row[0], row[1]


def _last_clear(session: Session, username: str) -> datetime | None:
    """The account's last success or reset: failures before it no longer count."""
    return session.exec(
        select(func.max(SignInAttempt.at)).where(
            SignInAttempt.username == username, SignInAttempt.outcome.in_(("ok", "reset"))
        )
    ).one()


def _judge(count: int, last: datetime | None, now: datetime, delay_after: int, lockout_after: int, lockout, scope):
    """The verdict for one count of failures (None: nothing holds the try back)."""
    if not count or last is None:
        return None
    if count >= lockout_after:
        until = last + lockout
        reason = "locked"
    elif count >= delay_after:
        until = last + timedelta(seconds=min(2 ** (count - delay_after), MAX_DELAY_SECONDS))
        reason = "delay"
    else:
        return None
    if until <= now:
        return None
    return Verdict(False, max(1, int((until - now).total_seconds() + 0.999)), reason, scope)


def verdict(
    session: Session, *, username: str, address: str, policy: Policy = Policy(), now: datetime | None = None
) -> Verdict:
    """May this account be tried from this address now?"""
    now = now or utcnow()
    username = normalize(username)
    since = now - ACCOUNT_WINDOW
    cleared = _last_clear(session, username)
    if cleared is not None and cleared > since:
        since = cleared
    count, last = _failures(session, SignInAttempt.username, username, since)
    account = _judge(count, last, now, policy.delay_after, policy.lockout_after, policy.lockout, "account")
    if account is not None:
        return account
    if address:
        count, last = _failures(session, SignInAttempt.address, address, now - max(ADDRESS_WINDOW, policy.lockout))
        # An address is not slowed down (it may be shared by several staff), only locked after many failures.
        found = _judge(
            count, last, now, policy.address_lockout_after, policy.address_lockout_after, policy.lockout, "address"
        )
        if found is not None:
            return found
    return Verdict(True)


def record(session: Session, *, username: str, address: str, outcome: str, now: datetime | None = None) -> None:
    """Write down one try: ok, failed, throttled or reset."""
    session.add(
        SignInAttempt(at=now or utcnow(), username=normalize(username), address=(address or "")[:45], outcome=outcome)
    )


def recent(session: Session, username: str, limit: int = 20) -> list[SignInAttempt]:
    """An account's latest tries, newest first (for an administrator)."""
    return list(
        session.exec(
            select(SignInAttempt)
            .where(SignInAttempt.username == normalize(username))
            .order_by(SignInAttempt.at.desc(), SignInAttempt.id.desc())
            .limit(limit)
        )
    )
