"""The public wall display, live over Socket.IO, with spoken calls.

The page in views.py, the snapshot endpoint in api.py, the Socket.IO handlers (join an office's room, ask for
a snapshot) in events.py, the script in static/display.js.
"""

from flask import Blueprint

bp = Blueprint("display", __name__, template_folder="templates", static_folder="static")

from display import views  # noqa: F401


def init_app(app) -> None:
    from display import events
    from display.api import bp as api_bp

    app.register_blueprint(bp, url_prefix="/display")
    app.register_blueprint(api_bp)
    events.register()
