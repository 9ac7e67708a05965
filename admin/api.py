"""The admin's JSON endpoints (admin role): each change goes through one rule, is audited in the same
transaction, is laid over this process's settings and reaches every screen through realtime.publish."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from spectree import Response

from admin import live
from admin import schemas as S
from api.schemas import STAFF_ERRORS
from auth.roles import roles_required
from clock import utcnow
from extensions import api_spec, get_db, get_settings
from models import Office
from realtime import publish
from rules import audit, calendar_setup, catalog, office_setup, staff, tickets
from rules.audit import Actor
from rules.errors import N_
from rules.roles import ADMIN_ROLES, SUPERVISOR_ROLES

bp = Blueprint("admin_api", __name__, url_prefix="/api/admin")
SAVED = Response(HTTP_200=S.Saved, **STAFF_ERRORS)


def actor() -> Actor:
    return Actor(current_user.id, current_user.username)


def printers() -> set[str]:
    printing = current_app.extensions.get("loket.printing")
    return set(printing.printers) if printing is not None else set()


def _done(office_id: int, message: str, status: int = 200, **extra):
    """After the commit: this process's settings, then every screen of the office (a snapshot)."""
    live.refresh()
    publish(office_id, event="office_setup_changed", data={})
    return jsonify(ok=True, message=message, **extra), status


def _today(s) -> date:
    return tickets.today(s.get(Office, current_user.office_id), utcnow())


@bp.post("/office")
@api_spec.validate(json=S.OfficeIn, resp=SAVED, tags=["admin"])
@roles_required(*ADMIN_ROLES)
def save_office():
    """Change the office's details and complaint channels (Indonesian and English)."""
    b = request.context.json
    with get_db().write() as s:
        office = s.get(Office, current_user.office_id)
        office_setup.update_office(
            s,
            office,
            get_settings(),
            actor=actor(),
            name=b.name,
            short_name=b.short_name,
            address=b.address,
            service_limit_minutes=b.service_limit_minutes,
            complaints_in=b.model_dump(include=set(office_setup.COMPLAINT_KEYS)),
        )
    return _done(current_user.office_id, _("Saved."))


@bp.post("/hours")
@api_spec.validate(json=S.HoursIn, resp=SAVED, tags=["admin"])
@roles_required(*ADMIN_ROLES)
def save_hours():
    """Set the opening hours per weekday and which holidays close the office."""
    b = request.context.json.model_dump()
    spans = {d: (b[f"opens_{d}"], b[f"closes_{d}"]) for d in office_setup.WEEKDAYS}
    with get_db().write() as s:
        office_setup.update_hours(
            s,
            s.get(Office, current_user.office_id),
            get_settings(),
            actor=actor(),
            spans=spans,
            observe_public_holidays=b["observe_public_holidays"],
            observe_cuti_bersama=b["observe_cuti_bersama"],
        )
    return _done(current_user.office_id, _("Saved."))


def _day(text: str, field: str = "day") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise audit.invalid(field, "bad_date", N_("Type a date as YYYY-MM-DD.")) from None


@bp.post("/special-days")
@api_spec.validate(json=S.SpecialDayIn, resp=SAVED, tags=["admin"])
@roles_required(*ADMIN_ROLES)
def save_special_day():
    """Set a special day: a closure (with the note the kiosk shows) or shortened hours, today or later."""
    b = request.context.json
    with get_db().write() as s:
        row = calendar_setup.set_day(
            s,
            office_id=current_user.office_id,
            actor=actor(),
            day=_day(b.day),
            today=_today(s),
            closed=b.closed,
            opens=b.opens,
            closes=b.closes,
            note=b.note,
            note_en=b.note_en,
        )
        row_id = row.id
    return _done(current_user.office_id, _("Saved."), id=row_id)


@bp.post("/special-days/<day>/remove")
@api_spec.validate(resp=SAVED, tags=["admin"])
@roles_required(*ADMIN_ROLES)
def remove_special_day(day: str):
    """Remove a special day (today or later): the usual hours hold again."""
    with get_db().write() as s:
        calendar_setup.remove_day(s, office_id=current_user.office_id, actor=actor(), day=_day(day), today=_today(s))
    return _done(current_user.office_id, _("Removed."))


@bp.post("/services")
@api_spec.validate(json=S.ServiceIn, resp=Response(HTTP_201=S.Saved, **STAFF_ERRORS), tags=["admin"])
@roles_required(*ADMIN_ROLES)
def create_service():
    """Add a service: names in Indonesian and English, ticket prefix, paid or free, active, kiosk order."""
    with get_db().write() as s:
        svc = catalog.create_service(
            s, office_id=current_user.office_id, actor=actor(), data=request.context.json.model_dump()
        )
        out = {"id": svc.id, "item": catalog.service_fields(svc)}
    return _done(current_user.office_id, _("Saved."), 201, **out)


