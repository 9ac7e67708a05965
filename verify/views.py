"""Is this paper genuine? /verify/<token> (the QR code on a printed invoice or receipt): its number, date,
amount and state; the buyer's name, as frozen on the invoice, masked."""

from __future__ import annotations

import json

from flask import Blueprint, render_template
from flask_babel import gettext as _
from sqlmodel import select

from clock import utcnow
from extensions import get_db
from models import Invoice, Office, Receipt
from rules import invoices as inv_rules
from rules import offices
from rules.privacy import mask_name

bp = Blueprint("verify", __name__, template_folder="templates")


@bp.route("/verify/<token>")
def verify(token: str):
    """The paper's facts as the office holds them, or 404 for a token that names no paper."""
    with get_db().read() as s:
        inv = s.exec(select(Invoice).where(Invoice.verify_token == token)).first()
        rec = None if inv else s.exec(select(Receipt).where(Receipt.verify_token == token)).first()
        if inv is None and rec is None:
            return render_template("error.html", message=_("This document link is not valid.")), 404
        doc = rec or inv
        office = s.get(Office, doc.office_id)
        # The buyer as frozen on the invoice when it was issued: the person whose request it is, never a later
        # typist's name (only a recorded correction on the rights screen rewrites it).
        inv_of_doc = inv or s.get(Invoice, rec.invoice_id)
        buyer = json.loads(inv_of_doc.snapshot).get("buyer", {}).get("name", "")
        info = {
            "kind": "receipt" if rec else "invoice",
            "number": doc.number,
            "issued_at": doc.issued_at,
            "total": doc.total,
            "buyer": mask_name(buyer),
            "status": inv_rules.effective_status(inv, utcnow()) if inv else "paid",
            "billing_code": inv_of_doc.billing_code,
            "invoice_number": inv_of_doc.number if rec else "",
            "last_valid_day": inv_rules.local_last_day(s, inv) if inv else None,
        }
    return render_template("verify/verify.html", info=info, office=office, office_tz=offices.office_tz(office))
