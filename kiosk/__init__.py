"""The kiosk: the touch-screen guest book and ticket dispenser (public, no login)."""

from flask import Blueprint

bp = Blueprint("kiosk", __name__, template_folder="templates", static_folder="static")

from kiosk import views  # noqa: E402,F401
