"""Payments and receipts: the NTPN recorded against an invoice's billing code, confirmed only by the treasurer,
who alone issues the receipt (kuitansi), and only for a confirmed payment (SPEC steps 12 and 14).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel import Session, select

from clock import iso, utcnow
from models import Invoice, InvoiceStatus, Payment, PaymentStatus, Receipt
from rules import invoices, numbering
from rules import requests as rq
from rules.errors import N_, Msg, NotFound, RuleError
from rules.text import given_reason

_NTPN = re.compile(r"^[0-9A-Z]{16}$")
# A payment proof's clock and ours may differ a little; a "future" payment beyond this is a typo.
CLOCK_SLACK = timedelta(minutes=10)


def normalize_ntpn(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def validate_ntpn(value: str) -> str:
    """An NTPN is 16 letters and digits (proof that the payment reached the state treasury)."""
    ntpn = normalize_ntpn(value)
    if not _NTPN.match(ntpn):
        raise RuleError("bad_ntpn", N_("An NTPN has 16 letters and digits."), status=400)
    return ntpn


def get_payment(session: Session, payment_id: int, *, office_id: int | None = None) -> Payment:
    p = session.get(Payment, payment_id)
    if p is None or (office_id is not None and p.office_id != office_id):
        raise NotFound("payment_not_found", N_("No such payment."))
    return p


def _invoice_and_request(session: Session, user, invoice_id: int | None, request_id: int | None, step: str):
    """The invoice (given, or the request's standing one) and its request, after checking the step is allowed."""
    if invoice_id is not None:
        inv = invoices.get_invoice(session, invoice_id, office_id=user.office_id if user else None)
        req = rq.get_request(session, inv.request_id, for_update=True)
        session.refresh(inv)  # read again under the request's lock: a concurrent step may have changed it
        rq.require(req, step, user=user)
        return inv, req
    req = rq.get_request(session, request_id, office_id=user.office_id if user else None, for_update=True)
    rq.require(req, step, user=user)
    inv = rq.active_invoice(session, req.id)
    if inv is None:
        raise RuleError("no_invoice", N_("Request %(number)s has no invoice."), number=req.number)
    return inv, req


def record_payment(
    session: Session,
    *,
    user_id: int,
    ntpn: str,
    paid_at: datetime,
    invoice_id: int | None = None,
    request_id: int | None = None,
    now: datetime | None = None,
) -> Payment:
    """Record that the invoice was paid with its billing code (step 12); the treasurer confirms it.

    Refused on a cancelled or replaced invoice, and on an expired one unless the money was paid before the
    invoice expired (a visitor may bring the proof later): the payment time decides, not the typing time.
    """
    now = now or utcnow()
    user = rq.get_user(session, user_id)
    inv, req = _invoice_and_request(session, user, invoice_id, request_id, "record_payment")
    if paid_at.tzinfo is None:
        raise RuleError("bad_time", N_("The payment time needs a time zone."), status=400)
    invoices.refresh(session, inv, now)
    if inv.status in (InvoiceStatus.cancelled, InvoiceStatus.replaced):
        raise RuleError(
            "invoice_closed",
            N_("Invoice %(number)s was %(what)s; it cannot be paid."),
            number=inv.number,
            what=Msg(_STATUS_WORDS[inv.status]),
        )
    if (
        inv.status == InvoiceStatus.paid
        or session.exec(
            select(Payment).where(
                Payment.invoice_id == inv.id, Payment.status.in_([PaymentStatus.recorded, PaymentStatus.confirmed])
            )
        ).first()
    ):
        raise RuleError("already_paid", N_("A payment of invoice %(number)s is already recorded."), number=inv.number)
    if paid_at > now + CLOCK_SLACK:
        raise RuleError("future_payment", N_("The payment time is in the future."), status=400)
    if paid_at < inv.issued_at - CLOCK_SLACK:
        raise RuleError(
            "payment_before_invoice",
            N_("The payment time is before invoice %(number)s was issued."),
            status=400,
            number=inv.number,
        )
    if paid_at >= inv.valid_until:
        raise RuleError(
            "invoice_expired",
            N_(
                "Invoice %(number)s expired on %(day)s; a payment after that is not "
                "accepted. Issue a new invoice with a new billing code."
            ),
            number=inv.number,
            day=invoices.local_last_day(session, inv).isoformat(),
        )
    code = validate_ntpn(ntpn)
    dup = session.exec(
        select(Payment).where(
            Payment.office_id == inv.office_id, Payment.ntpn == code, Payment.status != PaymentStatus.rejected
        )
    ).first()
    if dup is not None:
        raise RuleError("ntpn_used", N_("NTPN %(ntpn)s is already recorded for another payment."), ntpn=code)
    if inv.status == InvoiceStatus.expired:
        # Paid in time, shown late: the invoice stands again, as issued, until the treasurer confirms.
        inv.status, inv.closed_at, inv.close_reason = InvoiceStatus.issued, None, ""
        session.add(inv)
    pay = Payment(
        office_id=inv.office_id,
        invoice_id=inv.id,
        request_id=req.id,
        billing_code=inv.billing_code,
        ntpn=code,
        amount=inv.total,
        paid_at=paid_at,
        recorded_by=user.id,
        recorded_at=now,
    )
    session.add(pay)
    session.flush()
    rq.record(
        session,
        req,
        "record_payment",
        now=now,
        user=user,
        invoice=inv.number,
        ntpn=code,
        paid_at=iso(paid_at),
        total=inv.total,
    )
    return pay


_STATUS_WORDS = {
    InvoiceStatus.cancelled: N_("cancelled"),
    InvoiceStatus.replaced: N_("replaced"),
    InvoiceStatus.expired: N_("expired"),
    InvoiceStatus.paid: N_("paid"),
    InvoiceStatus.issued: N_("issued"),
}


def _treasurer_payment(session: Session, payment_id: int, user_id: int, step: str):
    user = rq.get_user(session, user_id)
    pay = get_payment(session, payment_id, office_id=user.office_id if user else None)
    req = rq.get_request(session, pay.request_id, for_update=True)
    session.refresh(pay)  # under the request's lock: two treasurers clicking at once confirm it once
    rq.require(req, step, user=user)
    if pay.status != PaymentStatus.recorded:
        raise RuleError(
            "payment_not_pending",
            N_("This payment is %(what)s, not waiting for confirmation."),
            what=Msg({"confirmed": N_("confirmed"), "rejected": N_("rejected")}.get(pay.status, pay.status)),
        )
    return user, pay, req


def confirm_payment(session: Session, *, payment_id: int, user_id: int, now: datetime | None = None) -> Payment:
    """The treasurer confirms the money reached the treasury (checked against SIMPONI by the NTPN); for a bank
    transfer from abroad, that the uploaded proof matches the money received (online step 13)."""
    now = now or utcnow()
    method = get_payment(session, payment_id).method
    step = "verify_transfer" if method == "transfer" else "confirm_payment"
    user, pay, req = _treasurer_payment(session, payment_id, user_id, step)
    inv = session.get(Invoice, pay.invoice_id)
    pay.status, pay.confirmed_by, pay.confirmed_at = PaymentStatus.confirmed, user.id, now
    inv.status, inv.paid_at = InvoiceStatus.paid, pay.paid_at
    session.add_all([pay, inv])
    detail = {"ntpn": pay.ntpn} if method != "transfer" else {"proof": pay.upload_id}
    rq.record(session, req, step, now=now, user=user, invoice=inv.number, total=pay.amount, **detail)
    return pay


def record_transfer(session: Session, *, request_id: int, upload_id: int, now: datetime | None = None) -> Payment:
    """A buyer abroad paid by bank transfer to the treasurer's account and uploaded the proof (online step 11):
    a payment waiting for the treasurer's verification, like an NTPN typed in."""
    now = now or utcnow()
    req = rq.get_request(session, request_id, for_update=True)
    rq.require(req, "record_transfer", by_visitor=True)
    inv = rq.active_invoice(session, req.id)
    if inv is None:
        raise RuleError("no_invoice", N_("Request %(number)s has no invoice."), number=req.number)
    invoices.refresh(session, inv, now)
    if inv.status != InvoiceStatus.issued:
        raise RuleError(
            "invoice_closed",
            N_("Invoice %(number)s was %(what)s; it cannot be paid."),
            number=inv.number,
            what=Msg(_STATUS_WORDS[inv.status]),
        )
    waiting = session.exec(
        select(Payment).where(
            Payment.invoice_id == inv.id, Payment.status.in_([PaymentStatus.recorded, PaymentStatus.confirmed])
        )
    ).first()
    if waiting is not None:
        raise RuleError("already_paid", N_("A payment of invoice %(number)s is already recorded."), number=inv.number)
    pay = Payment(
        office_id=inv.office_id,
        invoice_id=inv.id,
        request_id=req.id,
        billing_code=inv.billing_code,
        ntpn="",
        amount=inv.total,
        paid_at=now,
        method="transfer",
        upload_id=upload_id,
        recorded_at=now,
    )
    session.add(pay)
    session.flush()
    rq.record(session, req, "record_transfer", now=now, by_visitor=True, invoice=inv.number, total=inv.total)
    return pay


def reject_payment(
    session: Session, *, payment_id: int, user_id: int, reason: str, now: datetime | None = None
) -> Payment:
    """The treasurer could not find the payment (wrong NTPN, not in SIMPONI): it is set aside with the reason."""
    now = now or utcnow()
    user, pay, req = _treasurer_payment(session, payment_id, user_id, "reject_payment")
    reason = given_reason(reason)
    if reason is None:
        raise RuleError("no_reason", N_("Give a reason for not confirming the payment."), status=400)
    pay.status, pay.rejected_reason, pay.confirmed_by, pay.confirmed_at = (
        PaymentStatus.rejected,
        reason[:300],
        user.id,
        now,
    )
    session.add(pay)
    inv = session.get(Invoice, pay.invoice_id)
    rq.record(session, req, "reject_payment", now=now, user=user, invoice=inv.number, reason=reason[:300])
    invoices.refresh(session, inv, now)
    return pay


def record_and_confirm(
    session: Session,
    *,
    user_id: int,
    ntpn: str,
    paid_at: datetime,
    invoice_id: int | None = None,
    request_id: int | None = None,
    now: datetime | None = None,
) -> Payment:
    """The treasurer records the payment the visitor shows and confirms it at once (two steps, both recorded)."""
    pay = record_payment(
        session, invoice_id=invoice_id, request_id=request_id, user_id=user_id, ntpn=ntpn, paid_at=paid_at, now=now
    )
    return confirm_payment(session, payment_id=pay.id, user_id=user_id, now=now)


def issue_receipt(
    session: Session,
    *,
    user_id: int,
    invoice_id: int | None = None,
    request_id: int | None = None,
    now: datetime | None = None,
) -> Receipt:
    """The treasurer issues the receipt (kuitansi), with its own number, for a confirmed payment (step 14)."""
    now = now or utcnow()
    user = rq.get_user(session, user_id)
    inv, req = _invoice_and_request(session, user, invoice_id, request_id, "issue_receipt")
    pay = session.exec(
        select(Payment).where(Payment.invoice_id == inv.id, Payment.status == PaymentStatus.confirmed)
    ).first()
    if pay is None or inv.status != InvoiceStatus.paid:
        raise RuleError(
            "not_paid", N_("Invoice %(number)s has no confirmed payment; no receipt without one."), number=inv.number
        )
    existing = session.exec(select(Receipt).where(Receipt.invoice_id == inv.id)).first()
    if existing is not None:
        raise RuleError(
            "receipt_exists",
            N_("Receipt %(number)s was already issued for this invoice; reprint it instead."),
            number=existing.number,
        )
    number, year = numbering.document_number(
        session, office_id=inv.office_id, kind="receipt", prefix=invoices.RECEIPT_PREFIX, now=now
    )
    rec = Receipt(
        office_id=inv.office_id,
        invoice_id=inv.id,
        payment_id=pay.id,
        request_id=req.id,
        number=number,
        year=year,
        total=pay.amount,
        issued_at=now,
        issued_by=user.id,
    )
    session.add(rec)
    session.flush()
    rq.record(session, req, "issue_receipt", now=now, user=user, receipt=number, invoice=inv.number, total=rec.total)
    return rec


def get_receipt(session: Session, receipt_id: int, *, office_id: int | None = None) -> Receipt:
    rec = session.get(Receipt, receipt_id)
    if rec is None or (office_id is not None and rec.office_id != office_id):
        raise NotFound("receipt_not_found", N_("No such receipt."))
    return rec


def treasurer_queue(session: Session, *, office_id: int, now: datetime | None = None) -> dict:
    """What waits for the treasurer: payments to confirm, paid invoices without a receipt, open invoices (unpaid,
    with no payment waiting). Each invoice appears in one list only."""
    now = now or utcnow()
    pending = session.exec(
        select(Payment)
        .where(Payment.office_id == office_id, Payment.status == PaymentStatus.recorded)
        .order_by(Payment.recorded_at)
    ).all()
    receipted = select(Receipt.invoice_id).where(Receipt.office_id == office_id)
    unreceipted = session.exec(
        select(Invoice)
        .where(Invoice.office_id == office_id, Invoice.status == InvoiceStatus.paid, Invoice.id.not_in(receipted))
        .order_by(Invoice.paid_at)
    ).all()
    # An invoice whose payment waits for confirmation is in the first list only: offering to record another
    # payment for it would invite a second NTPN for the same billing code (record_payment refuses it anyway).
    awaiting = select(Payment.invoice_id).where(
        Payment.office_id == office_id, Payment.status == PaymentStatus.recorded
    )
    open_invoices = session.exec(
        select(Invoice)
        .where(Invoice.office_id == office_id, Invoice.status == InvoiceStatus.issued, Invoice.id.not_in(awaiting))
        .order_by(Invoice.issued_at.desc())
        .limit(50)
    ).all()
    return {
        "pending_payments": pending,
        "unreceipted": unreceipted,
        "open_invoices": [i for i in open_invoices if invoices.effective_status(i, now) == InvoiceStatus.issued],
    }
