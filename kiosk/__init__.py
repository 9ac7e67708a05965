"""The kiosk: the touch-screen guest book and ticket dispenser (public, no login).

Pages in views.py, JSON endpoints in api.py (their shapes in schemas.py), the script in static/kiosk.js.
"""

from flask import Blueprint

bp = Blueprint("kiosk", __name__, template_folder="templates", static_folder="static")

from kiosk import views  # noqa: F401


def init_app(app) -> None:
    from kiosk.api import bp as api_bp

    app.register_blueprint(bp, url_prefix="/kiosk")
    app.register_blueprint(api_bp)
