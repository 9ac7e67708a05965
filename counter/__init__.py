"""The officer's counter screen (login required)."""

from flask import Blueprint

bp = Blueprint("counter", __name__, template_folder="templates", static_folder="static")

from counter import views  # noqa: E402,F401
