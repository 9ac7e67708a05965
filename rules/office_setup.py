"""The office's own set-up, edited on the admin screens and seeded from config.toml: its details, complaint
channels (Indonesian and English), opening hours per weekday and which holidays close it.

The database holds these values; every server process lays them over its settings (`lay_over`) so the rules that
read `settings.office` (opening hours, holidays, the complaint box) see the admin's values: at once in the
process that made the change, and in the others when they see the office's `setup_version` move on."""

from __future__ import annotations

import json
import re
from datetime import datetime, time

from sqlmodel import Session

from models import Office
from rules import audit
from rules.audit import Actor
from rules.errors import N_
from settings import Complaints, HolidaySettings, Settings

WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)
# The weekday names (ISO 1 = Monday), as the hours form shows them (msgids).
WEEKDAY_NAMES = {
    1: N_("Monday"),
    2: N_("Tuesday"),
    3: N_("Wednesday"),
    4: N_("Thursday"),
    5: N_("Friday"),
    6: N_("Saturday"),
    7: N_("Sunday"),
}
COMPLAINT_KEYS = ("box", "box_en", "lapor", "web", "email", "whatsapp")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def complaints(office: Office, settings: Settings) -> dict[str, str]:
    """The office's complaint channels (config.toml's while the office holds none)."""
    if office.complaints_json:
        stored = json.loads(office.complaints_json)
        return {k: str(stored.get(k, "")) for k in COMPLAINT_KEYS}
    return settings.office.complaints.model_dump()


def hours(office: Office, settings: Settings) -> dict[int, tuple[str, str]]:
    """The office's opening hours per ISO weekday as ("HH:MM", "HH:MM"); a day not listed is closed."""
    if office.hours_json:
        return {int(d): (span[0], span[1]) for d, span in json.loads(office.hours_json).items()}
    return {d: (a.strftime("%H:%M"), b.strftime("%H:%M")) for d, (a, b) in settings.office.hours.items()}


def details(office: Office, settings: Settings) -> dict:
    """Everything of the office's own set-up, as the office screen and the audit show it."""
    return {
        "name": office.name,
        "short_name": office.short_name,
        "address": office.address,
        "service_limit_minutes": office.service_limit_minutes,
        "complaints": complaints(office, settings),
        "hours": {str(d): list(span) for d, span in sorted(hours(office, settings).items())},
        "observe_public_holidays": office.observe_public_holidays,
        "observe_cuti_bersama": office.observe_cuti_bersama,
    }


def seed_from_settings(office: Office, settings: Settings) -> None:
    """Write config.toml's complaint channels, hours and holiday settings into the office (sync-config)."""
    o = settings.office
    office.complaints_json = json.dumps(o.complaints.model_dump(), ensure_ascii=False, sort_keys=True)
    office.hours_json = json.dumps(
        {str(d): [a.strftime("%H:%M"), b.strftime("%H:%M")] for d, (a, b) in sorted(o.hours.items())}
    )
    office.observe_public_holidays = o.holidays.observe_public_holidays
    office.observe_cuti_bersama = o.holidays.observe_cuti_bersama
    office.setup_version = (office.setup_version or 0) + 1


def lay_over(settings: Settings, office: Office) -> None:
    """Make `settings.office` say what the office's row says (name, address, complaints, hours, holidays).

    The settings are frozen for everyone else; this is the one place that writes them, in place, so that every
    holder of the object (the app, the working-day clock, the templates) sees the admin's values."""
    o = settings.office
    if office.code != o.code:
        return
    new = {
        "name": office.name,
        "short_name": office.short_name,
        "address": office.address,
        "service_limit_minutes": office.service_limit_minutes,
        "holidays": HolidaySettings(
            observe_public_holidays=office.observe_public_holidays, observe_cuti_bersama=office.observe_cuti_bersama
        ),
    }
    if office.complaints_json:
        new["complaints"] = Complaints(**complaints(office, settings))
    if office.hours_json:
        new["hours"] = {
            d: (time.fromisoformat(a), time.fromisoformat(b)) for d, (a, b) in hours(office, settings).items()
        }
    for key, value in new.items():
        object.__setattr__(o, key, value)


def _text(value, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def update_office(
    session: Session,
    office: Office,
    settings: Settings,
    *,
    actor: Actor,
    name: str,
    short_name: str = "",
    address: str = "",
    service_limit_minutes: int = 10,
    complaints_in: dict | None = None,
    now: datetime | None = None,
) -> Office:
    """Change the office's details and complaint channels (a name of at least 3 letters; a limit of 1-240
    minutes)."""
    before = details(office, settings)
    name = _text(name, 200)
    if len(name) < 3:
        raise audit.invalid("name", "bad_name", N_("The office's name needs at least 3 letters."))
    if not 1 <= int(service_limit_minutes) <= 240:
        raise audit.invalid("service_limit_minutes", "bad_limit", N_("The service limit is between 1 and 240 minutes."))
    office.name, office.short_name, office.address = name, _text(short_name, 80), _text(address, 300)
    office.service_limit_minutes = int(service_limit_minutes)
    if complaints_in is not None:
        channels = {k: _text(complaints_in.get(k, ""), 200) for k in COMPLAINT_KEYS}
        office.complaints_json = json.dumps(channels, ensure_ascii=False, sort_keys=True)
    return _changed(session, office, settings, actor, "office", before, now)


def update_hours(
    session: Session,
    office: Office,
    settings: Settings,
    *,
    actor: Actor,
    spans: dict[int, tuple[str, str] | None],
    observe_public_holidays: bool,
    observe_cuti_bersama: bool,
    now: datetime | None = None,
) -> Office:
    """Set the opening hours per weekday (None: closed that day) and which holidays close the office.

    Each open day needs two HH:MM times, the opening before the closing (hours that overlap themselves or end
    before they begin are refused), and the week at least one open day."""
    before = details(office, settings)
    out = {}
    for day in WEEKDAYS:
        span = spans.get(day)
        if not span or not (span[0] or span[1]):
            continue
        opens, closes = (span[0] or "").strip(), (span[1] or "").strip()
        field = f"opens_{day}"
        if not (HHMM.match(opens) and HHMM.match(closes)):
            raise audit.invalid(field, "bad_time", N_("Type both times as HH:MM (for example 08:00 and 15:30)."))
        if opens >= closes:
            raise audit.invalid(field, "bad_hours", N_("The closing time must be after the opening time."))
        out[str(day)] = [opens, closes]
    if not out:
        raise audit.invalid("opens_1", "no_open_day", N_("The office needs at least one open day a week."))
    office.hours_json = json.dumps(out)
    office.observe_public_holidays, office.observe_cuti_bersama = (
        bool(observe_public_holidays),
        bool(observe_cuti_bersama),
    )
    return _changed(session, office, settings, actor, "hours", before, now)


def _changed(session, office, settings, actor, entity, before, now) -> Office:
    office.setup_version = (office.setup_version or 0) + 1
    session.add(office)
    session.flush()
    audit.record(
        session,
        office_id=office.id,
        actor=actor,
        entity=entity,
        entity_id=office.id,
        action="changed",
        summary=office.code,
        before=before,
        after=details(office, settings),
        now=now,
    )
    return office


def bump(session: Session, office_id: int) -> None:
    """Tell every server process the office's set-up changed (services, counters, special days...)."""
    office = session.get(Office, office_id)
    office.setup_version = (office.setup_version or 0) + 1
    session.add(office)
