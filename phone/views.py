"""The status page and its small JSON endpoints: every route finds the ticket by its token, or answers 404."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import current_app, jsonify, make_response, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from spectree import Response

from api.errors import refusal_json
from api.schemas import Error
from extensions import api_spec, get_db, get_settings
from links import ticket_status_url
from models import GuestBookEntry, Office, Visitor
from phone import bp
from phone.api import visitor_json
from phone.schemas import BackIn, VisitorState
from realtime import publish
from rules import ikm as ikm_rules
from rules import tickets, visitor_status
from rules.errors import RuleError
from rules.privacy import first_name

POLL_SECONDS = 15  # the fallback's pace when the socket cannot connect
STEP_OUT_CHOICES = (5, 10, 15, 30)


def _private(resp):
    """Never cached by a proxy, never indexed, never leaking the link in a Referer header."""
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Robots-Tag"] = "noindex, nofollow"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


def _not_found_page():
    return _private(make_response(render_template("phone/not_found.html"), 404))


def _not_found_json():
    return _private(make_response(jsonify(error="not_found", message=_("This link is not valid or has expired.")), 404))


def _keep_hours() -> float:
    return get_settings().app.status_link_hours


def _view(s, ticket) -> dict:
    view = visitor_status.visitor_view(s, ticket, default_service_minutes=get_settings().app.default_service_minutes)
    view["request"] = request_part(s, ticket)
    view["rating"] = visit_rating(s, ticket)
    return view


def visit_rating(s, ticket) -> str | None:
    """The survey link of a visit without a paid request, once it is done and until it is rated (issue 15)."""
    if not ikm_rules.form_state(s, ticket.status_token)["can_rate"]:
        return None
    return url_for("rating.rate", token=ticket.status_token, channel="phone")


def request_part(s, ticket) -> dict | None:
    """The paid-product request opened from this ticket, as its visitor may see it, or None.

    Built from the visitor's view of a request (phone.api.visitor_json: visitor history, documents through the
    request's token, whether a correction or a rating is possible).
    """
    req = visitor_status.request_of(s, ticket)
    if req is None:
        return None
    v = visitor_json(s, req)
    unpaid = [i for i in v["invoices"] if i["status"] == "issued"]
    return {
        "number": v["number"],
        "state": v["state"],
        "progress": v["progress"],
        "state_label": v["state_label"],
        # What to pay, once invoiced and until paid: the billing code, the amount, the last day (issue 15).
        "pay": {
            "billing_code": unpaid[-1]["billing_code"],
            "amount": unpaid[-1]["total"],
            "until": format_date(date.fromisoformat(unpaid[-1]["last_valid_day"]), "long"),
        }
        if unpaid and v["progress"] == "awaiting_payment"
        else None,
        "download_link": v["download_ref"].startswith(("https://", "http://")),
        "total": v["total"],
        "zero_tariff": req.zero_tariff,
        "steps": [{k: e[k] for k in ("label", "at", "invoice", "receipt") if k in e} for e in v["history"]],
        "invoices": [{"number": i["number"], "status": i["status"], "pdf": i["pdf"]} for i in v["invoices"]],
        "receipts": [{"number": r["number"], "pdf": r["pdf"]} for r in v["receipts"]],
        "agreements": [{**a, "label": _agreement_words()[a["kind"]]} for a in v["agreements"]],
        "papers_open": v["papers_open"],
        "papers_unlock": v["papers_unlock"],
        "download_ref": v["download_ref"],
        "correction": url_for("phone_api.visitor_correction", token=req.visitor_token)
        if v["can_ask_correction"]
        else None,
        "rating": url_for("rating.rate", token=req.rating_token, channel="phone") if v["can_rate"] else None,
    }


def _agreement_words() -> dict:
    return {
        "sppd": _("Data use agreement (SPPD, PDF) to sign"),
        "sample": _("Data sample handover (PDF) to sign"),
    }


def strings() -> dict:
    """Sentences the page's script shows, in the visitor's language."""
    return {
        "waiting": _("Waiting"),
        "called": _("Your number is called!"),
        "serving": _("You are being served"),
        "done": _("Your visit is finished. Thank you!"),
        "cancelled": _("This ticket was cancelled."),
        "no_show": _("You were called but did not come. Ask an officer: they can put your number back."),
        "day_over": _("This number was not served on its day. Please take a new number."),
        "go_to": _("Please go to counter %(counter)s"),
        "at_counter": _("at counter %(counter)s"),
        "ahead_0": _("You are next"),
        "ahead": _("People ahead of you"),
        "wait": _("Estimated wait"),
        "minutes": _("minutes"),
        "deadline": _("You should be called by %(time)s"),
        "back_until": _("You said you will be back by %(time)s. Your place is kept."),
        "live": _("Live"),
        "polling": _("Updating every few seconds"),
        "offline": _("Offline: showing the last known state"),
        "recall": _("Called again"),
        "gone": _("This link is not valid or has expired."),
        "network": _("No connection. Please try again."),
        "sound_on": _("Sound on"),
        "request": _("Your request"),
        "total": _("Total"),
        "invoice_pdf": _("Invoice %(number)s (PDF)"),
        "receipt_pdf": _("Receipt %(number)s (PDF)"),
        "correction": _("Ask for a correction"),
        "correction_hint": _("What should be corrected in the receipt or the product?"),
        "send": _("Send"),
        "correction_sent": _("Your correction request was sent. An officer will follow it up."),
        "rating": _("Rate our service"),
        "download_ref": _("Download reference"),
        "pay": _("To pay"),
        "pay_code": _("Billing code (SIMPONI)"),
        "pay_amount": _("Amount"),
        "pay_until": _(
            "Pay by %(date)s at a bank, post office or any SIMPONI payment channel; the amount must match exactly."
        ),
        "papers_ask": _(
            "To open your invoice and receipt, enter the last 4 digits of the phone number you gave at the kiosk."
        ),
        "papers_digits": _("Last 4 digits of your phone number"),
        "papers_open": _("Open my papers"),
        "invoice_status": {
            "issued": _("unpaid"),
            "paid": _("paid"),
            "expired": _("expired"),
            "cancelled": _("cancelled"),
            "replaced": _("replaced"),
        },
    }


@bp.get("/<token>")
def page(token: str):
    """The visitor's live status page."""
    settings = get_settings()
    with get_db().read() as s:
        ticket = visitor_status.live_ticket(s, token, keep_hours=_keep_hours())
        if ticket is None:
            return _not_found_page()
        office = s.get(Office, ticket.office_id)
        # The name typed on this visit (a returning visitor who left it blank: the one on record).
        entry = s.get(GuestBookEntry, ticket.guestbook_id) if ticket.guestbook_id else None
        visitor = s.get(Visitor, ticket.visitor_id) if ticket.visitor_id else None
        name = first_name((entry.name if entry else "") or (visitor.name if visitor else ""))
        view = _view(s, ticket)
    poll = current_app.config.get("STATUS_POLL_SECONDS", POLL_SECONDS)
    return _private(
        make_response(
            render_template(
                "phone/page.html",
                token=token,
                office=office,
                first_name=name,
                state=view,
                strings=strings(),
                poll_seconds=poll,
                choices=STEP_OUT_CHOICES,
                complaints=settings.office.complaints,
                limit_text=_(
                    "You will be called at most %(n)s minutes after the visitor ahead of you has finished.",
                    n=office.service_limit_minutes,
                ),
            )
        )
    )


