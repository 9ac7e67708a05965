"""Guards on what comes in, before any view runs: ids in range, no control characters, JSON bodies that parse.

- An id in a path beyond what the database can hold (2^63 - 1) matches no route: 404, like any unknown id.
- Text may not carry control characters (NUL, escape sequences) or bidirectional overrides, which can hide or
  reorder what staff read; tabs and line breaks stay allowed in free text (fields that allow them).
- A request to /api/ that carries a body must carry JSON (or a multipart upload), whatever the endpoint does
  with it: a body of '\\x00' is refused, not ignored.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from rules.text import has_unsafe

MAX_ID = 2**63 - 1


class BoundedInteger(IntegerConverter):
    """Flask's <int:...> limited to what a database id can be (signed 64-bit); beyond it: no route, 404."""

    def __init__(self, map, *args, **kwargs):
        """Flask's integer converter with the database's maximum as its default bound."""
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def bound_integers(app: Flask) -> None:
    """Make <int:...> in every route bounded (before the routes are added)."""
    app.url_map.converters["int"] = BoundedInteger


def _refuse(message: str, status: int = 400):
    """A 400 answer in the API's error shape."""
    return jsonify(error="invalid", message=message), status


def _too_large(value) -> bool:
    """Whether any integer in a JSON value is outside 64 bits (no database column holds it)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not -MAX_ID - 1 <= value <= MAX_ID
    if isinstance(value, dict):
        return any(_too_large(v) for v in value.values())
    if isinstance(value, list):
        return any(_too_large(v) for v in value)
    return False


def _undeclared(body):
    """A refusal when the body is not the object the operation declares or carries fields it does not declare
    (the OpenAPI document says additionalProperties: false), else None."""
    from api.openapi import declared_fields

    if request.url_rule is None:
        return None
    fields = declared_fields(current_app, request.method, request.url_rule.rule)
    if fields is None:
        return None
    if not isinstance(body, dict):
        return _refuse(_("The request body must be a JSON object."))
    unknown = [str(k) for k in body if k not in fields]
    if unknown:
        resp, status = _refuse(_("The request has fields this action does not take."))
        body = resp.get_json()
        body["fields"] = {k[:40]: _("Unknown field.") for k in unknown[:10]}
        return jsonify(body), status
    return None


def init_app(app: Flask) -> None:
    """Check every request's query, form and JSON body before anything else reads it (the CSRF check included:
    Flask-WTF fails on a form part without a name)."""

    def _guard():
        """Refuse a request whose path, query, form or JSON body breaks the rules above."""
        if request.path.startswith("/socket.io"):
            return None
        if has_unsafe(request.path, line=True) or any(
            has_unsafe(k, line=True) or has_unsafe(v, line=True) for k, v in request.args.items(multi=True)
        ):
            return _refuse(_("The request contains characters that are not allowed."))
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return None
        if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            if any(not k for k in request.form) or any(not k for k in request.files):
                return _refuse(_("The form is not valid."))
            if any(has_unsafe(v) or has_unsafe(k, line=True) for k, v in request.form.items(multi=True)):
                return _refuse(_("The request contains characters that are not allowed."))
            return None
        if not request.get_data(cache=True):
            return None
        if request.path.startswith("/api/") or request.is_json:
            body = request.get_json(silent=True)
            if body is None:
                return _refuse(_("The request body is not valid JSON."))
            refusal = _undeclared(body)
            if refusal is not None:
                return refusal
            if has_unsafe(body):
                return _refuse(_("The request contains characters that are not allowed."))
            if _too_large(body):
                return _refuse(_("A number in the request is too large."))
        return None

    app.before_request_funcs.setdefault(None, []).insert(0, _guard)
