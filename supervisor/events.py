"""Socket.IO for the live view: a signed-in supervisor joins the office's staff room and asks for the view.

The page listens to the staff room's 'snapshot' broadcasts (sent after every committed change) and answers
each with a 'supervisor' request, so it never shows a state older than the last change. Handlers are
registered for every app (supervisor.init_app): tests build many apps in one process, and Flask-SocketIO only
keeps handlers declared before its first init_app.
"""

from __future__ import annotations

from flask_login import current_user

from extensions import get_db, get_settings, socketio
from models import Office
from realtime import enter, staff_room
from rules.roles import SUPERVISOR_ROLES
from supervisor import live


def on_supervisor(data=None):
    """Join the staff room of the supervisor's own office and return the live view's data."""
    if not current_user.is_authenticated or not current_user.has_role(*SUPERVISOR_ROLES):
        return {"ok": False, "error": "forbidden"}
    with get_db().read() as s:
        office = s.get(Office, current_user.office_id)
        if not enter(staff_room(office.code)):
            return {"ok": False, "error": "disconnected"}
        snap = live.supervisor_snapshot(s, office, default_minutes=get_settings().app.default_service_minutes)
    return {"ok": True, "snapshot": snap}


def register() -> None:
    """Attach the handler to the current app's Socket.IO server (from supervisor.init_app)."""
    socketio.on_event("supervisor", on_supervisor)
