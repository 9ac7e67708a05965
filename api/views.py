"""JSON API routes: each one translates HTTP to a call of the rules and back; none decides anything."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from pydantic import ValidationError
from spectree import Response

from api import bp
from api import schemas as S
from auth.roles import COUNTER_ROLES, StaffUser, roles_required
from clock import utcnow
from extensions import api_spec, get_db, get_settings
from links import ticket_status_url
from sqlalchemy import bindparam
from sqlmodel import select

from models import Counter, Office, Service, Ticket
from printer import jobs as print_jobs
from realtime import call_message, publish
from rules import counters as counter_rules
from rules import guestbook, offices, snapshot, tickets
from rules.errors import N_, NotFound, RuleError
from rules.estimate import estimated_wait_minutes
from rules.opening import opening
from rules.users import authenticate

ERRORS = {"HTTP_400": S.Error, "HTTP_404": S.Error, "HTTP_409": S.Error}
STAFF_ERRORS = {**ERRORS, "HTTP_401": S.Error, "HTTP_403": S.Error}
CLOSED_MESSAGES = {
    "holiday": N_("The PST unit is closed today (%(holiday)s)."),
    "closed_day": N_("The PST unit is closed today."),
    "before_hours": N_("The PST unit opens at %(opens)s."),
    "after_hours": N_("The PST unit has closed for today (open until %(closes)s)."),
}


def _service_json(s: Service) -> dict:
    return {"id": s.id, "code": s.code, "prefix": s.prefix, "name": s.name, "name_en": s.name_en, "paid": s.paid}


def closed_message(state) -> str:
    """The kiosk's sentence for why no ticket can be taken now."""
    if state.open:
        return ""
    return _(CLOSED_MESSAGES[state.reason], holiday=state.holiday_in(get_locale()), opens=state.opens, closes=state.closes)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document of this API, generated from the routes and their pydantic models."""
    return jsonify(api_spec.spec)


# ---- public: kiosk and displays -------------------------------------------------------------------

@bp.get("/offices/<code>/services")
@api_spec.validate(resp=Response(HTTP_200=S.ServiceList, **ERRORS), tags=["kiosk"])
def list_services(code: str):
    """The services a visitor can take a ticket for, and whether the kiosk is open now."""
    state = opening(utcnow(), get_settings())
    with get_db().read() as s:
        office = offices.get_office(s, code)
        services = [_service_json(x) for x in offices.services(s, office.id)]
    return jsonify(services=services, open=state.open, closed_reason=state.reason, closed_message=closed_message(state))


@bp.post("/offices/<code>/tickets")
@api_spec.validate(json=S.TicketRequest, resp=Response(HTTP_201=S.TicketOut, **ERRORS), tags=["kiosk"],
                   skip_validation=True)
def issue_ticket(code: str):
    """Sign the guest book and take a number (public, from the kiosk). The ticket is queued for printing."""
    state = opening(utcnow(), get_settings())
    if not state.open:
        return jsonify(error="closed", message=closed_message(state)), 409
    try:
        form = guestbook.GuestBookForm.model_validate(request.get_json(silent=True) or {})
    except ValidationError as e:
        fields = {k: _(getattr(v, "msgid", v), **getattr(v, "params", {}))
                  for k, v in guestbook.errors_by_field(e).items()}
        return jsonify(error="invalid", message=_("Please check the highlighted fields."), fields=fields), 400
    station = request.headers.get("X-Loket-Station") or "kiosk-1"
    settings = get_settings()
    with get_db().write() as s:
        office = offices.get_office(s, code)
        # Held here, the service read by the rules stays in the session for the answer (no second SELECT).
        service = s.get(Service, form.service_id)
        ticket = guestbook.sign_and_take_ticket(s, office=office, form=form)
        job = print_jobs.enqueue_ticket(s, ticket, station=station)
        ahead = tickets.people_ahead(s, ticket)
        wait = estimated_wait_minutes(s, office_id=office.id, service_id=ticket.service_id, ahead=ahead,
                                      default_minutes=settings.app.default_service_minutes)
        ticket.estimated_wait_minutes = wait  # kept so reports can check the promise against the real wait
        s.add(ticket)
        out = snapshot.ticket_public(s, ticket, office, estimate_minutes=wait, ahead=ahead,
                                       service=service)  # counted once
        office_id = office.id
    out["print_job_id"] = job.id
    out["status_url"] = ticket_status_url(settings, out["status_token"])
    # The counters' screens hear of the new ticket; wall displays only need the snapshot that follows.
    publish(office_id, event="ticket_issued", data={"code": out["code"], "service_id": out["service"]["id"]},
            staff_only=True)
    return jsonify(out), 201


@bp.get("/tickets/status/<token>")
@api_spec.validate(resp=Response(HTTP_200=S.TicketOut, HTTP_404=S.Error), tags=["visitor"])
def ticket_status(token: str):
    """A visitor's own ticket, by the unguessable token on their slip."""
    settings = get_settings()
    with get_db().read() as s:
        from rules.visitor_status import live_ticket  # the status page's link life: expired looks like unknown
        ticket = live_ticket(s, token, keep_hours=settings.app.status_link_hours)
        if ticket is None:
            return jsonify(error="not_found", message=_("This ticket link is not valid.")), 404
        office = s.get(Office, ticket.office_id)
        ahead = tickets.people_ahead(s, ticket)
        wait = estimated_wait_minutes(s, office_id=office.id, service_id=ticket.service_id, ahead=ahead,
                                      default_minutes=settings.app.default_service_minutes)
        return jsonify(snapshot.ticket_public(s, ticket, office, estimate_minutes=wait))


