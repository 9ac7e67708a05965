"""Sign-in for scripts and the screens' own calls: the CSRF token, who is signed in, sign in and out."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from spectree import Response

from api.schemas import Error
from auth.roles import StaffUser
from auth.schemas import LoginRequest, SessionOut
from extensions import api_spec, get_db
from rules.users import authenticate

bp = Blueprint("auth_api", __name__, url_prefix="/api")


def _user_json(user) -> dict:
    return {"id": user.id, "username": user.username, "name": user.name, "role": user.role}


@bp.get("/session")
@api_spec.validate(resp=Response(HTTP_200=SessionOut), tags=["auth"])
def session_info():
    """The CSRF token to send as X-CSRFToken, and who is signed in."""
    return jsonify(csrf_token=generate_csrf(), user=_user_json(current_user) if current_user.is_authenticated else None)


@bp.post("/login")
@api_spec.validate(json=LoginRequest, resp=Response(HTTP_200=SessionOut, HTTP_400=Error, HTTP_401=Error), tags=["auth"])
def api_login():
    """Sign in with username and password."""
    body = request.context.json
    with get_db().read() as s:
        user = authenticate(s, body.username, body.password)
    if user is None:
        return jsonify(error="bad_credentials", message=_("Wrong username or password.")), 401
    login_user(StaffUser(user))
    return jsonify(csrf_token=generate_csrf(), user=_user_json(user))


@bp.post("/logout")
@api_spec.validate(tags=["auth"])
def api_logout():
    """Sign out."""
    logout_user()
    return jsonify(ok=True)
