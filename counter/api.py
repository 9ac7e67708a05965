"""The counter's JSON endpoints (officers): its state, and each action on it — open, call next, recall,
no-show, start, finish, transfer, restore, pause, resume, close. Each is one call of the rules."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user
from spectree import Response

from api.schemas import STAFF_ERRORS
from auth.roles import roles_required
from clock import iso, utcnow
from counter import schemas as S
from extensions import api_spec, get_db, get_settings
from models import Counter, Office
from realtime import publish
from rules import counters as counter_rules
from rules import offices, snapshot, tickets
from rules.roles import COUNTER_ROLES

bp = Blueprint("counter_api", __name__, url_prefix="/api")


def counter_state(s, counter: Counter) -> dict:
    """Everything the counter screen shows for one counter, with the server time its clocks follow."""
    office = s.get(Office, counter.office_id)
    sids = offices.counter_service_ids(s, counter.id)
    current = tickets.current_ticket(s, counter.id)
    now = utcnow()
    return {
        "counter": {**_counter_json(counter), "officer_id": counter.officer_id},
        "current": snapshot.staff_ticket(s, current, office, now) if current else None,
        "waiting": snapshot.waiting_for_staff(s, office, sids, now),
        "no_shows": snapshot.no_shows_today(s, office, sids, now),
        "services": [snapshot.service_json(x) for x in offices.services(s, office.id)],
        "recalls_before_no_show": get_settings().app.recalls_before_no_show,
        "server_time": iso(now),
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
        counter = counter_rules.open_counter(
            s, counter_id=counter_id, user_id=current_user.id, office_id=current_user.office_id
        )
        state = counter_state(s, counter)
    publish(current_user.office_id)
    return jsonify(state)


def _counter_action(counter_id: int, action) -> tuple:
    """Run one action on a counter the user holds, commit, broadcast, and answer with the new state."""
    with get_db().write() as s:
        counter = counter_rules.held_counter(
            s, counter_id=counter_id, user_id=current_user.id, office_id=current_user.office_id
        )
        ticket, call = action(s, counter)
        message = snapshot.call_message(ticket, counter) if call and ticket else None
        phone = ticket.status_token if message else None  # the called visitor's phone (never on a display)
        counter_out, office_id = _counter_json(counter), counter.office_id
    # Announced as soon as it is committed; the officer's answer is read after that. The write transaction
    # (SQLite's one writer, the counter's row lock on PostgreSQL) lasts no longer than the action itself,
    # so officers calling at the same moment get their calls out one after another without waiting for
    # each other's answers to be built.
    publish(office_id, call=message, call_token=phone)
    with get_db().read() as s:
        result = {
            "ticket": snapshot.staff_ticket(s, ticket, s.get(Office, office_id)) if ticket else None,
            "counter": counter_out,
        }
    return jsonify(result), 200


@bp.post("/counters/<int:counter_id>/call-next")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def call_next(counter_id: int):
    """Call the next visitor (priority first, then arrival). `ticket` is null when no one is waiting."""
    return _counter_action(
        counter_id,
        lambda s, c: (
            tickets.call_next(s, counter_id=c.id, user_id=current_user.id, office_id=c.office_id, locked_counter=c),
            True,
        ),
    )


@bp.post("/counters/<int:counter_id>/tickets/<int:ticket_id>/recall")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def recall(counter_id: int, ticket_id: int):
    """Announce the called visitor again."""
    return _counter_action(
        counter_id,
        lambda s, c: (tickets.recall(s, ticket_id=ticket_id, counter_id=c.id, user_id=current_user.id), True),
    )


@bp.post("/counters/<int:counter_id>/tickets/<int:ticket_id>/no-show")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def no_show(counter_id: int, ticket_id: int):
    """Set a called visitor who did not come aside (after the configured number of recalls)."""
    n = get_settings().app.recalls_before_no_show
    return _counter_action(
        counter_id,
        lambda s, c: (
            tickets.no_show(s, ticket_id=ticket_id, counter_id=c.id, user_id=current_user.id, recalls_required=n),
            False,
        ),
    )


@bp.post("/counters/<int:counter_id>/tickets/<int:ticket_id>/start")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def start(counter_id: int, ticket_id: int):
    """The visitor has arrived at the counter."""
    return _counter_action(
        counter_id,
        lambda s, c: (tickets.start(s, ticket_id=ticket_id, counter_id=c.id, user_id=current_user.id), False),
    )


@bp.post("/counters/<int:counter_id>/tickets/<int:ticket_id>/finish")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def finish(counter_id: int, ticket_id: int):
    """Service is over."""
    return _counter_action(
        counter_id,
        lambda s, c: (tickets.finish(s, ticket_id=ticket_id, counter_id=c.id, user_id=current_user.id), False),
    )


@bp.post("/counters/<int:counter_id>/tickets/<int:ticket_id>/transfer")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=S.TransferRequest, resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def transfer(counter_id: int, ticket_id: int):
    """Send the visitor to another service's queue; they keep their place in time."""
    to = request.context.json.service_id
    return _counter_action(
        counter_id,
        lambda s, c: (
            tickets.transfer(s, ticket_id=ticket_id, counter_id=c.id, to_service_id=to, user_id=current_user.id),
            False,
        ),
    )


@bp.post("/counters/<int:counter_id>/tickets/<int:ticket_id>/restore")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def restore(counter_id: int, ticket_id: int):
    """Bring a set-aside (no-show) ticket back into its queue at its original place."""
    return _counter_action(
        counter_id,
        lambda s, c: (tickets.restore(s, ticket_id=ticket_id, user_id=current_user.id, office_id=c.office_id), False),
    )


@bp.post("/counters/<int:counter_id>/pause")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=S.PauseRequest, resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def pause(counter_id: int):
    """Pause the counter, with a reason."""
    body = request.context.json
    return _counter_action(
        counter_id,
        lambda s, c: (
            counter_rules.pause(s, counter_id=c.id, user_id=current_user.id, reason=body.reason, note=body.note)
            and None,
            False,
        ),
    )


@bp.post("/counters/<int:counter_id>/resume")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def resume(counter_id: int):
    """Resume a paused counter."""
    return _counter_action(
        counter_id, lambda s, c: (counter_rules.resume(s, counter_id=c.id, user_id=current_user.id) and None, False)
    )


@bp.post("/counters/<int:counter_id>/close")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.TicketAction, **STAFF_ERRORS), tags=["counter"])
def close(counter_id: int):
    """Close the counter (the officer leaves it)."""
    return _counter_action(
        counter_id,
        lambda s, c: (counter_rules.close_counter(s, counter_id=c.id, user_id=current_user.id) and None, False),
    )
