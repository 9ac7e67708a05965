"""Counter pages: choose a counter, then serve at it. Actions go through the JSON API."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

import i18n
from auth.roles import roles_required
from counter import bp
from extensions import get_db, get_settings
from guest_book_labels import choice_labels
from models import Office, User
from rules import offices
from rules.counters import PAUSE_REASONS
from rules.roles import COUNTER_ROLES


def counter_strings() -> dict:
    """Sentences the counter screen's script shows, in the screen's language."""
    return {
        "network": _("Cannot reach the server; your last action may not have been saved. Try again."),
        "no_one": _("No one is waiting."),
        "new_visitor": _("A new visitor is waiting."),
        "typed_name": _("typed today"),
        "called": _("Called"),
        "serving": _("Serving"),
        "time_left": _("Time left"),
        "late": _("Late by"),
        "waited": _("Waited"),
        "priority": _("Priority"),
        "transferred": _("Transferred"),
        "back_by": _("Back by"),
        "paused": _("Paused"),
        "open": _("Open"),
        "closed": _("Closed"),
        "confirm_no_show": _("Set this visitor aside as a no-show?"),
        "live": _("Connected"),
        "offline": _("Reconnecting…"),
        "clock_not_started": _("Clock starts when the visitor ahead has finished"),
        "on_time": _("called on time, %(left)s before the limit"),
        "called_late": _("called %(late)s after the limit"),
        "called_ago": _("called %(t)s ago"),
        "in_service": _("in service for %(t)s"),
        "head_left": _("%(code)s must be called within %(left)s"),
        "head_late": _("%(code)s is %(late)s past the limit"),
        "head_waits": _("%(code)s: the clock starts when the visitor ahead has finished"),
        "not_open": _("This counter is closed: the public sees it closed until you open it."),
        "taken_over": _("Another officer has taken over this counter."),
        "open_here": _("Open this counter"),
        "take_over": _("Open this counter again"),
        "restore": _("Bring back"),
        "restore_hint": _("Put this visitor back in the line"),
        "none_set_aside": _("No one set aside today."),
        "reasons": {
            "break": _("Break"),
            "prayer": _("Prayer"),
            "meeting": _("Meeting"),
            "system": _("System problem"),
            "other": _("Other"),
        },
    }


@bp.route("/")
@roles_required(*COUNTER_ROLES)
def choose():
    """The counters of the officer's office, the services each serves, and who holds it."""
    with get_db().read() as s:
        office = s.get(Office, current_user.office_id)
        counters = offices.counters(s, office.id)
        holders = {u.id: u.name for u in s.exec(select(User).where(User.office_id == office.id))}
        services = {sv.id: sv for sv in offices.services(s, office.id)}
        lang = i18n.select_locale()
        served = {
            c.id: [
                offices.service_name(services[i], lang) for i in offices.counter_service_ids(s, c.id) if i in services
            ]
            for c in counters
        }
    return render_template("counter/choose.html", office=office, counters=counters, holders=holders, served=served)


@bp.route("/<int:counter_id>")
@roles_required(*COUNTER_ROLES)
def serve(counter_id: int):
    """The counter screen (its script takes the counter through the JSON API)."""
    with get_db().read() as s:
        office = s.get(Office, current_user.office_id)
        counter = offices.get_counter(s, counter_id, office_id=office.id)
        services = offices.services(s, office.id)
    return render_template(
        "counter/counter.html",
        office=office,
        counter=counter,
        services=services,
        strings=counter_strings(),
        pause_reasons=PAUSE_REASONS,
        recalls_before_no_show=get_settings().app.recalls_before_no_show,
        labels=choice_labels(),
    )