@bp.post("/services/<int:service_id>")
@api_spec.validate(json=S.ServiceIn, resp=SAVED, tags=["admin"])
@roles_required(*ADMIN_ROLES)
def update_service(service_id: int):
    """Change a service (its tickets stay its own; a prefix change waits until none of its tickets is open)."""
    with get_db().write() as s:
        svc = catalog.update_service(
            s,
            office_id=current_user.office_id,
            service_id=service_id,
            actor=actor(),
            data=request.context.json.model_dump(),
            today=_today(s),
        )
        out = {"id": svc.id, "item": catalog.service_fields(svc)}
    return _done(current_user.office_id, _("Saved."), **out)


@bp.post("/counters")
@api_spec.validate(json=S.CounterIn, resp=Response(HTTP_201=S.Saved, **STAFF_ERRORS), tags=["admin"])
@roles_required(*ADMIN_ROLES)
def create_counter():
    """Add a counter: number, name, the services it serves (at least one), its printer."""
    with get_db().write() as s:
        c = catalog.create_counter(
            s,
            office_id=current_user.office_id,
            actor=actor(),
            data=request.context.json.model_dump(),
            printers=printers(),
        )
        out = {"id": c.id, "item": catalog.counter_fields(s, c)}
    return _done(current_user.office_id, _("Saved."), 201, **out)


@bp.post("/counters/<int:counter_id>")
@api_spec.validate(json=S.CounterIn, resp=SAVED, tags=["admin"])
@roles_required(*ADMIN_ROLES)
def update_counter(counter_id: int):
    """Change a counter (deactivating one an officer holds open is refused)."""
    with get_db().write() as s:
        c = catalog.update_counter(
            s,
            office_id=current_user.office_id,
            counter_id=counter_id,
            actor=actor(),
            data=request.context.json.model_dump(),
            printers=printers(),
        )
        out = {"id": c.id, "item": catalog.counter_fields(s, c)}
    return _done(current_user.office_id, _("Saved."), **out)


@bp.post("/staff")
@api_spec.validate(json=S.StaffIn, resp=Response(HTTP_201=S.PasswordOut, **STAFF_ERRORS), tags=["admin"])
@roles_required(*ADMIN_ROLES)
def create_staff():
    """Create a staff account: it gets a temporary password (shown once) to change at its first sign-in."""
    b = request.context.json
    with get_db().write() as s:
        user, password = staff.create(
            s,
            office_id=current_user.office_id,
            actor=actor(),
            username=b.username,
            name=b.name,
            role=b.role,
            min_length=get_settings().security.min_password_length,
        )
        out = {"id": user.id, "username": user.username, "password": password}
    message = _("Account created. Give this temporary password to the person; it must be changed at the first sign-in.")
    return jsonify(ok=True, message=message, **out), 201


@bp.post("/staff/<int:user_id>")
@api_spec.validate(json=S.StaffChange, resp=SAVED, tags=["admin"])
@roles_required(*ADMIN_ROLES)
def update_staff(user_id: int):
    """Change an account's name, role, office, or whether it may sign in (deactivation ends its sessions)."""
    b = request.context.json
    with get_db().write() as s:
        user = staff.update(
            s,
            office_id=current_user.office_id,
            user_id=user_id,
            actor=actor(),
            name=b.name,
            role=b.role,
            office_code=b.office,
            active=b.active,
        )
        out = {"id": user.id, "item": staff.fields(user)}
    return jsonify(ok=True, message=_("Saved."), **out)


@bp.post("/staff/<int:user_id>/reset-password")
@api_spec.validate(resp=Response(HTTP_200=S.PasswordOut, **STAFF_ERRORS), tags=["admin"])
@roles_required(*ADMIN_ROLES)
def reset_staff_password(user_id: int):
    """Give an account a temporary password (shown once); it must be changed at the next sign-in."""
    with get_db().write() as s:
        user, password = staff.reset_password(s, office_id=current_user.office_id, user_id=user_id, actor=actor())
        out = {"id": user.id, "username": user.username, "password": password}
    message = _("Password reset. Give this temporary password to the person; it must be changed at the next sign-in.")
    return jsonify(ok=True, message=message, **out)


@bp.get("/audit")
@api_spec.validate(resp=Response(HTTP_200=S.AuditOut, **STAFF_ERRORS), tags=["admin"])
@roles_required(*SUPERVISOR_ROLES)
def audit_list():
    """The office's latest set-up changes, newest first: who, when, what, before and after."""
    with get_db().read() as s:
        rows = audit.entries(s, current_user.office_id, entity=request.args.get("entity", "")[:24])
        return jsonify(entries=[audit.as_dict(r) for r in rows])
