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
from flask_socketio import emit

from extensions import get_db, socketio
from realtime import enter, public_room, snapshot_for, snapshot_for_joiner, staff_room
from rules import offices
from rules.errors import NotFound

SCREENS = ("display", "staff")


def _valid(data) -> tuple[str, str] | None:
    """(office code, screen) from a client's auth or join payload, or None when it is not what a screen sends."""
    if not isinstance(data, dict):
        return None
    office, screen = data.get("office"), data.get("screen", "display")
    if not isinstance(office, str | int) or isinstance(office, bool) or screen not in SCREENS:
        return None
    office = str(office)
    return (office, screen) if 0 < len(office) <= 16 else None


def _join(office_code: str, screen: str) -> bool:
    with get_db().read() as s:
        try:
            office = offices.get_office(s, str(office_code or ""))
        except NotFound:
            return False
        if screen == "staff":
            if not current_user.is_authenticated or current_user.office_id != office.id:
                return False
            if not enter(staff_room(office.code)):
                return False
        elif not enter(public_room(office.code)):
            return False
        office_id = office.id
    # Built after joining, outside this session, shared with the screens joining at the same moment.
    emit("snapshot", snapshot_for_joiner(office_id), to=request.sid)
    return True


def on_connect(auth=None):
    """Accept the connection; join the room named in auth (if any) and send the snapshot. Auth that is not
    {office, screen} is refused (connect_error), as are an unknown office and a staff room without sign-in."""
    if auth is None or (isinstance(auth, dict) and not auth.get("office")):
        return True  # a connection without a room yet (it may join later)
    valid = _valid(auth)
    if valid is None:
        return False
    return _join(*valid)


def on_join(data=None):
    """Join an office's room after connecting (same rules as in connect); a malformed payload is answered."""
    valid = _valid(data)
    if valid is None:
        return {"ok": False, "error": "invalid"}
    return {"ok": _join(*valid)}


def on_snapshot(data=None):
    """Ask again for a full snapshot (e.g. after the tab was hidden); a malformed payload is answered."""
    valid = _valid(data)
    if valid is None:
        return {"ok": False, "error": "invalid"}
    with get_db().read() as s:
        try:
            office = offices.get_office(s, valid[0])
        except NotFound:
            return {"ok": False}
        return snapshot_for(s, office)


def register() -> None:
    """Attach the handlers to the current app's Socket.IO server."""
    socketio.on("connect")(on_connect)
    socketio.on("join")(on_join)
    socketio.on("snapshot")(on_snapshot)
