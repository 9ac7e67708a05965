"""The online channel's clock: working days in an office's calendar, pauses while waiting on the visitor, and
the 10-working-day limit of the service standard. Plain functions over a Calendar; no database, no Flask.

Reading of the standard ("served at most 10 working days after the request is clear and its requirements are
complete"):
  * day 1 is the first working day AFTER the day the request became clear and complete (that day is not
    counted, as "after" says; the same convention as a legal deadline);
  * a working day is a day of the office's week (config.toml office.hours) that is not a public holiday, not
    cuti bersama when the office observes it, and not a closure (special days);
  * a pause (waiting on the visitor) from day P to day R removes the working days in (P, R]: the day a pause
    starts was a day of work, the day the visitor answered restarts the clock like the first clear day;
  * the request is served within the limit if it is delivered on a day whose count is at most the limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

LIMIT_DAYS = 10
# A due date is never searched further than this (a long pause is open-ended and gives no due date at all).
_HORIZON_DAYS = 3 * 366

Pause = tuple[date, date | None]  # (the day the pause began, the day it ended; None: still waiting)


@dataclass(frozen=True)
class Calendar:
    """The office's working week and the days it does not work (holidays, cuti bersama, closures), by name."""

    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})  # ISO weekdays (1 = Monday)
    off_days: Mapping[date, str] = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        """True on a day of the working week that is not a holiday, cuti bersama or closure."""
        return day.isoweekday() in self.weekdays and day not in self.off_days


def working_days(cal: Calendar, after: date, through: date) -> int:
    """The working days d with after < d <= through (0 when through is not after `after`)."""
    n, d = 0, after + timedelta(days=1)
    while d <= through:
        n += cal.is_working_day(d)
        d += timedelta(days=1)
    return n


def add_working_days(cal: Calendar, start: date, n: int) -> date:
    """The n-th working day after `start` (start itself when n <= 0)."""
    d = start
    for _ in range(_HORIZON_DAYS):
        if n <= 0:
            return d
        d += timedelta(days=1)
        n -= cal.is_working_day(d)
    raise ValueError("no working day within three years")


def _paused(day: date, pauses: Iterable[Pause]) -> bool:
    return any(p0 < day and (p1 is None or day <= p1) for p0, p1 in pauses)


def days_used(cal: Calendar, start: date, today: date, pauses: Iterable[Pause] = ()) -> int:
    """Working days counted against the limit from the clear day `start` through `today`, pauses left out."""
    pauses = list(pauses)
    n, d = 0, start + timedelta(days=1)
    while d <= today:
        n += cal.is_working_day(d) and not _paused(d, pauses)
        d += timedelta(days=1)
    return n


@dataclass(frozen=True)
class ClockState:
    used: int  # working days counted so far
    left: int  # working days left (negative: past the limit by that many)
    due: date | None  # the last day within the limit; None while paused with days still left
    paused: bool  # waiting on the visitor now
    overdue: bool  # today is past the due day


def clock_state(
    cal: Calendar, start: date, today: date, pauses: Iterable[Pause] = (), limit: int = LIMIT_DAYS
) -> ClockState:
    """Where a request stands against the limit today: days used and left, the due day, paused or overdue."""
    pauses = list(pauses)
    used = days_used(cal, start, today, pauses)
    paused = any(p1 is None for _, p1 in pauses)
    due = due_day(cal, start, pauses, limit)
    return ClockState(used=used, left=limit - used, due=due, paused=paused, overdue=used > limit)


def due_day(cal: Calendar, start: date, pauses: Iterable[Pause] = (), limit: int = LIMIT_DAYS) -> date | None:
    """The day the limit-th counted working day falls on; None when an open pause holds the clock first."""
    pauses = list(pauses)
    n, d = 0, start
    for _ in range(_HORIZON_DAYS):
        d += timedelta(days=1)
        if cal.is_working_day(d) and not _paused(d, pauses):
            n += 1
            if n >= limit:
                return d
        if any(p1 is None and p0 < d for p0, p1 in pauses):
            return None  # waiting on the visitor with days left: no due day until they answer
    return None


def served_within(
    cal: Calendar, start: date, served: date, pauses: Iterable[Pause] = (), limit: int = LIMIT_DAYS
) -> tuple[int, bool]:
    """Days used when served on `served`, and whether that is within the limit."""
    used = days_used(cal, start, served, pauses)
    return used, used <= limit
