"""The supervisor's screens: the live wall view (counters, queues, the 10-minute limit) and the reports."""

from flask import Blueprint

bp = Blueprint("supervisor", __name__, template_folder="templates", static_folder="static")

from supervisor import commands, events, views  # noqa: E402,F401
