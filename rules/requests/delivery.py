"""Steps 9-15: the data sample, the signed SPPD, preparing, ready, delivery with its download reference,
closing."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from clock import utcnow
from models import ProductRequest
from rules.errors import N_, RuleError
from rules.requests.documents import needs_sppd
from rules.requests.machine import TRANSITIONS, S, documents, get_request, get_user, lines, receipt_of, record, require

# ---- steps 9-15: sample, SPPD, preparation, delivery ---------------------------------------------


def hand_over_sample(
    session: Session, *, request_id: int, user_id: int, note: str = "", now: datetime | None = None
) -> ProductRequest:
    """A data sample of the microdata is handed to the visitor (step 9)."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "hand_over_sample", user=user)
    if not any(ln.category == "microdata" for ln in lines(session, req.id)):
        raise RuleError("no_microdata", N_("A data sample is only for microdata; this request has none."))
    if req.sample_handed_at is not None:
        raise RuleError("sample_done", N_("The data sample was already handed over."))
    req.sample_handed_at = now
    record(session, req, "hand_over_sample", now=now, user=user, note=(note or "").strip()[:300])
    return req


def sign_sppd(
    session: Session,
    *,
    request_id: int,
    user_id: int | None,
    note: str = "",
    how: str = "counter",
    by_visitor: bool = False,
    now: datetime | None = None,
) -> ProductRequest:
    """The visitor signed the data use agreement (on a Rp 10.000 meterai) and handed it over (step 13); online it
    is uploaded (by the visitor: how="upload") or posted (recorded by the officer when it arrives: how="post")."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    if by_visitor:
        require(req, "upload", by_visitor=True)
        if req.state not in TRANSITIONS["sign_sppd"].sources:
            raise RuleError("sppd_not_yet", N_("The SPPD can be sent back after the invoice and SPPD were sent."))
    else:
        require(req, "sign_sppd", user=user)
    if how not in ("counter", "upload", "post"):
        raise RuleError(
            "bad_how", N_("Say how the signed SPPD came in: at the counter, uploaded or by post."), status=400
        )
    if not needs_sppd(session, req):
        raise RuleError("no_sppd", N_("Only microdata and maps need an SPPD; this request needs none."))
    if req.sppd_signed_at is not None:
        raise RuleError("sppd_done", N_("The signed SPPD was already recorded."))
    req.sppd_signed_at, req.sppd_received_how = now, how
    for d in documents(session, req.id):
        if d.kind == "sppd":
            d.received, d.checked_by, d.checked_at, d.note = (
                True,
                user.id if user else None,
                now,
                (note or "").strip()[:300],
            )
            session.add(d)
    record(
        session, req, "sign_sppd", now=now, user=user, by_visitor=by_visitor, how=how, note=(note or "").strip()[:300]
    )
    return req


def settled(session: Session, req: ProductRequest) -> bool:
    """Paid for: Rp 0, or a receipt issued for a confirmed payment."""
    return (req.zero_tariff and req.total == 0) or receipt_of(session, req.id) is not None


def start_preparing(session: Session, *, request_id: int, user_id: int, now: datetime | None = None) -> ProductRequest:
    """The officer prepares the product (step 11): after the invoice, or straight after the check for Rp 0."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "start_preparing", user=user)
    from rules.requests.online import needs_clear_first

    needs_clear_first(req)
    if req.state == S.checked and req.total > 0:
        raise RuleError("invoice_first", N_("Issue the invoice before preparing a paid product."))
    record(session, req, "start_preparing", now=now, user=user)
    return req


def mark_ready(session: Session, *, request_id: int, user_id: int, now: datetime | None = None) -> ProductRequest:
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "mark_ready", user=user)
    req.ready_at = now
    record(session, req, "mark_ready", now=now, user=user)
    return req


def deliver(
    session: Session, *, request_id: int, user_id: int, download_ref: str, now: datetime | None = None
) -> ProductRequest:
    """Hand over the product with its download reference (step 15): only when paid for and, for microdata or
    maps, with the signed SPPD in hand."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "deliver", user=user)
    download_ref = (download_ref or "").strip()
    if not download_ref:
        raise RuleError("no_download_ref", N_("Enter the download reference of the product."), status=400)
    if not settled(session, req):
        raise RuleError("not_paid", N_("The product can be delivered only after the treasurer has issued the receipt."))
    if needs_sppd(session, req) and req.sppd_signed_at is None:
        raise RuleError("sppd_missing", N_("Microdata and maps are delivered only after the signed SPPD is received."))
    req.download_ref, req.delivered_at = download_ref[:500], now
    from rules.requests import clock

    clock.stop(session, req, now)
    record(session, req, "deliver", now=now, user=user, download_ref=req.download_ref)
    return req


def close(session: Session, *, request_id: int, user_id: int, now: datetime | None = None) -> ProductRequest:
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "close", user=user)
    req.closed_at = now
    record(session, req, "close", now=now, user=user)
    return req