@bp.post("/offices/<code>/visitors/lookup")
@api_spec.validate(json=S.VisitorLookup, resp=Response(HTTP_200=S.Prefill, **ERRORS), tags=["kiosk"])
def lookup_visitor(code: str):
    """Find a returning visitor by email or phone to prefill the guest book (never returns an NPWP)."""
    body = request.context.json
    with get_db().read() as s:
        office = offices.get_office(s, code)
        visitor = guestbook.find_visitor(s, office_id=office.id, email=body.email, phone=body.phone)
        return jsonify(found=visitor is not None, visitor=guestbook.prefill(visitor) if visitor else None)


@bp.get("/offices/<code>/queue")
@api_spec.validate(resp=Response(HTTP_200=S.Snapshot, HTTP_404=S.Error), tags=["display"])
def queue_snapshot(code: str):
    """The public queue snapshot: counters, last calls, waiting per service. No personal data."""
    from realtime import snapshot_for
    with get_db().read() as s:
        return jsonify(snapshot_for(s, offices.get_office(s, code)))


@bp.errorhandler(guestbook.FieldsInvalid)
def _fields_invalid(err: guestbook.FieldsInvalid):
    """A form the rules refused after reading the database: the same shape as a validation error."""
    return jsonify(error=err.code, message=_(err.message), fields={k: _(v) for k, v in err.fields.items()}), 400


# ---- sign-in --------------------------------------------------------------------------------------

@bp.get("/session")
@api_spec.validate(resp=Response(HTTP_200=S.SessionOut), tags=["auth"])
def session_info():
    """The CSRF token to send as X-CSRFToken, and who is signed in."""
    user = None
    if current_user.is_authenticated:
        user = {"id": current_user.id, "username": current_user.username, "name": current_user.name,
                "role": current_user.role}
    return jsonify(csrf_token=generate_csrf(), user=user)


@bp.post("/login")
@api_spec.validate(json=S.LoginRequest, resp=Response(HTTP_200=S.SessionOut, HTTP_400=S.Error, HTTP_401=S.Error),
                   tags=["auth"])
