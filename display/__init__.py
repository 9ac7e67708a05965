"""The public wall display, live over Socket.IO, with spoken calls."""

from flask import Blueprint

bp = Blueprint("display", __name__, template_folder="templates", static_folder="static")

from display import views  # noqa: E402,F401
