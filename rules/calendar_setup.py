"""Special days as the admin sets them (closures, shortened hours, a cuti bersama day the office works or not),
and the next weeks' calendar the hours screen shows: what the kiosk will do each day and why."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from rules import audit, office_setup, special_days
from rules.audit import Actor
from rules.errors import N_
from rules.opening import holiday_name
from settings import Settings


def day_fields(row) -> dict:
    if row is None:
        return {}
    return {
        "day": row.day.isoformat(),
        "closed": row.closed,
        "opens": row.opens,
        "closes": row.closes,
        "note": row.note,
        "note_en": row.note_en,
    }


def set_day(
    session: Session,
    *,
    office_id: int,
    actor: Actor,
    day: date,
    today: date,
    closed: bool,
    opens: str = "",
    closes: str = "",
    note: str = "",
    note_en: str = "",
    now: datetime | None = None,
):
    """Create or change a special day. A day in the past cannot be set (history stays as it was); a closure
    needs its note (the kiosk shows it); shortened hours need HH:MM times, the opening first."""
    if day < today:
        raise audit.invalid("day", "day_past", N_("This day is in the past: choose today or a later day."))
    if closed and not (note or "").strip():
        raise audit.invalid("note", "note_needed", N_("Write the note the kiosk shows on a closed day."))
    if not closed:
        if not (office_setup.HHMM.match(opens or "") and office_setup.HHMM.match(closes or "")):
            raise audit.invalid("opens", "bad_time", N_("Type both times as HH:MM (for example 08:00 and 15:30)."))
        if opens >= closes:
            raise audit.invalid("opens", "bad_hours", N_("The closing time must be after the opening time."))
    before = day_fields(special_days.on(session, office_id, day))
    row = special_days.set_day(
        session,
        office_id=office_id,
        day=day,
        closed=closed,
        opens=opens,
        closes=closes,
        note=note,
        note_en=note_en,
        now=now,
    )
    office_setup.bump(session, office_id)
    audit.record(
        session,
        office_id=office_id,
        actor=actor,
        entity="special_day",
        action="changed" if before else "created",
        entity_id=row.id,
        summary=day.isoformat(),
        before=before or None,
        after=day_fields(row),
        now=now,
    )
    return row


def remove_day(session: Session, *, office_id: int, actor: Actor, day: date, today: date, now=None) -> bool:
    """Remove a special day (today or later); the day goes back to the usual hours."""
    if day < today:
        raise audit.invalid("day", "day_past", N_("This day is in the past: choose today or a later day."))
    before = day_fields(special_days.on(session, office_id, day))
    if not special_days.remove_day(session, office_id=office_id, day=day):
        return False
    office_setup.bump(session, office_id)
    audit.record(
        session,
        office_id=office_id,
        actor=actor,
        entity="special_day",
        action="removed",
        summary=day.isoformat(),
        before=before,
        now=now,
    )
    return True


def next_days(session: Session, settings: Settings, office_id: int, today: date, days: int = 30) -> list[dict]:
    """Each day from today: open or closed, its hours and why (weekday, holiday, cuti bersama, special day).

    `settings` must already carry the office's values (office_setup.lay_over)."""
    specials = {sd.day: sd for sd in special_days.between(session, office_id, today, today + timedelta(days=days - 1))}
    out = []
    for i in range(days):
        d = today + timedelta(days=i)
        sd = specials.get(d)
        span = settings.office.hours.get(d.isoweekday())
        entry = {"day": d, "open": span is not None, "opens": "", "closes": "", "why": "", "note": "", "note_en": ""}
        if span is not None:
            entry["opens"], entry["closes"] = span[0].strftime("%H:%M"), span[1].strftime("%H:%M")
        else:
            entry["why"] = "closed_day"
        name = holiday_name(d, settings)
        if name:
            entry.update(open=False, why="holiday", note=name, note_en=holiday_name(d, settings, "en"))
        if sd is not None:
            entry.update(special=True, note=sd.note, note_en=sd.note_en)
            if sd.closed:
                entry.update(open=False, why="closure")
            else:
                entry.update(open=True, why="shortened", opens=sd.opens, closes=sd.closes)
        out.append(entry)
    return out
