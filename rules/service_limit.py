"""The 10-minute service limit: when a ticket's clock starts, its deadline, and whether it was kept.

Service standard: a walk-in visitor is called at most N minutes after the visitor ahead of them in the
same queue has finished. So a ticket's clock starts at the later of the moment it joined the line and
the moment the ticket ahead of it finished; while the ticket ahead is still waiting or being served,
the clock has not started. These functions are pure: they take times and return times.

Screens never hold the rule: with every clock they receive the moments that decide its state (`limit_clock()`:
amber_at, deadline_at, and the state when sent) and only compare their server-synced time with those.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from clock import iso

# Share of the limit after which a waiting ticket is shown as "nearly late".
AMBER_SHARE = 0.7


@dataclass(frozen=True)
class Ahead:
    """The ticket ahead in the same queue: whether there is one, and when it finished (None: not yet)."""

    exists: bool
    ended_at: datetime | None = None


NO_ONE_AHEAD = Ahead(exists=False)


def clock_start(queued_at: datetime, ahead: Ahead) -> datetime | None:
    """When the ticket's clock starts, or None while the ticket ahead has not finished."""
    if not ahead.exists:
        return queued_at
    if ahead.ended_at is None:
        return None
    return max(queued_at, ahead.ended_at)


def deadline(start: datetime | None, limit_minutes: int) -> datetime | None:
    """The latest moment the ticket should be called, or None while its clock has not started."""
    return None if start is None else start + timedelta(minutes=limit_minutes)


def amber_at(start: datetime | None, limit_minutes: int) -> datetime | None:
    """The moment a waiting ticket turns "nearly late" (AMBER_SHARE of the limit used), None before its clock."""
    return None if start is None else start + timedelta(minutes=limit_minutes * AMBER_SHARE)


def clocks_for_line(
    queued: list[datetime], ahead_of_first: Ahead, limit_minutes: int
) -> list[tuple[datetime | None, datetime | None]]:
    """(start, deadline) for each waiting ticket in line order; only the head's clock can be running."""
    out = []
    ahead = ahead_of_first
    for q in queued:
        start = clock_start(q, ahead)
        out.append((start, deadline(start, limit_minutes)))
        ahead = Ahead(exists=True, ended_at=None)  # the one ahead is still waiting
    return out


def recorded_clock(queued_at: datetime, ahead: Ahead, called_at: datetime) -> datetime:
    """The clock start stored when a ticket is called: a ticket called before its clock started waited 0."""
    start = clock_start(queued_at, ahead)
    return called_at if start is None or start > called_at else start


def state(start: datetime | None, limit_minutes: int, now: datetime, called_at: datetime | None = None) -> str:
    """'not_started', 'ok', 'amber' (most of the limit used), 'breached', or for a called ticket 'met'/'breached'."""
    if start is None:
        return "not_started"
    end = deadline(start, limit_minutes)
    if called_at is not None:
        return "met" if called_at <= end else "breached"
    if now > end:
        return "breached"
    if now >= amber_at(start, limit_minutes):
        return "amber"
    return "ok"


def limit_clock(start: datetime | None, limit_minutes: int, now: datetime) -> dict:
    """A waiting ticket's clock as every screen receives it: the moments that decide its state, and its state now.

    A screen ticks between two messages by comparing its server-synced time with amber_at and deadline_at
    (static/js/loket.js, Loket.limitState), so the share and the limit stay here, whatever the configuration.
    """
    return {
        "clock_started_at": iso(start),
        "amber_at": iso(amber_at(start, limit_minutes)),
        "deadline_at": iso(deadline(start, limit_minutes)),
        "seconds_left": seconds_left(start, limit_minutes, now),
        "state": state(start, limit_minutes, now),
    }


def seconds_left(start: datetime | None, limit_minutes: int, now: datetime) -> int | None:
    """Seconds until the deadline (negative once breached), None while the clock has not started."""
    end = deadline(start, limit_minutes)
    return None if end is None else int((end - now).total_seconds())