def api_login():
    """Sign in with username and password."""
    body = request.context.json
    with get_db().read() as s:
        user = authenticate(s, body.username, body.password)
    if user is None:
        return jsonify(error="bad_credentials", message=_("Wrong username or password.")), 401
    login_user(StaffUser(user))
    return jsonify(csrf_token=generate_csrf(), user={"id": user.id, "username": user.username, "name": user.name,
                                                     "role": user.role})


@bp.post("/logout")
@api_spec.validate(tags=["auth"])
def api_logout():
    """Sign out."""
    logout_user()
    return jsonify(ok=True)


# ---- the counter ----------------------------------------------------------------------------------

_COUNTER_FOR_UPDATE = select(Counter).where(Counter.id == bindparam("counter_id")).with_for_update()  # built once


def _held_counter(s, counter_id: int) -> Counter:
    """The counter, if it is in the user's office and the user holds it."""
    # Read under the row lock the action itself takes: a takeover committed meanwhile must be seen here,
    # not after the check (PostgreSQL; SQLite's write transaction already holds the database).
    counter = s.exec(_COUNTER_FOR_UPDATE, params={"counter_id": counter_id}).first()
    if counter is None or not counter.active or counter.office_id != current_user.office_id:
        raise NotFound("counter_not_found", N_("This counter does not exist at this office."))
    if counter.officer_id != current_user.id:
        raise RuleError("not_your_counter", N_("Open counter %(counter)s before serving at it."), counter=counter.number)
    return counter


def counter_state(s, counter: Counter) -> dict:
    """Everything the counter screen shows for one counter."""
    office = s.get(Office, counter.office_id)
    sids = offices.counter_service_ids(s, counter.id)
    current = tickets.current_ticket(s, counter.id)
    return {
        "counter": {"id": counter.id, "number": counter.number, "name": counter.name, "status": counter.status,
                    "pause_reason": counter.pause_reason, "officer_id": counter.officer_id},
        "current": snapshot.staff_ticket(s, current, office) if current else None,
        "waiting": snapshot.waiting_for_staff(s, office, sids),
        "no_shows": snapshot.no_shows_today(s, office, sids),
        "services": [_service_json(x) for x in offices.services(s, office.id)],
        "recalls_before_no_show": get_settings().app.recalls_before_no_show,
    }


def _counter_json(c: Counter) -> dict:
    return {"id": c.id, "number": c.number, "name": c.name, "status": c.status, "pause_reason": c.pause_reason}


@bp.get("/counters/<int:counter_id>/state")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.CounterState, **STAFF_ERRORS), tags=["counter"])
def get_counter_state(counter_id: int):
    """The counter's current visitor, its waiting line and its set-aside tickets."""
    with get_db().read() as s:
        counter = offices.get_counter(s, counter_id, office_id=current_user.office_id)
        return jsonify(counter_state(s, counter))


@bp.post("/counters/<int:counter_id>/open")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.CounterState, **STAFF_ERRORS), tags=["counter"])
def open_counter(counter_id: int):
    """Take this counter (and leave any other the officer held)."""
    with get_db().write() as s:
        counter_rules.release_counters_of(s, user_id=current_user.id, except_counter_id=counter_id)
        counter = counter_rules.open_counter(s, counter_id=counter_id, user_id=current_user.id,
                                             office_id=current_user.office_id)
        state = counter_state(s, counter)
    publish(current_user.office_id)
    return jsonify(state)


def _counter_action(counter_id: int, action) -> tuple:
    """Run one action on a counter the user holds, commit, broadcast, and answer with the new state."""
    with get_db().write() as s:
        counter = _held_counter(s, counter_id)
        ticket, call = action(s, counter)
        message = call_message(ticket, counter) if call and ticket else None
        phone = ticket.status_token if message else None  # the called visitor's phone (never on a display)
        counter_out, office_id = _counter_json(counter), counter.office_id
    # Announced as soon as it is committed; the officer's answer is read after that. The write transaction
    # (SQLite's one writer, the counter's row lock on PostgreSQL) lasts no longer than the action itself,
    # so officers calling at the same moment get their calls out one after another without waiting for
    # each other's answers to be built.
    publish(current_user.office_id, call=message, call_token=phone)
    with get_db().read() as s:
        result = {"ticket": snapshot.staff_ticket(s, ticket, s.get(Office, office_id)) if ticket else None,
                  "counter": counter_out}
    return jsonify(result), 200