@bp.get("/<token>/state")
@api_spec.validate(resp=Response(HTTP_200=VisitorState, HTTP_404=Error), tags=["visitor"])
def state(token: str):
    """The ticket's state as its phone shows it (the polling fallback and the refresh after sleep)."""
    with get_db().read() as s:
        ticket = visitor_status.live_ticket(s, token, keep_hours=_keep_hours())
        if ticket is None:
            return _not_found_json()
        return _private(jsonify(_view(s, ticket)))


def _act(token: str, action):
    """Run one visitor action on the ticket, commit, broadcast, answer with the new state."""
    try:
        with get_db().write() as s:
            ticket = visitor_status.live_ticket(s, token, keep_hours=_keep_hours())
            if ticket is None:
                return _not_found_json()
            action(s, ticket)
            view = _view(s, ticket)
            office_id = ticket.office_id
    except RuleError as e:  # rolled back; the page shows the sentence
        return _private(make_response(jsonify(refusal_json(e)), e.status))
    publish(office_id)
    return _private(jsonify(view))


@bp.post("/<token>/cancel")
@api_spec.validate(
    resp=Response(HTTP_200=VisitorState, HTTP_400=Error, HTTP_404=Error, HTTP_409=Error), tags=["visitor"]
)
def cancel(token: str):
    """The visitor gives up their place (waiting tickets only); the next visitor moves up."""
    return _act(token, lambda s, t: tickets.cancel(s, ticket_id=t.id, by="visitor"))


@bp.post("/<token>/back")
@api_spec.validate(
    json=BackIn, resp=Response(HTTP_200=VisitorState, HTTP_400=Error, HTTP_404=Error, HTTP_409=Error), tags=["visitor"]
)
def step_out(token: str):
    """ "I'll be back in N minutes" (0: "I'm back"). The place is kept; the officer sees when they return."""
    minutes = request.context.json.minutes
    return _act(token, lambda s, t: tickets.back_in(s, ticket_id=t.id, minutes=minutes, by="visitor"))


@bp.get("/<token>/qr.svg")
def qr(token: str):
    """The link as a QR code (SVG, drawn on the server): shown on the kiosk screen after taking a number."""
    with get_db().read() as s:
        if visitor_status.live_ticket(s, token, keep_hours=_keep_hours()) is None:
            return _not_found_page()
    buf = BytesIO()
    import segno  # 2.4 MB with its XML writer: loaded on the first QR code, not at start

    segno.make(ticket_status_url(get_settings(), token), error="m").save(
        buf, kind="svg", scale=6, border=4, xmldecl=False, title=_("Your queue status")
    )
    resp = make_response(buf.getvalue())
    resp.headers["Content-Type"] = "image/svg+xml"
    resp.headers["Cache-Control"] = "private, max-age=3600"
    resp.headers["X-Robots-Tag"] = "noindex, nofollow"
    return resp
