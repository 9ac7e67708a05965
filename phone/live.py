"""Pushing each visitor's phone its own ticket's state over Socket.IO: one room per ticket, nothing else.

Phones connect to the '/status' namespace with their ticket's token and are put in 'ticket:<token>'; the
office rooms ('public:' and 'staff:') live in the default namespace, which a phone never joins. So a phone
can only ever receive events about its own ticket.
"""

from __future__ import annotations

import logging
import threading

from sqlmodel import select

import realtime
from extensions import socketio
from models import Office, ProductRequest, Ticket
from realtime.coalesce import Coalescer
from rules import visitor_status
from settings import DEFAULT_SERVICE_MINUTES

log = logging.getLogger(__name__)

NAMESPACE = "/status"
CALL_FIELDS = ("code", "counter", "counter_name", "recall", "at")

# The phones connected to this process, by (database, office): their tokens. A phone's state is worked out
# in the process it is connected to, and only while it is connected: a change at an office costs nothing
# for the tickets whose visitor has no status page open, and with several processes each one updates its
# own phones (realtime sends them all an 'office changed' hint through the message queue).
_phones: dict[tuple, set[str]] = {}
# What this process last pushed to each phone's ticket room (the view without the server time), so a change
# at the office reaches only the phones whose own state changed: light on a visitor's mobile data.
_last_sent: dict[str, dict] = {}
_lock = threading.Lock()


def ticket_room(token: str) -> str:
    return f"ticket:{token}"


def _without_time(view: dict) -> dict:
    return {k: v for k, v in view.items() if k != "server_time"}


def phone_connected(db_url: str, office_id: int, token: str) -> None:
    """A phone joined its ticket's room in this process (phone.events, before its first state is read)."""
    with _lock:
        _phones.setdefault((db_url, office_id), set()).add(token)
        # What it is sent on connect is read separately: the next push must not assume it knows what it shows.
        _last_sent.pop(token, None)


def has_phones(db_url: str, office_id: int) -> bool:
    return bool(_phones.get((db_url, office_id)))


def _connected_tokens(emitter, db_url: str, office_id: int) -> set[str]:
    """The office's tokens with a phone in this process now; tokens whose phones have all left are forgotten."""
    rooms = emitter.server.manager.rooms.get(NAMESPACE, {})
    with _lock:
        tokens = _phones.get((db_url, office_id), set())
        gone = {t for t in tokens if not rooms.get(ticket_room(t))}
        tokens -= gone
        for t in gone:
            _last_sent.pop(t, None)
        if not tokens:
            _phones.pop((db_url, office_id), None)
        return set(tokens)


@realtime.on_call
def push_call(emitter, db, call: dict, token: str | None = None) -> None:
    """A call (or recall) goes to the called ticket's own room at once (the wall display gets its own).

    A failure is logged by realtime; the change is committed and the phone catches up on its next refresh.
    """
    if not call or not call.get("ticket_id"):
        return
    if token is None:
        with db.read() as s:
            token = s.exec(select(Ticket.status_token).where(Ticket.id == call["ticket_id"])).first()
    if token:
        emitter.emit("call", {k: call.get(k) for k in CALL_FIELDS}, to=ticket_room(token), namespace=NAMESPACE)


def push_states(emitter, db, office_id: int, default_minutes: float | None = None) -> None:
    """After a committed change at an office: each phone connected here whose ticket's state changed gets 'state'.

    Runs in every server process for its own phones (office_changed below), off the request thread.
    `default_minutes`: the service time assumed before any visitor was served (the configured one; the
    rules' default when not given). Never raises (the change is committed; the phone also re-fetches when it
    wakes and every two minutes).
    """
    try:
        tokens = _connected_tokens(emitter, db.url, office_id)
        if not tokens:
            return
        with db.read() as s:
            views = visitor_status.office_views(
                s,
                s.get(Office, office_id),
                tokens=tokens,
                default_service_minutes=default_minutes or DEFAULT_SERVICE_MINUTES,
            )
        for token, view in views.items():
            bare = _without_time(view)
            with _lock:
                if _last_sent.get(token) == bare:
                    continue
                _last_sent[token] = bare
            # The phone is connected to this process: no need to send it through the message queue.
            emitter.emit("state", view, to=ticket_room(token), namespace=NAMESPACE, ignore_queue=True)
    except Exception:
        log.exception("pushing ticket states for office %s failed", office_id)


@realtime.on_event("request_changed")
def push_request_changed(emitter, db, data: dict) -> None:
    """A step of the paid-product request was taken: the phone of the ticket it came from fetches its state.

    Only a hint ('changed', no data): the page asks /state, which carries the request part for its visitor.
    """
    with db.read() as s:
        token = s.exec(
            select(Ticket.status_token)
            .join(ProductRequest, ProductRequest.ticket_id == Ticket.id)
            .where(ProductRequest.id == data["id"])
        ).first()
    if token:
        emitter.emit("changed", {}, to=ticket_room(token), namespace=NAMESPACE)


_pushes = Coalescer()


@realtime.on_office_changed
def office_changed(app, office_id: int) -> None:
    """Something changed at an office: update the phones connected to this process, off the request thread.

    Runs in a request thread or in the message queue's listener thread. A phone gets at most one update per
    PHONE_MIN_INTERVAL (serve.py: 2 s) per office: a place in line changes over minutes, and the visitor's own
    call is pushed at once (push_call), never throttled.
    """
    db = app.extensions["loket.db"]
    if not has_phones(db.url, office_id):
        return
    minutes = app.extensions["loket.settings"].app.default_service_minutes

    def send():
        push_states(socketio, db, office_id, default_minutes=minutes)

    interval = app.config.get("PHONE_MIN_INTERVAL", app.config.get("SNAPSHOT_MIN_INTERVAL", 0.0))
    socketio.start_background_task(
        _pushes.run,
        (db.url, office_id),
        send,
        interval,
        socketio.start_background_task,
        socketio.sleep,
        app.config.get("SNAPSHOT_SETTLE", 0.0),
    )