@bp.post("/counters/<int:counter_id>/call-next")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def call_next(counter_id: int):
    """Call the next visitor (priority first, then arrival). `ticket` is null when no one is waiting."""
    return _counter_action(counter_id, lambda s, c: (
        tickets.call_next(s, counter_id=c.id, user_id=current_user.id, office_id=c.office_id, locked_counter=c),
        True))


@bp.post("/counters/<int:counter_id>/tickets/<int:ticket_id>/recall")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def recall(counter_id: int, ticket_id: int):
    """Announce the called visitor again."""
    return _counter_action(counter_id, lambda s, c: (
        tickets.recall(s, ticket_id=ticket_id, counter_id=c.id, user_id=current_user.id), True))


@bp.post("/counters/<int:counter_id>/tickets/<int:ticket_id>/no-show")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def no_show(counter_id: int, ticket_id: int):
    """Set a called visitor who did not come aside (after the configured number of recalls)."""
    n = get_settings().app.recalls_before_no_show
    return _counter_action(counter_id, lambda s, c: (
        tickets.no_show(s, ticket_id=ticket_id, counter_id=c.id, user_id=current_user.id, recalls_required=n), False))


@bp.post("/counters/<int:counter_id>/tickets/<int:ticket_id>/start")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def start(counter_id: int, ticket_id: int):
    """The visitor has arrived at the counter."""
    return _counter_action(counter_id, lambda s, c: (
        tickets.start(s, ticket_id=ticket_id, counter_id=c.id, user_id=current_user.id), False))


@bp.post("/counters/<int:counter_id>/tickets/<int:ticket_id>/finish")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def finish(counter_id: int, ticket_id: int):
    """Service is over."""
    return _counter_action(counter_id, lambda s, c: (
        tickets.finish(s, ticket_id=ticket_id, counter_id=c.id, user_id=current_user.id), False))


@bp.post("/counters/<int:counter_id>/tickets/<int:ticket_id>/transfer")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=S.TransferRequest, resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def transfer(counter_id: int, ticket_id: int):
    """Send the visitor to another service's queue; they keep their place in time."""
    to = request.context.json.service_id
    return _counter_action(counter_id, lambda s, c: (
        tickets.transfer(s, ticket_id=ticket_id, counter_id=c.id, to_service_id=to, user_id=current_user.id), False))


@bp.post("/counters/<int:counter_id>/tickets/<int:ticket_id>/restore")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def restore(counter_id: int, ticket_id: int):
    """Bring a set-aside (no-show) ticket back into its queue at its original place."""
    return _counter_action(counter_id, lambda s, c: (
        tickets.restore(s, ticket_id=ticket_id, user_id=current_user.id, office_id=c.office_id), False))


@bp.post("/counters/<int:counter_id>/pause")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=S.PauseRequest, resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def pause(counter_id: int):
    """Pause the counter, with a reason."""
    body = request.context.json
    return _counter_action(counter_id, lambda s, c: (
        counter_rules.pause(s, counter_id=c.id, user_id=current_user.id, reason=body.reason, note=body.note) and None,
        False))


@bp.post("/counters/<int:counter_id>/resume")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def resume(counter_id: int):
    """Resume a paused counter."""
    return _counter_action(counter_id, lambda s, c: (
        counter_rules.resume(s, counter_id=c.id, user_id=current_user.id) and None, False))


@bp.post("/counters/<int:counter_id>/close")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def close(counter_id: int):
    """Close the counter (the officer leaves it)."""
    return _counter_action(counter_id, lambda s, c: (
        counter_rules.close_counter(s, counter_id=c.id, user_id=current_user.id) and None, False))
