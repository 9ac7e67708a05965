"""Pushing each visitor's phone its own ticket's state over Socket.IO: one room per ticket, nothing else.

Phones connect to the '/status' namespace with their ticket's token and are put in 'ticket:<token>'; the
office rooms ('public:' and 'staff:') live in the default namespace, which a phone never joins. So a phone
can only ever receive events about its own ticket.
"""

from __future__ import annotations

import json
import logging
import threading

from flask import current_app
from sqlmodel import select

from models import Office, Ticket
from rules import visitor_status

log = logging.getLogger(__name__)

NAMESPACE = "/status"
CALL_FIELDS = ("code", "counter", "counter_name", "recall", "at")

# What this process last pushed to each ticket room, per office (without the server time), so a change
# at the office reaches only the phones whose own state changed: light on a visitor's mobile data. With
# several processes each keeps its own, which can only cause a duplicate, never a missed first change.
_last_sent: dict[int, dict[str, str]] = {}
_lock = threading.Lock()


def ticket_room(token: str) -> str:
    return f"ticket:{token}"


def _fingerprint(view: dict) -> str:
    return json.dumps({k: v for k, v in view.items() if k != "server_time"}, sort_keys=True)


def _default_minutes() -> float:
    """The fallback service time for estimates (the app's setting; the default outside a web process)."""
    from flask import has_app_context
    from settings import AppSettings
    if has_app_context():
        return current_app.extensions["loket.settings"].app.default_service_minutes
    return AppSettings().default_service_minutes


def push_call(emitter, db, call: dict) -> None:
    """A call (or recall) goes to the called ticket's own room at once (the wall display gets its own)."""
    try:
        if not call or not call.get("ticket_id"):
            return
        with db.read() as s:
            token = s.exec(select(Ticket.status_token).where(Ticket.id == call["ticket_id"])).first()
        if token:
            emitter.emit("call", {k: call.get(k) for k in CALL_FIELDS}, to=ticket_room(token), namespace=NAMESPACE)
    except Exception:  # noqa: BLE001 - the change is committed; a phone catches up on its next refresh
        log.exception("pushing a call to a ticket room failed")


def push_states(emitter, db, office_id: int) -> None:
    """After a committed change at an office: every ticket whose own state changed gets 'state' in its room.

    Never raises (called from realtime.broadcast, after the action was committed).
    """
    try:
        with db.read() as s:
            views = visitor_status.office_views(s, s.get(Office, office_id),
                                                default_service_minutes=_default_minutes())
        fresh = {token: _fingerprint(view) for token, view in views.items()}
        with _lock:
            before = _last_sent.get(office_id, {})
            _last_sent[office_id] = fresh  # tickets no longer live drop out here
        for token, view in views.items():
            if before.get(token) != fresh[token]:
                emitter.emit("state", view, to=ticket_room(token), namespace=NAMESPACE)
    except Exception:  # noqa: BLE001
        log.exception("pushing ticket states for office %s failed", office_id)


def push_request_changed(emitter, db, request_id: int) -> None:
    """A step of the paid-product request was taken: the phone of the ticket it came from fetches its state.

    Only a hint ('changed', no data): the page asks /state, which carries the request part for its visitor.
    """
    try:
        from models import ProductRequest  # noqa: PLC0415 - the requests part is built separately
        with db.read() as s:
            token = s.exec(select(Ticket.status_token).join(ProductRequest, ProductRequest.ticket_id == Ticket.id)
                           .where(ProductRequest.id == request_id)).first()
        if token:
            emitter.emit("changed", {}, to=ticket_room(token), namespace=NAMESPACE)
    except Exception:  # noqa: BLE001 - the step is committed; the phone catches up on its next refresh
        log.exception("telling a phone about request %s failed", request_id)
