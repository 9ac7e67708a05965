"""Display pages (public: ticket codes and counters only)."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _

from extensions import get_db, get_settings
from display import bp
from rules import offices


def display_strings() -> dict:
    return {
        "counter": _("Counter"), "now_serving": _("Now serving"), "last_calls": _("Last calls"),
        "waiting": _("Waiting"), "service": _("Service"), "paused": _("Paused"), "closed": _("Closed"),
        "time_left": _("Time left"), "clock_not_started": _("—"), "next": _("Next"),
        "complaints": _("Complaints and suggestions"), "mute": _("Mute"), "unmute": _("Sound on"),
        "enable_sound": _("Tap to enable sound"),
    }


@bp.route("/")
def default():
    return redirect(url_for("display.display", code=get_settings().office.code))


@bp.route("/<code>")
def display(code: str):
    with get_db().read() as s:
        office = offices.get_office(s, code)
    return render_template("display/display.html", office=office, strings=display_strings())
