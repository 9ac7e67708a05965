"""Sign-in for scripts and the screens' own calls: the CSRF token, who is signed in, sign in and out, change
your own password; an administrator resets a password or deactivates an account."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf.csrf import generate_csrf
from spectree import Response

from api.schemas import STAFF_ERRORS, Error
from auth import schemas as S
from auth.roles import roles_required, sign_in
from auth.signin import attempt, change_password
from extensions import api_spec, get_db, get_settings
from models import User
from rules import sessions, users
from rules.errors import N_, NotFound, RuleError
from rules.roles import ADMIN_ROLES

bp = Blueprint("auth_api", __name__, url_prefix="/api")


def _user_json(user) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "role": user.role,
        "must_change_password": bool(user.must_change_password),
    }


@bp.get("/session")
@api_spec.validate(resp=Response(HTTP_200=S.SessionOut), tags=["auth"])
def session_info():
    """The CSRF token to send as X-CSRFToken, and who is signed in."""
    return jsonify(
        csrf_token=generate_csrf(),
        user=_user_json(current_user) if current_user.is_authenticated else None,
        demo=get_settings().security.demo,
    )


@bp.post("/login")
@api_spec.validate(
    json=S.LoginRequest,
    resp=Response(HTTP_200=S.SessionOut, HTTP_400=Error, HTTP_401=Error, HTTP_429=Error),
    tags=["auth"],
)
def api_login():
    """Sign in with username and password; after failures, tries wait longer and then the account locks (429)."""
    body = request.context.json
    outcome = attempt(body.username, body.password)
    if outcome.user is None:
        resp = jsonify(error=outcome.error, message=outcome.message)
        resp.status_code = outcome.status
        if outcome.retry_after:
            resp.headers["Retry-After"] = str(outcome.retry_after)
        return resp
    sign_in(outcome.user)
    return jsonify(csrf_token=generate_csrf(), user=_user_json(outcome.user), demo=get_settings().security.demo)


@bp.post("/logout")
@api_spec.validate(resp=Response(HTTP_200=S.Ok, HTTP_400=Error), tags=["auth"])
def api_logout():
    """Sign out: every session of this user ends, on every browser."""
    if current_user.is_authenticated:
        with get_db().write() as s:
            sessions.end_all(s, current_user.id, "logout")
    logout_user()
    return jsonify(ok=True)


@bp.post("/account/password")
@api_spec.validate(
    json=S.PasswordChange, resp=Response(HTTP_200=S.SessionOut, HTTP_429=Error, **STAFF_ERRORS), tags=["auth"]
)
def change_own_password():
    """Change your own password: every other session ends; this one goes on with a new session."""
    if not current_user.is_authenticated:
        return jsonify(error="login_required", message=_("Please sign in.")), 401
    body = request.context.json
    outcome = change_password(current_user.id, body.current_password, body.new_password)
    if outcome.user is None:
        resp = jsonify(error=outcome.error, message=outcome.message)
        resp.status_code = outcome.status
        resp.headers["Retry-After"] = str(outcome.retry_after)
        return resp
    sign_in(outcome.user)
    return jsonify(csrf_token=generate_csrf(), user=_user_json(outcome.user), demo=get_settings().security.demo)


def _office_user(s, user_id: int) -> User:
    """A user of the caller's own office (404 for any other)."""
    user = s.get(User, user_id)
    if user is None or user.office_id != current_user.office_id:
        raise NotFound("user_not_found", N_("No such user."))
    return user


@bp.post("/users/<int:user_id>/reset-password")
@api_spec.validate(json=S.PasswordReset, resp=Response(HTTP_200=S.PasswordResetOut, **STAFF_ERRORS), tags=["auth"])
@roles_required(*ADMIN_ROLES)
def reset_password(user_id: int):
    """An administrator resets a user's password: a temporary one (returned once) that must be changed at the
    next sign-in; the user's sessions end and their failed sign-ins are cleared."""
    body = request.context.json
    with get_db().write() as s:
        user = _office_user(s, user_id)
        if user.id == current_user.id:
            raise RuleError("own_account", N_("Change your own password on the password page."), status=400)
        temporary = users.reset_password(s, user, password=body.password or None)
        out = {"user": _user_json(user), "temporary_password": temporary}
    return jsonify(out)


@bp.post("/users/<int:user_id>/active")
@api_spec.validate(json=S.ActiveIn, resp=Response(HTTP_200=S.UserOut, **STAFF_ERRORS), tags=["auth"])
@roles_required(*ADMIN_ROLES)
def set_active(user_id: int):
    """An administrator activates or deactivates an account; deactivation ends its sessions at once."""
    body = request.context.json
    with get_db().write() as s:
        user = _office_user(s, user_id)
        if user.id == current_user.id and not body.active:
            raise RuleError("own_account", N_("You cannot deactivate your own account."), status=400)
        users.set_active(s, user, body.active)
        out = _user_json(user)
    return jsonify(out)
