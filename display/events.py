"""Socket.IO handlers: a screen joins its office's room and gets a full snapshot at once.

A screen says which office and which kind of screen it is in the connection's auth data
({office: "1600", screen: "display" | "staff"}). Staff rooms need a signed-in user of that office.

`register()` is called by every create_app(), after socketio.init_app(): Flask-SocketIO attaches a handler
decorated after init_app only to the Socket.IO server that exists at that moment, so handlers bound at import
time would be missing from the server of any later app in the same process (a restarted app, each test).
"""

from __future__ import annotations

from flask import request
from flask_login import current_user
from flask_socketio import emit, join_room

from extensions import get_db, socketio
from realtime import public_room, snapshot_for, snapshot_for_joiner, staff_room
from rules import offices
from rules.errors import NotFound


def _join(office_code: str, screen: str) -> bool:
    with get_db().read() as s:
        try:
            office = offices.get_office(s, str(office_code or ""))
        except NotFound:
            return False
        if screen == "staff":
            if not current_user.is_authenticated or current_user.office_id != office.id:
                return False
            join_room(staff_room(office.code))
        else:
            join_room(public_room(office.code))
        office_id = office.id
    # Built after joining, outside this session, shared with the screens joining at the same moment.
    emit("snapshot", snapshot_for_joiner(office_id), to=request.sid)
    return True


def on_connect(auth=None):
    """Accept the connection; join the room named in auth (if any) and send the snapshot."""
    auth = auth or {}
    if auth.get("office"):
        if not _join(auth["office"], auth.get("screen", "display")):
            return False  # refuse: unknown office, or staff room without sign-in
    return True


def on_join(data):
    """Join an office's room after connecting (same rules as in connect)."""
    data = data or {}
    return {"ok": _join(data.get("office"), data.get("screen", "display"))}


def on_snapshot(data):
    """Ask again for a full snapshot (e.g. after the tab was hidden)."""
    data = data or {}
    with get_db().read() as s:
        try:
            office = offices.get_office(s, str(data.get("office") or ""))
        except NotFound:
            return {"ok": False}
        return snapshot_for(s, office)


def register() -> None:
    """Attach the handlers to the current app's Socket.IO server."""
    socketio.on("connect")(on_connect)
    socketio.on("join")(on_join)
    socketio.on("snapshot")(on_snapshot)
