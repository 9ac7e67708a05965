"""Who may do what, on the web: the signed-in staff user, the session behind them, and the decorator that checks a
route's roles.

The signed cookie carries only a session token; the session itself is a row on the server (rules/sessions.py),
checked on every request against the idle and absolute timeouts of config.toml [security]. A cookie whose row
ended (logout, password change, reset, deactivation, timeout) signs nobody in, even if it was copied before.
The role groups themselves are rules (rules/roles.py): screens, commands and rules check the same ones.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_user

from extensions import get_db, get_settings, login_manager
from models import User
from rules import sessions
from rules.errors import N_


class StaffUser(UserMixin):
    """The signed-in user as the web layer sees it (a detached copy of the row) and their session's token."""

    def __init__(self, user: User, session_token: str = ""):
        self.id, self.username, self.name = user.id, user.username, user.name
        self.role, self.office_id, self.language = user.role, user.office_id, user.language
        self.must_change_password = user.must_change_password
        self._active = user.active
        self.session_token = session_token

    def get_id(self) -> str:
        """What the cookie carries: the session's token, not the user's id."""
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self._active

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


def timeouts() -> sessions.Timeouts:
    """The idle and absolute timeouts of a staff session (config.toml [security])."""
    sec = get_settings().security
    return sessions.Timeouts(
        idle=timedelta(minutes=sec.session_idle_minutes), absolute=timedelta(hours=sec.session_absolute_hours)
    )


def client_address() -> str:
    """The caller's address, as recorded with sessions and sign-in attempts."""
    return (request.remote_addr or "")[:45]


def sign_in(user: User) -> StaffUser:
    """Open a server-side session for a user who proved who they are, and put its token in the cookie."""
    with get_db().write() as s:
        token = sessions.start(s, user, user_agent=request.headers.get("User-Agent", ""), address=client_address())
    staff = StaffUser(user, token)
    login_user(staff)
    return staff


@login_manager.user_loader
def _load_user(token: str):
    """The user of a live session; a session found idle or expired is ended (in a write only when needed)."""
    db = get_db()
    with db.read() as s:
        found = sessions.check(s, token, timeouts=timeouts())
        changed = bool(s.dirty)
        staff = StaffUser(found[1], token) if found else None
    if changed:
        with db.write() as s:
            found = sessions.check(s, token, timeouts=timeouts())
            staff = StaffUser(found[1], token) if found else None
    return staff


def wants_json() -> bool:
    """An API call or a script asking for JSON (answered with {error, message}, never a page)."""
    return request.path.startswith("/api/") or request.is_json or request.accept_mimetypes.best == "application/json"


@login_manager.unauthorized_handler
def _unauthorized():
    if wants_json():
        return jsonify(error="login_required", message=_("Please sign in.")), 401
    return redirect(url_for("auth.login", next=_here()))


def _here() -> str:
    """The page asked for, to come back to after signing in: its path, and its query only when it has one
    (Werkzeug's full_path always ends in '?', which would land the user on '/counter/?')."""
    query = request.query_string.decode("utf-8", "replace")
    return f"{request.path}?{query}" if query else request.path


def password_change_required():
    """The answer to a user who must choose a new password first (after an administrator's reset)."""
    if wants_json():
        return jsonify(
            error="password_change_required",
            message=_("Choose a new password first: your password was reset by an administrator."),
        ), 403
    return redirect(url_for("auth.change_password"))


def roles_required(*roles: str):
    """Require a signed-in user with one of the roles: 401 when not signed in, 403 for the wrong role, and a
    password change first when an administrator reset the password."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.must_change_password:
                return password_change_required()
            if not current_user.has_role(*roles):
                if wants_json():
                    return jsonify(error="forbidden", message=_("Your role may not do this.")), 403
                return redirect(url_for("auth.forbidden"))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def home_for(user) -> str:
    """Where a user lands after signing in."""
    if getattr(user, "must_change_password", False):
        return url_for("auth.change_password")
    return {
        "treasurer": "/treasurer/",
        "supervisor": "/supervisor/",
        "admin": "/admin/",
    }.get(user.role, "/counter/")


# Every staff screen with the roles that may open it (rules/roles.py): the home page lists those of the user's role.
STAFF_SCREENS = (
    ("counter", "/counter/", N_("Counter (officers)"), "COUNTER_ROLES"),
    ("treasurer", "/treasurer/", N_("Treasurer: payments and receipts"), "TREASURER_ROLES"),
    ("supervisor", "/supervisor/", N_("Supervisor: live view of the counters"), "SUPERVISOR_ROLES"),
    ("reports", "/supervisor/reports", N_("Reports"), "SUPERVISOR_ROLES"),
    ("printers", "/printers/", N_("Printers and print queue"), "SUPERVISOR_ROLES"),
    ("mail", "/mail/", N_("E-mail outbox"), "SUPERVISOR_ROLES"),
    ("admin", "/admin/", N_("Administration: services, counters, hours, staff, devices"), "SUPERVISOR_ROLES"),
    ("privacy", "/privacy/", N_("Visitors' personal data (supervisor)"), "PRIVACY_ROLES"),
)


def staff_screens(role: str | None) -> list[tuple[str, str, str]]:
    """(key, path, msgid) of every staff screen a role may open; none when nobody is signed in."""
    from rules import roles as groups

    if not role:
        return []
    return [(key, path, label) for key, path, label, group in STAFF_SCREENS if role in getattr(groups, group)]
