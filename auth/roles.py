"""Who may do what, on the web: the signed-in staff user, and the decorator that checks a route's roles.

The role groups themselves are rules (rules/roles.py): screens, commands and rules check the same ones.
"""

from __future__ import annotations

from functools import wraps

from flask import jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user

from extensions import get_db, login_manager
from models import User


class StaffUser(UserMixin):
    """The signed-in user as the web layer sees it (a detached copy of the row)."""

    def __init__(self, user: User):
        self.id, self.username, self.name = user.id, user.username, user.name
        self.role, self.office_id, self.language = user.role, user.office_id, user.language
        self._active = user.active

    @property
    def is_active(self) -> bool:
        return self._active

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


@login_manager.user_loader
def _load_user(user_id: str):
    with get_db().read() as s:
        user = s.get(User, int(user_id)) if user_id.isdigit() else None
        return StaffUser(user) if user is not None and user.active else None


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


def roles_required(*roles: str):
    """Require a signed-in user with one of the roles: 401 when not signed in, 403 for the wrong role."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                if wants_json():
                    return jsonify(error="forbidden", message=_("Your role may not do this.")), 403
                return redirect(url_for("auth.forbidden"))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def home_for(user) -> str:
    """Where a user lands after signing in."""
    return {
        "treasurer": "/treasurer/",
        "supervisor": "/supervisor/",
    }.get(user.role, "/counter/")
