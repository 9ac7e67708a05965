"""Kiosk pages: the guest book form with the office's services; tickets are taken through the API."""

from __future__ import annotations

from flask import make_response, redirect, render_template, url_for
from flask_babel import gettext as _

from devices.web import current_device, set_device_cookie
from extensions import get_db, get_settings
from guest_book_labels import choice_labels
from i18n import select_locale
from kiosk import bp
from rules import consent, devices, guestbook, offices
from rules.tickets import PRIORITY_REASONS


def kiosk_strings() -> dict:
    """Sentences the kiosk's script shows, in the screen's language."""
    return {
        "network": _("The kiosk cannot reach the server. Please try again or ask an officer."),
        "ahead": _("People ahead of you"),
        "wait": _("Estimated wait"),
        "minutes": _("minutes"),
        "now": _("You are next"),
        "found": _(
            "Welcome back! Questions you leave empty keep your earlier answers; change only what is no longer right."
        ),
        "not_found": _("No earlier visit with this e-mail and phone number; please fill in the form."),
        "both": _("Enter both your e-mail and your phone number."),
        "print_note": _("Your ticket is being printed. Keep this number."),
        "limit": _(
            "You will be called at most %(n)s minutes after the visitor ahead of you has finished.",
            n=get_settings().office.service_limit_minutes,
        ),
    }


@bp.route("/")
def default():
    return redirect(url_for("kiosk.kiosk", code=get_settings().office.code))


DEMO_STATION = "kiosk-1"


@bp.route("/<code>")
def kiosk(code: str):
    """The guest book and ticket screen, on a paired kiosk of this office; any other browser is sent to the
    pairing page (in the demo, LOKET_DEMO=1, it is paired as a demo kiosk at once)."""
    token = None
    with get_db().read() as s:
        office = offices.get_office(s, code)
        services = offices.services(s, office.id)
        device = current_device(s)
    if device is None or device.kind != "kiosk" or device.office_id != office.id:
        if not get_settings().security.demo:
            return redirect(url_for("devices.pair"))
        with get_db().write() as s:
            _device, token = devices.register_paired(
                s, office_id=office.id, kind="kiosk", station=DEMO_STATION, label="Demo kiosk (paired automatically)"
            )
    page = render_template(
        "kiosk/kiosk.html",
        office=office,
        services=services,
        labels=choice_labels(),
        strings=kiosk_strings(),
        segments=guestbook.SEGMENT_OF_CATEGORY,
        consent=consent.current(),
        consent_text=consent.current().text(select_locale()),
        priority_reasons=PRIORITY_REASONS,
    )
    return set_device_cookie(make_response(page), token) if token else page
