"""The admin pages (/admin/): an admin changes the set-up, a supervisor reads it. Each page is a form per item
whose script (static/admin.js) sends it to the JSON endpoints and shows a refusal beside the field at fault,
keeping everything typed."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Response, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from admin import bp, live
from auth.roles import roles_required
from clock import to_local, utcnow
from extensions import get_db, get_settings
from models import CounterService, Office
from rules import audit, calendar_setup, config_export, devices, office_setup, offices, staff, tickets
from rules.roles import ADMIN_ROLES, SUPERVISOR_ROLES

SECTIONS = (
    ("admin.office_page", "office", "Office"),
    ("admin.hours_page", "hours", "Opening hours"),
    ("admin.services_page", "services", "Services"),
    ("admin.counters_page", "counters", "Counters"),
    ("admin.staff_page", "staff", "Staff"),
    ("admin.printers_page", "printers", "Printers"),
    ("admin.devices_page", "devices", "Devices"),
    ("admin.audit_page", "audit", "Audit"),
)


def strings() -> dict:
    """Sentences the pages' script shows."""
    return {
        "network": _("Cannot reach the server; nothing was changed. Try again."),
        "check": _("Please check the highlighted fields."),
        "saving": _("Saving…"),
        "copied": _("Temporary password"),
        "code": _("Pairing code"),
        "expires": _("valid until"),
        "revoked": _("Revoked"),
        "confirm_deactivate": _("Deactivate this account? Its open sessions end at once."),
    }


def audit_rows(rows) -> list[dict]:
    """Audit rows with their time in the office's time zone."""
    tz = get_settings().tz
    return [{**audit.as_dict(r), "local": to_local(r.at, tz).strftime("%Y-%m-%d %H:%M")} for r in rows]


def page(template: str, section: str, **ctx):
    """A page of the admin screens: the sections' navigation, whether this user may change anything."""
    live.refresh(force=False)
    nav = [(endpoint, key, _(label)) for endpoint, key, label in SECTIONS]
    return render_template(
        f"admin/{template}",
        nav=nav,
        section=section,
        can_write=current_user.role in ADMIN_ROLES,
        strings=strings(),
        **ctx,
    )


@bp.route("/")
@roles_required(*SUPERVISOR_ROLES)
def index():
    """The overview: every part of the set-up and the latest changes."""
    with get_db().read() as s:
        latest = audit_rows(audit.entries(s, current_user.office_id, limit=8))
    return page("index.html", "", latest=latest, entities=audit.ENTITIES, actions=audit.ACTIONS)


@bp.route("/office")
@roles_required(*SUPERVISOR_ROLES)
def office_page():
    with get_db().read() as s:
        office = s.get(Office, current_user.office_id)
        d = office_setup.details(office, get_settings())
        code = office.code
    return page("office.html", "office", d=d, code=code)


@bp.route("/hours")
@roles_required(*SUPERVISOR_ROLES)
def hours_page():
    settings = get_settings()
    with get_db().read() as s:
        office = s.get(Office, current_user.office_id)
        d = office_setup.details(office, settings)
        today = tickets.today(office, utcnow())
        days = calendar_setup.next_days(s, settings, office.id, today)
        from rules import special_days

        specials = special_days.between(s, office.id, today, today + timedelta(days=366))
    return page(
        "hours.html",
        "hours",
        d=d,
        days=days,
        specials=specials,
        today=today,
        weekdays=office_setup.WEEKDAY_NAMES,
    )


@bp.route("/services")
@roles_required(*SUPERVISOR_ROLES)
def services_page():
    with get_db().read() as s:
        items = offices.services(s, current_user.office_id, active_only=False)
    return page("services.html", "services", items=items)


@bp.route("/counters")
@roles_required(*SUPERVISOR_ROLES)
def counters_page():
    from models import Counter

    with get_db().read() as s:
        items = list(
            s.exec(select(Counter).where(Counter.office_id == current_user.office_id).order_by(Counter.number))
        )
        served = {}
        for cs in s.exec(select(CounterService)):
            served.setdefault(cs.counter_id, set()).add(cs.service_id)
        services = offices.services(s, current_user.office_id, active_only=True)
    from flask import current_app

    printing = current_app.extensions.get("loket.printing")
    printer_names = sorted(printing.printers) if printing is not None else []
    return page("counters.html", "counters", items=items, served=served, services=services, printers=printer_names)


@bp.route("/staff")
@roles_required(*SUPERVISOR_ROLES)
def staff_page():
    with get_db().read() as s:
        items = staff.staff_of(s, current_user.office_id)
        office_codes = [o.code for o in s.exec(select(Office).order_by(Office.code))]
    return page("staff.html", "staff", items=items, roles=staff.ROLE_NAMES, office_codes=office_codes)


@bp.route("/printers")
@roles_required(*SUPERVISOR_ROLES)
def printers_page():
    """Printers and stations as config.toml sets them (connection, paper, profile); /printers/ tests them."""
    from flask import current_app

    printing = current_app.extensions.get("loket.printing")
    rows = []
    if printing is not None:
        for name, p in sorted(printing.printers.items()):
            raw = p.model_dump()
            connection = {
                k: raw[k]
                for k in ("host", "port", "vendor_id", "product_id", "device", "queue", "path", "directory")
                if raw.get(k)
            }
            rows.append(
                {
                    "name": name,
                    "label": p.label,
                    "label_en": getattr(p, "label_en", ""),
                    "backend": raw.get("backend", ""),
                    "connection": connection,
                    "paper_mm": raw.get("paper_mm", ""),
                    "profile": raw.get("profile", ""),
                    "stations": printing.stations_of(name),
                }
            )
    return page("printers.html", "printers", rows=rows)


@bp.route("/devices")
@roles_required(*SUPERVISOR_ROLES)
def devices_page():
    """Kiosks and displays: make a pairing code, see when each was last seen, revoke one."""
    from devices.api import configured_stations, device_json

    with get_db().read() as s:
        items = [device_json(d) for d in devices.list_devices(s, current_user.office_id)]
    return page("devices.html", "devices", items=items, stations=sorted(configured_stations()))


@bp.route("/audit")
@roles_required(*SUPERVISOR_ROLES)
def audit_page():
    with get_db().read() as s:
        rows = audit_rows(audit.entries(s, current_user.office_id, limit=500))
    return page("audit.html", "audit", rows=rows, entities=audit.ENTITIES, actions=audit.ACTIONS, dumps=json.dumps)


@bp.route("/export.toml")
@roles_required(*SUPERVISOR_ROLES)
def export_config():
    """The office's current set-up as config.toml sections (download)."""
    with get_db().read() as s:
        text = config_export.export(s, get_settings(), current_user.office_id)
    return Response(
        text,
        mimetype="application/toml",
        headers={"Content-Disposition": 'attachment; filename="loket-config.toml"'},
    )
