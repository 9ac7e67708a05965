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


class LazySpecTree(SpecTree):
    """spectree, with each model's JSON schema made when the OpenAPI document is first asked for.

    spectree builds the schema of every request and response model as each route is decorated: about a third
    of the app's start-up, paid again at every restart, for a document few ever read. Validation does not use
    these schemas (it validates with the models themselves); only the document does, through `models`.
    """

    def __init__(self, *args, **kwargs):
        self._pending: list[tuple] = []
        super().__init__(*args, **kwargs)

    def _add_model(self, model, mode="validation") -> str:
        """Remember the model under the name spectree would give it; its schema is made on demand."""
        self._pending.append((model, mode))
        return self.naming_strategy(model)

    @property
    def models(self) -> dict:
        """The models' schemas, made now for every model added since the last look (in the order added)."""
        pending, self._pending = self._pending, []
        for model, mode in pending:
            super()._add_model(model, mode)
        return self._models

    @models.setter
    def models(self, value: dict) -> None:
        self._models = value


# The OpenAPI document is generated from the validated routes (strict: only those) and served at
# /api/openapi.json by api.views; spectree's own copy sits at /apidoc/openapi.json.
api_spec = LazySpecTree(
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
