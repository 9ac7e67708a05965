"""Public pages of a paid-product request: the rating form (/rate/<token>, on a counter tablet or the visitor's
phone) and the check of a printed invoice or receipt (/verify/<token>, the QR code on the paper)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlmodel import select

from api.requests import rating_form_json, rule_error_json
from extensions import get_db
from models import Invoice, Office, Receipt, Visitor
from rules import ikm as ikm_rules
from rules import invoices as inv_rules
from rules import offices
from rules import requests as rq
from rules.errors import RuleError
from rules.privacy import mask_name

bp = Blueprint("request_pages", __name__, template_folder="templates")


@bp.route("/rate/<token>", methods=["GET", "POST"])
def rate(token: str):
    """The SKM survey: the 9 elements on the 1-4 scale. Works without JavaScript (a plain form post)."""
    error, done, chosen = "", False, {}
    if request.method == "POST":
        chosen = {c: request.form.get(c, "") for c in ikm_rules.CODES}
        scores = {c: int(v) if v.isdigit() else None for c, v in chosen.items()}
        channel = request.form.get("channel", "")
        try:
            with get_db().write() as s:
                ikm_rules.rate(s, rating_token=token, scores=scores, comment=request.form.get("comment", ""),
                               channel=channel)
            done = True
        except RuleError as err:
            if err.status == 404:
                raise
            error = rule_error_json(err)[0].get_json()["message"]
    with get_db().read() as s:
        form = rating_form_json(s, rq.by_rating_token(s, token))
    return render_template("requests/rate.html", form=form, token=token, error=error, done=done, chosen=chosen,
                           channel=request.args.get("channel", request.form.get("channel", "phone")))


@bp.route("/verify/<token>")
def verify(token: str):
    """Is this paper genuine? The number, date, amount and state of an invoice or receipt; the name masked."""
    with get_db().read() as s:
        inv = s.exec(select(Invoice).where(Invoice.verify_token == token)).first()
        rec = None if inv else s.exec(select(Receipt).where(Receipt.verify_token == token)).first()
        if inv is None and rec is None:
            return render_template("error.html", message=_("This document link is not valid.")), 404
        doc = rec or inv
        office = s.get(Office, doc.office_id)
        req = rq.get_request(s, doc.request_id)
        visitor = s.get(Visitor, req.visitor_id)
        from clock import utcnow
        info = {"kind": "receipt" if rec else "invoice", "number": doc.number, "issued_at": doc.issued_at,
                "total": doc.total, "buyer": mask_name(visitor.name),
                "status": inv_rules.effective_status(inv, utcnow()) if inv else "paid",
                "billing_code": (inv or s.get(Invoice, rec.invoice_id)).billing_code,
                "invoice_number": s.get(Invoice, rec.invoice_id).number if rec else "",
                "last_valid_day": inv_rules.local_last_day(s, inv) if inv else None}
    return render_template("requests/verify.html", info=info, office=office, office_tz=offices.office_tz(office))
