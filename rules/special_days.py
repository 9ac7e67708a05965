"""An office's special days (closures, shortened hours) and its working calendar: the days the kiosk is closed
and the online 10-working-day clock does not count. Seeded from config.toml; the admin screen edits them
through rules/calendar_setup.py (audited) on top of `set_day` / `remove_day`."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, select

from clock import utcnow
from models import SpecialDay
from rules.errors import N_, RuleError
from rules.opening import holiday_name
from rules.working_days import Calendar
from settings import Settings

_ON_DAY = select(SpecialDay).where(SpecialDay.office_id == bindparam("office_id"), SpecialDay.day == bindparam("day"))


def on(session: Session, office_id: int, day: date) -> SpecialDay | None:
    """The office's special day on a local day, if any (read for every ticket: one indexed row)."""
    return session.exec(_ON_DAY, params={"office_id": office_id, "day": day}).first()


def between(session: Session, office_id: int, start: date, end: date) -> list[SpecialDay]:
    """The office's special days from start to end inclusive, in order."""
    return list(
        session.exec(
            select(SpecialDay)
            .where(SpecialDay.office_id == office_id, SpecialDay.day >= start, SpecialDay.day <= end)
            .order_by(SpecialDay.day)
        )
    )


def set_day(
    session: Session,
    *,
    office_id: int,
    day: date,
    closed: bool = True,
    opens: str = "",
    closes: str = "",
    note: str = "",
    note_en: str = "",
    now: datetime | None = None,
) -> SpecialDay:
    """Create or change the office's special day on `day` (a closure, or shortened hours opens-closes)."""
    if not closed and not (len(opens) == 5 and len(closes) == 5 and opens < closes):
        raise RuleError("bad_hours", N_("Shortened hours need an opening time before the closing time."), status=400)
    row = on(session, office_id, day) or SpecialDay(office_id=office_id, day=day, created_at=now or utcnow())
    row.closed, row.opens, row.closes = closed, "" if closed else opens, "" if closed else closes
    row.note, row.note_en = note.strip()[:200], note_en.strip()[:200]
    session.add(row)
    session.flush()
    return row


def remove_day(session: Session, *, office_id: int, day: date) -> bool:
    """Remove the office's special day on `day`; False when there was none."""
    row = on(session, office_id, day)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def sync_from_settings(session: Session, office_id: int, settings: Settings) -> int:
    """Write config.toml's special days (creating or updating each; never deleting one made elsewhere)."""
    for d in settings.office.special_days:
        set_day(
            session,
            office_id=office_id,
            day=d.date,
            closed=d.closed,
            opens=d.hours[0] if d.hours else "",
            closes=d.hours[1] if d.hours else "",
            note=d.note,
            note_en=d.note_en,
        )
    return len(settings.office.special_days)


def office_calendar(session: Session, settings: Settings, office_id: int, start: date, end: date) -> Calendar:
    """The office's working calendar between two days: its weekdays (office.hours), public holidays and cuti
    bersama as configured, and its closures. Shortened days are still working days."""
    weekdays = frozenset(settings.office.hours) or frozenset({1, 2, 3, 4, 5})
    off: dict[date, str] = {}
    d = start
    while d <= end:
        name = holiday_name(d, settings)
        if name:
            off[d] = name
        d += timedelta(days=1)
    for sd in between(session, office_id, start, end):
        if sd.closed:
            off[sd.day] = sd.note or "closed"
        else:  # hours set for a holiday or cuti bersama: the office works that day
            off.pop(sd.day, None)
    return Calendar(weekdays=weekdays, off_days=off)
