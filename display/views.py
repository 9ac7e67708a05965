"""Display pages (public: ticket codes and counters only)."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _

from display import bp
from extensions import get_db, get_settings
from rules import offices


def display_strings() -> dict:
    """Words the wall display shows, in the screen's language (the spoken call is always Indonesian)."""
    return {
        "counter": _("Counter"),
        "now_serving": _("Now serving"),
        "last_calls": _("Last calls"),
        "queue": _("Queue per service"),
        "waiting": _("Waiting"),
        "service": _("Service"),
        "next": _("Next"),
        "time_left": _("Time left"),
        "no_calls": _("No calls yet today."),
        "limit_note": _(
            "Each visitor is called at most %(n)s minutes after the visitor ahead has finished.",
            n=get_settings().office.service_limit_minutes,
        ),
        "clock_waits": _("after the visitor ahead"),
        "late": _("late"),
        "paused": _("Paused"),
        "closed": _("Closed"),
        "open": _("Open"),
        "called": _("Called"),
        "serving": _("Serving"),
        "queue_number": _("Queue number"),
        "go_to": _("please go to %(counter)s"),
        "complaints": _("Complaints and suggestions"),
        "mute": _("Sound is on"),
        "unmute": _("Sound is off"),
        "mute_hint": _("Tap to mute the announcements"),
        "unmute_hint": _("Tap to turn the announcements on"),
        "enable_sound": _("Tap to enable sound"),
        "offline": _("Reconnecting to the server…"),
    }


@bp.route("/")
def default():
    """The configured office's display."""
    return redirect(url_for("display.display", code=get_settings().office.code))


@bp.route("/<code>")
def display(code: str):
    """The wall display of an office; its script follows the office's room over Socket.IO."""
    with get_db().read() as s:
        office = offices.get_office(s, code)
    return render_template("display/display.html", office=office, strings=display_strings())
