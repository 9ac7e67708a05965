"""The treasurer's JSON endpoints: recording and confirming payments, receipts (kuitansi), printing an invoice or
receipt again and their A4 PDFs, and the treasurer's lists. Only the treasurer confirms a payment and issues a
receipt (the rules refuse anyone else); the counter's request panel calls the payment and paper endpoints too."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify, request
from flask_login import current_user
from spectree import Response

from api.access import log_read
from api.request_steps import run_step
from api.schemas import STAFF_ERRORS, ActionOut, Error, ReasonIn
from auth.roles import roles_required
from clock import iso, to_utc, utcnow
from extensions import api_spec, get_db
from models import Invoice, Office
from printer import papers
from rules import access_log, offices
from rules import invoices as inv_rules
from rules import payments as pay_rules
from rules import requests as rq
from rules.errors import N_, RuleError
from rules.roles import STAFF_ROLES, TREASURER_VIEW_ROLES
from treasurer.schemas import PaymentIn, PrintIn, PrintOut, TreasurerQueue

bp = Blueprint("treasurer_api", __name__, url_prefix="/api")


def _parse_paid_at(s, value: str, office_id: int) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RuleError("bad_time", N_("Enter the payment date and time."), status=400) from None
    if moment.tzinfo is None:
        moment = to_utc(moment, offices.office_tz(s.get(Office, office_id)))
    return moment


# ---- payments and receipts -----------------------------------------------------------------------


@bp.post("/requests/<int:request_id>/payments")
@roles_required(*STAFF_ROLES)
@api_spec.validate(json=PaymentIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["payments"])
def record_payment(request_id: int):
    """Record the payment of the standing invoice (NTPN, time); only the treasurer may confirm it."""
    b = request.context.json

    def run(s, req):
        paid_at = _parse_paid_at(s, b.paid_at, req.office_id)
        fn = pay_rules.record_and_confirm if b.confirm else pay_rules.record_payment
        pay = fn(s, request_id=req.id, user_id=current_user.id, ntpn=b.ntpn, paid_at=paid_at)
        return {"payment": rq.payment_json(pay)}

    return run_step(request_id, run)


def _payment_step(payment_id: int, fn):
    with get_db().write() as s:
        pay = pay_rules.get_payment(s, payment_id, office_id=current_user.office_id)
        req_id = pay.request_id
    return run_step(req_id, lambda s, req: {"payment": rq.payment_json(fn(s))})


@bp.post("/payments/<int:payment_id>/confirm")
@roles_required(*STAFF_ROLES)
@api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["payments"])
def confirm_payment(payment_id: int):
    """The treasurer confirms the payment reached the treasury (403 for anyone else)."""
    return _payment_step(
        payment_id, lambda s: pay_rules.confirm_payment(s, payment_id=payment_id, user_id=current_user.id)
    )


@bp.post("/payments/<int:payment_id>/reject")
@roles_required(*STAFF_ROLES)
@api_spec.validate(json=ReasonIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["payments"])
def reject_payment(payment_id: int):
    """The treasurer could not find the payment: set aside with the reason (403 for anyone else)."""
    b = request.context.json
    return _payment_step(
        payment_id,
        lambda s: pay_rules.reject_payment(s, payment_id=payment_id, user_id=current_user.id, reason=b.reason),
    )


@bp.post("/requests/<int:request_id>/receipt")
@roles_required(*STAFF_ROLES)
@api_spec.validate(json=PrintIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["payments"])
def issue_receipt(request_id: int):
    """The treasurer issues the receipt (kuitansi) for the confirmed payment; its slip is queued (403 for others)."""
    b = request.context.json

    def run(s, req):
        rec = pay_rules.issue_receipt(s, request_id=req.id, user_id=current_user.id)
        return {
            "receipt": rq.receipt_json(rec),
            "print_job_id": papers.queue_receipt(
                s, rec, station=papers.station_for(s, current_user, b.station), user_id=current_user.id
            ),
        }

    return run_step(request_id, run)


@bp.post("/invoices/<int:invoice_id>/print")
@roles_required(*STAFF_ROLES)
@api_spec.validate(json=PrintIn, resp=Response(HTTP_200=PrintOut, **STAFF_ERRORS), tags=["payments"])
def print_invoice(invoice_id: int):
    """Print an invoice slip again."""
    b = request.context.json
    with get_db().write() as s:
        inv = inv_rules.get_invoice(s, invoice_id, office_id=current_user.office_id)
        return jsonify(
            print_job_id=papers.queue_invoice(
                s, inv, station=papers.station_for(s, current_user, b.station), user_id=current_user.id
            )
        )


@bp.post("/receipts/<int:receipt_id>/print")
@roles_required(*STAFF_ROLES)
@api_spec.validate(json=PrintIn, resp=Response(HTTP_200=PrintOut, **STAFF_ERRORS), tags=["payments"])
def print_receipt(receipt_id: int):
    """Print a receipt slip again."""
    b = request.context.json
    with get_db().write() as s:
        rec = pay_rules.get_receipt(s, receipt_id, office_id=current_user.office_id)
        return jsonify(
            print_job_id=papers.queue_receipt(
                s, rec, station=papers.station_for(s, current_user, b.station), user_id=current_user.id
            )
        )


@bp.get("/invoices/<int:invoice_id>/pdf")
@roles_required(*STAFF_ROLES)
@api_spec.validate(resp=Response("HTTP_200", HTTP_404=Error, HTTP_401=Error, HTTP_403=Error), tags=["payments"])
def invoice_pdf(invoice_id: int):
    """The invoice as an A4 PDF."""
    with get_db().read() as s:
        inv = inv_rules.get_invoice(s, invoice_id, office_id=current_user.office_id)
        answer, visitor_id = papers.invoice_pdf(s, inv), rq.get_request(s, inv.request_id).visitor_id
    log_read("pdf", [visitor_id], ref=f"invoice:{invoice_id}")
    return answer


@bp.get("/receipts/<int:receipt_id>/pdf")
@roles_required(*STAFF_ROLES)
@api_spec.validate(resp=Response("HTTP_200", HTTP_404=Error, HTTP_401=Error, HTTP_403=Error), tags=["payments"])
def receipt_pdf(receipt_id: int):
    """The receipt (kuitansi) as an A4 PDF."""
    with get_db().read() as s:
        rec = pay_rules.get_receipt(s, receipt_id, office_id=current_user.office_id)
        answer, visitor_id = papers.receipt_pdf(s, rec), rq.get_request(s, rec.request_id).visitor_id
    log_read("pdf", [visitor_id], ref=f"receipt:{receipt_id}")
    return answer


@bp.get("/treasurer/queue")
@roles_required(*TREASURER_VIEW_ROLES)
@api_spec.validate(resp=Response(HTTP_200=TreasurerQueue, **STAFF_ERRORS), tags=["payments"])
def treasurer_queue():
    """What waits for the treasurer: payments to confirm, paid invoices without a receipt, open invoices."""
    now = utcnow()
    with get_db().write() as s:
        inv_rules.expire_due(s, office_id=current_user.office_id, now=now)
        q = pay_rules.treasurer_queue(s, office_id=current_user.office_id, now=now)

        people = []

        def row(inv_id, extra=None):
            inv = s.get(Invoice, inv_id)
            req = rq.get_request(s, inv.request_id)
            people.append(req.visitor_id)
            return {**rq.summary_json(s, req), "invoice": rq.invoice_json(s, inv, now), **(extra or {})}

        out = dict(
            pending_payments=[row(p.invoice_id, {"payment": rq.payment_json(p)}) for p in q["pending_payments"]],
            unreceipted=[row(i.id) for i in q["unreceipted"]],
            open_invoices=[row(i.id) for i in q["open_invoices"]],
            server_time=iso(now),
        )
        access_log.record(
            s, office_id=current_user.office_id, user_id=current_user.id, kind="treasurer_list", visitor_ids=people
        )
        return jsonify(out)
