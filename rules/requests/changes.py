"""Steps 16-17 and changes before payment: corrections, revising the products, cancelling."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from clock import utcnow
from models import Invoice, InvoiceStatus, Payment, PaymentStatus, ProductRequest
from rules.errors import N_, Msg, RuleError
from rules.requests.machine import active_invoice, confirmed_payment, get_request, get_user, record, require
from rules.text import given_reason

# ---- steps 16-17: corrections; changes before payment; cancelling --------------------------------


def request_correction(
    session: Session,
    *,
    request_id: int,
    text: str,
    user_id: int | None = None,
    by_visitor: bool = False,
    now: datetime | None = None,
) -> ProductRequest:
    """The visitor finds something wrong with the receipt or product (step 16): the request reopens."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "request_correction", user=user, by_visitor=by_visitor)
    text = (text or "").strip()
    if len(text) < 3:
        raise RuleError("no_text", N_("Say what should be corrected."), status=400)
    req.closed_at = None
    record(session, req, "request_correction", now=now, user=user, by_visitor=by_visitor, text=text[:1000])
    return req


def resolve_correction(
    session: Session,
    *,
    request_id: int,
    user_id: int,
    result: str,
    download_ref: str = "",
    shipped: bool = False,
    now: datetime | None = None,
) -> ProductRequest:
    """The officer checked and followed up the correction (step 17); the request closes again. A corrected hard
    copy sent by post is shipped at the office's cost (the standard's note 2): recorded, never invoiced."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "resolve_correction", user=user)
    result = (result or "").strip()
    if len(result) < 3:
        raise RuleError("no_text", N_("Write down the result of the correction."), status=400)
    changed = {"result": result[:1000]}
    if shipped:
        changed["shipping"] = "free: correction"
    if download_ref.strip():
        req.download_ref = changed["download_ref"] = download_ref.strip()[:500]
    req.closed_at = now
    record(session, req, "resolve_correction", now=now, user=user, **changed)
    return req


def _end_invoice(session: Session, req: ProductRequest, status: str, reason: str, now: datetime) -> Invoice | None:
    inv = active_invoice(session, req.id)
    if inv is None:
        return None
    if inv.status == InvoiceStatus.paid:
        return inv
    inv.status, inv.closed_at, inv.close_reason = status, now, reason[:300]
    session.add(inv)
    return inv


def _refuse_if_paid(session: Session, req: ProductRequest, action: str) -> None:
    if confirmed_payment(session, req.id) is not None:
        raise RuleError(
            "already_paid",
            N_(
                "Request %(number)s has a confirmed payment; it cannot be %(action)s. "
                "Ask for a correction after delivery instead."
            ),
            number=req.number,
            action=Msg(action),
        )
    pending = session.exec(
        select(Payment).where(Payment.request_id == req.id, Payment.status == PaymentStatus.recorded)
    ).first()
    if pending is not None:
        raise RuleError(
            "payment_pending",
            N_("A payment is waiting for the treasurer's confirmation; it cannot be %(action)s now."),
            action=Msg(action),
        )


def revise(
    session: Session, *, request_id: int, user_id: int, reason: str, now: datetime | None = None
) -> ProductRequest:
    """The visitor asks for a change before paying (step 10): the request reopens; an unpaid invoice is
    cancelled and the agreement and check must be made again."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "revise", user=user)
    _refuse_if_paid(session, req, N_("changed"))
    reason = given_reason(reason)
    if reason is None:
        raise RuleError("no_reason", N_("Say what the visitor wants changed."), status=400)
    inv = _end_invoice(session, req, InvoiceStatus.cancelled, "revised: " + reason, now)
    req.terms_agreed_at = req.documents_checked_at = None
    record(
        session,
        req,
        "revise",
        now=now,
        user=user,
        reason=reason[:300],
        **({"cancelled_invoice": inv.number} if inv else {}),
    )
    return req


def cancel(
    session: Session, *, request_id: int, user_id: int, reason: str, now: datetime | None = None
) -> ProductRequest:
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "cancel", user=user)
    _refuse_if_paid(session, req, N_("cancelled"))
    reason = given_reason(reason)
    if reason is None:
        raise RuleError("no_reason", N_("Give a reason for cancelling."), status=400)
    inv = _end_invoice(session, req, InvoiceStatus.cancelled, "request cancelled: " + reason, now)
    req.cancelled_at = now
    record(
        session,
        req,
        "cancel",
        now=now,
        user=user,
        reason=reason[:300],
        **({"cancelled_invoice": inv.number} if inv else {}),
    )
    return req
