"""Socket.IO handlers of the '/status' namespace: a phone joins its own ticket's room, by the token only.

`register()` runs from phone.init_app for every app, after socketio.init_app(): Flask-SocketIO binds a handler
only to the server that exists when it is attached, so handlers bound at import time would be missing from any
later app in the same process (each test).
"""

from __future__ import annotations

from flask import request
from flask_socketio import disconnect, emit, rooms

from extensions import get_db, get_settings, socketio
from phone.live import NAMESPACE, phone_connected, ticket_room
from realtime import enter
from rules import visitor_status


def _state(token: str) -> dict | None:
    """The ticket's state for its phone, or None when the link is unknown or has expired."""
    settings = get_settings()
    with get_db().read() as s:
        ticket = visitor_status.live_ticket(s, str(token or ""), keep_hours=settings.app.status_link_hours)
        if ticket is None:
            return None
        return visitor_status.visitor_view(s, ticket, default_service_minutes=settings.app.default_service_minutes)


def on_connect(auth=None):
    """Accept a phone with a live ticket token ({token: ...}), put it in that ticket's room, send its state."""
    token = (auth or {}).get("token") if isinstance(auth, dict) else None
    with get_db().read() as s:
        ticket = visitor_status.live_ticket(s, str(token or ""), keep_hours=get_settings().app.status_link_hours)
        office_id = ticket.office_id if ticket is not None else None
    if office_id is None:
        return False  # a guessed or expired token: refused, and no room joined
    # In its room and known to this process's pushes before its state is read: a change committed meanwhile
    # is either in what it reads or pushed to the room afterwards (never neither).
    if not enter(ticket_room(token)):
        return False  # the phone hung up while its link was being checked
    phone_connected(get_db().url, office_id, token)
    state = _state(token)
    if state is None:  # its link expired this very moment: refused (which also leaves the room)
        return False
    emit("state", state, to=request.sid)
    return True


def on_refresh(_data=None):
    """Send the state again (the phone woke up); the token is the one the connection joined with."""
    mine = [r for r in rooms() if r.startswith("ticket:")]
    state = _state(mine[0].removeprefix("ticket:")) if mine else None
    if state is None:
        emit("gone", {}, to=request.sid)
        disconnect()
        return
    emit("state", state, to=request.sid)


def register() -> None:
    """Attach the handlers to the current app's Socket.IO server."""
    socketio.on("connect", namespace=NAMESPACE)(on_connect)
    socketio.on("refresh", namespace=NAMESPACE)(on_refresh)
