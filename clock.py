"""The one clock of the system: timezone-aware UTC datetimes, which tests (and demo screens) can shift."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

# Added to the real time; set by tests and by the testing-only clock endpoint.
_offset = timedelta(0)


def utcnow() -> datetime:
    """Current time in UTC (aware): how every timestamp is stored."""
    return datetime.now(UTC) + _offset


def set_offset(offset: timedelta) -> None:
    """Shift the clock (tests only)."""
    global _offset
    _offset = offset


def get_offset() -> timedelta:
    return _offset


def to_local(moment: datetime, tz: ZoneInfo) -> datetime:
    """A stored moment as the office's local time."""
    return moment.astimezone(tz)


def to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """A local wall-clock time (naive means the office's zone) as aware UTC."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=tz)
    return local.astimezone(UTC)


def business_day(moment: datetime, tz: ZoneInfo) -> date:
    """The office's calendar day of a moment: numbers restart at local midnight."""
    return to_local(moment, tz).date()


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC [start, end) of a local calendar day."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    return to_utc(start, tz), to_utc(datetime.combine(day + timedelta(days=1), datetime.min.time(), tz), tz)


def iso(moment: datetime | None) -> str | None:
    """A moment as ISO 8601 with its UTC offset, for JSON."""
    return None if moment is None else moment.astimezone(UTC).isoformat()
