"""The office's current set-up as config.toml sections: [office] (details, complaint channels, hours, holidays,
coming special days), [[services]] and [[counters]] (active ones), [printers] and [stations]. The file is a
config.toml on its own (`load_settings` reads it) and `manage.py sync-config` brings an office in line with it."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import Session, select

from clock import utcnow
from models import Counter, CounterService, Office, Service
from rules import office_setup, special_days, tickets
from settings import Settings


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return json.dumps(str(v), ensure_ascii=False)  # a TOML basic string is a JSON string


def _key(k) -> str:
    k = str(k)
    return k if k.replace("_", "").replace("-", "").isalnum() and k.isascii() else json.dumps(k)


def _table(lines: list[str], header: str, data: dict) -> None:
    lines.append(header)
    for k, v in data.items():
        if v is None or isinstance(v, dict):
            continue
        lines.append(f"{_key(k)} = {_value(v)}")
    lines.append("")


def export(session: Session, settings: Settings, office_id: int) -> str:
    """The TOML text."""
    office = session.get(Office, office_id)
    d = office_setup.details(office, settings)
    lines = [
        f"# Loket configuration of office {office.code}, exported {utcnow().strftime('%Y-%m-%d %H:%M')} UTC.",
        "# Import it with: LOKET_CONFIG=this-file python manage.py sync-config (or copy its sections into",
        "# config.toml). Sections not listed here ([app], [security], [privacy], [mail], ...) keep their defaults.",
        "",
    ]
    _table(
        lines,
        "[office]",
        {
            "code": office.code,
            "name": office.name,
            "short_name": office.short_name,
            "address": office.address,
            "timezone": office.timezone,
            "service_limit_minutes": office.service_limit_minutes,
        },
    )
    _table(lines, "[office.complaints]", {k: v for k, v in d["complaints"].items() if v})
    _table(lines, "[office.hours]", dict(d["hours"].items()))
    _table(
        lines,
        "[office.holidays]",
        {
            "observe_public_holidays": office.observe_public_holidays,
            "observe_cuti_bersama": office.observe_cuti_bersama,
        },
    )
    today = tickets.today(office)
    for sd in special_days.between(session, office.id, today, today + timedelta(days=3 * 366)):
        row = {"date": sd.day.isoformat(), "closed": sd.closed}
        if not sd.closed:
            row["hours"] = [sd.opens, sd.closes]
        row.update(note=sd.note, note_en=sd.note_en)
        lines.append("[[office.special_days]]")
        lines.extend(f"{k} = {_value(v)}" for k, v in row.items())
        lines.append("")
    services = list(
        session.exec(select(Service).where(Service.office_id == office.id).order_by(Service.sort_order, Service.id))
    )
    code_of = {s.id: s.code for s in services if s.active}
    for s in services:
        if not s.active:
            lines.append(f"# inactive service, not exported: {s.code} ({s.prefix}) {s.name}")
            continue
        _table(
            lines,
            "[[services]]",
            {"code": s.code, "prefix": s.prefix, "name": s.name, "name_en": s.name_en, "paid": s.paid},
        )
    for c in session.exec(select(Counter).where(Counter.office_id == office.id).order_by(Counter.number)):
        ids = session.exec(select(CounterService.service_id).where(CounterService.counter_id == c.id)).all()
        codes = [code_of[i] for i in sorted(ids) if i in code_of]
        if not c.active or not codes:
            lines.append(f"# inactive counter, not exported: {c.number} {c.name}")
            continue
        row = {"number": c.number, "name": c.name, "services": codes}
        if c.printer:
            row["printer"] = c.printer
        _table(lines, "[[counters]]", row)
    for name, p in settings.printers.items():
        _table(lines, f"[printers.{_key(name)}]", dict(p))
    if settings.stations:
        _table(lines, "[stations]", dict(settings.stations))
    return "\n".join(lines)
