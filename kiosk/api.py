"""The kiosk's JSON endpoints (public): the services and whether the unit is open, taking a number with the
guest book, and recognising a returning visitor. Each translates HTTP to one call of the rules and back."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from pydantic import ValidationError
from spectree import Response

from api.schemas import ERRORS, Error, TicketOut
from clock import business_day, utcnow
from devices.web import require_kiosk
from extensions import api_spec, get_db, get_settings
from kiosk import schemas as S
from links import ticket_status_url
from printer import jobs as print_jobs
from realtime import publish
from rules import guestbook, offices, snapshot, special_days, throttle
from rules.issuing import CLOSED_MESSAGES, Closed, take_number
from rules.opening import opening

bp = Blueprint("kiosk_api", __name__, url_prefix="/api")


def closed_message(state) -> str:
    """The kiosk's sentence for why no ticket can be taken now (the holiday named in the screen's language)."""
    if state.open:
        return ""
    return _(
        CLOSED_MESSAGES[state.reason], holiday=state.holiday_in(get_locale()), opens=state.opens, closes=state.closes
    )


@bp.get("/offices/<code>/services")
@api_spec.validate(resp=Response(HTTP_200=S.ServiceList, **ERRORS), tags=["kiosk"])
def list_services(code: str):
    """The services a visitor can take a ticket for, and whether the kiosk is open now."""
    now, settings = utcnow(), get_settings()
    with get_db().read() as s:
        office = offices.get_office(s, code)
        state = opening(now, settings, special_days.on(s, office.id, business_day(now, settings.tz)))
        services = [snapshot.service_json(x) for x in offices.services(s, office.id)]
    return jsonify(services=services, open=state.open, closed_reason=state.reason, closed_message=closed_message(state))


KIOSK_ERRORS = {**ERRORS, "HTTP_403": Error, "HTTP_429": Error}


@bp.post("/offices/<code>/tickets")
@api_spec.validate(
    json=S.TicketRequest, resp=Response(HTTP_201=TicketOut, **KIOSK_ERRORS), tags=["kiosk"], skip_validation=True
)
def issue_ticket(code: str):
    """Sign the guest book and take a number (from a paired kiosk of this office: its station's printer prints
    the ticket; 403 from any other browser). The ticket is queued for printing."""
    try:
        form = guestbook.GuestBookForm.model_validate(request.get_json(silent=True) or {})
    except ValidationError as e:
        fields = {
            k: _(getattr(v, "msgid", v), **getattr(v, "params", {})) for k, v in guestbook.errors_by_field(e).items()
        }
        return jsonify(error="invalid", message=_("Please check the highlighted fields."), fields=fields), 400
    settings = get_settings()
    try:
        with get_db().write() as s:
            office = offices.get_office(s, code)
            # The server decides where the paper goes: the paired device's station, never a request header.
            station = require_kiosk(s, office.id).station
            issued = take_number(s, office=office, form=form, settings=settings)
            job = print_jobs.enqueue_ticket(s, issued.ticket, station=station)
            out = snapshot.ticket_public(
                s,
                issued.ticket,
                office,
                estimate_minutes=issued.estimate_minutes,
                ahead=issued.ahead,
                service=issued.service,
            )
            office_id = office.id
    except Closed as closed:
        return jsonify(error="closed", message=closed_message(closed.state)), 409
    out["print_job_id"] = job.id
    out["status_url"] = ticket_status_url(settings, out["status_token"])
    # The counters' screens hear of the new ticket; wall displays only need the snapshot that follows.
    publish(
        office_id,
        event="ticket_issued",
        data={"code": out["code"], "service_id": out["service"]["id"]},
        staff_only=True,
    )
    return jsonify(out), 201


@bp.post("/offices/<code>/visitors/lookup")
@api_spec.validate(json=S.VisitorLookup, resp=Response(HTTP_200=S.LookupOut, **KIOSK_ERRORS), tags=["kiosk"])
def lookup_visitor(code: str):
    """Is this a returning visitor? Only whether a record has both the e-mail and the phone typed: nothing else
    about them is revealed (the visit then keeps the record's answers for what is left blank). From a paired
    kiosk of this office only, throttled per kiosk ([privacy] lookups_per_minute, counted across processes)."""
    body = request.context.json
    limit = get_settings().privacy.lookups_per_minute
    with get_db().write() as s:
        office = offices.get_office(s, code)
        device = require_kiosk(s, office.id)
        allowed = throttle.hit(s, f"lookup:device:{device.id}", limit=limit, window=timedelta(minutes=1))
        visitor = guestbook.recognise(s, office_id=office.id, email=body.email, phone=body.phone) if allowed else None
    if not allowed:
        return jsonify(error="too_many", message=_("Too many look-ups. Please wait a minute and try again.")), 429
    return jsonify(found=visitor is not None)
