"""The public request page and the visitor's page of a request without a ticket."""

from __future__ import annotations

from flask import make_response, render_template
from flask_babel import gettext as _

from extensions import get_db, get_settings
from guest_book_labels import choice_labels
from online import bp
from rules import guestbook, offices
from rules import requests as rq
from rules.errors import NotFound


def _private(resp):
    """A visitor's page: never cached, never indexed, the link never leaked in a Referer header."""
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Robots-Tag"] = "noindex, nofollow"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


def page_strings() -> dict:
    """Sentences the pages' scripts show, in the page's language."""
    return {
        "network": _("Cannot reach the server. Check your connection and try again."),
        "remove": _("Remove"),
        "size": {"pages": _("pages"), "bytes": _("bytes")},
        "no_lines": _("No products chosen yet."),
        "sent": _("Thank you. We sent a link to %(email)s: open it to confirm your address and follow your request."),
        "uploaded": _("Received. Thank you."),
        "confirmed": _("Your e-mail address is confirmed. We will work on your request now."),
        "correction_sent": _("Your correction request was sent."),
        "download": _("Download"),
        "file_too_large": _("The file is larger than %(limit)s MB."),
        "papers_ask": _("To open your invoice and receipt, enter the last 4 digits of the phone number you gave."),
        "papers_digits": _("Last 4 digits of your phone number"),
        "papers_open": _("Open my papers"),
    }


@bp.get("/online/<code>")
def request_page(code: str):
    """The office's public request page (online steps 1-5)."""
    with get_db().read() as s:
        office = offices.get_office(s, code)
    settings = get_settings()
    return render_template(
        "online/request.html",
        office=office,
        labels=choice_labels(),
        segments=guestbook.SEGMENT_OF_CATEGORY,
        strings=page_strings(),
        max_mb=settings.uploads.max_mb,
    )


@bp.get("/o/<token>")
def visitor_page(token: str):
    """The visitor's own page of a request (the e-mailed link): 404 for an unknown token."""
    with get_db().read() as s:
        try:
            req = rq.by_visitor_token(s, token)
        except NotFound:
            return _private(make_response(render_template("phone/not_found.html"), 404))
        number = req.number
    return _private(
        make_response(
            render_template(
                "online/visitor.html",
                token=token,
                number=number,
                strings=page_strings(),
                max_mb=get_settings().uploads.max_mb,
            )
        )
    )
