"""The visitor's own phone: a live status page per ticket at /s/<token> (no login, no app)."""

from flask import Blueprint

# Static files under /s/static/ (the token is a single path segment, so the two never collide).
bp = Blueprint("status", __name__, template_folder="templates", static_folder="static", static_url_path="/static")

from status import events, views  # noqa: E402,F401

# Socket.IO handlers of '/status', attached to each app's server when the blueprint is registered on it.
bp.record(lambda _state: events.register())
