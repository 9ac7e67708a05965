"""The Flask extension objects, created once and bound to the app in app.create_app()."""

from __future__ import annotations

from flask import current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect
from spectree import SpecTree

from db import Database
from settings import Settings

socketio = SocketIO()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def _validation_error_body(req, resp, req_validation_error, instance, model_adapter):
    """Answer a malformed API request with {error, message, fields}; log nothing the user typed."""
    if req_validation_error is None or resp is None:
        return
    import json

    from flask_babel import gettext as _

    fields = {}
    for e in req_validation_error.errors():
        field = ".".join(str(p) for p in e["loc"]) or "body"
        fields.setdefault(field, e["msg"].removeprefix("Value error, "))
    resp.set_data(json.dumps({"error": "invalid", "message": _("The request is not valid."), "fields": fields}))
    resp.mimetype = "application/json"


# The OpenAPI document is generated from the validated routes (strict: only those) and served at
# /api/openapi.json by api.views; spectree's own copy sits at /apidoc/openapi.json.
api_spec = SpecTree(
    "flask",
    title="Loket API",
    version="1.0",
    path="apidoc",
    page_templates={},
    mode="strict",
    validation_error_status=400,
    before=_validation_error_body,
)


def get_db() -> Database:
    """The application's database (engine and sessions)."""
    return current_app.extensions["loket.db"]


def get_settings() -> Settings:
    """The validated configuration."""
    return current_app.extensions["loket.settings"]
