"""Finding a request again, and a request as the screens show it (JSON-ready dicts)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select

from clock import iso, utcnow
from models import GuestBookEntry, Invoice, Payment, ProductRequest, Rating, Receipt, RequestLine, Ticket, User, Visitor
from rules import tariffs
from rules.errors import N_
from rules.requests.delivery import settled
from rules.requests.documents import checklist, needs_sppd
from rules.requests.machine import (
    RARE_STEPS,
    STATE_WORDS,
    STEP_COMMANDS,
    TERMINAL,
    TRANSITIONS,
    active_invoice,
    allowed,
    history,
    lines,
    next_steps,
)

# ---- finding a request again ---------------------------------------------------------------------


def like_escape(text: str) -> str:
    """Text for a LIKE pattern with its wildcards (% and _) and the escape character taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find(session: Session, *, office_id: int, q: str, limit: int = 20) -> list[ProductRequest]:
    """A visitor who comes back is found by name, email, request or invoice number, or billing code."""
    q = (q or "").strip()
    if len(q) < 2:
        return []
    base = select(ProductRequest).where(ProductRequest.office_id == office_id)
    digits = q.replace(" ", "").replace("-", "")
    conds = []
    if digits.isdigit() and len(digits) >= 6:
        ids = select(Invoice.request_id).where(Invoice.office_id == office_id, Invoice.billing_code.contains(digits))
        conds.append(ProductRequest.id.in_(ids))
    if "/" in q:
        ids = select(Invoice.request_id).where(Invoice.office_id == office_id, func.upper(Invoice.number) == q.upper())
        conds += [ProductRequest.id.in_(ids), func.upper(ProductRequest.number) == q.upper()]
    if not conds:
        # What the officer typed is matched literally: % and _ are escaped, so '%%' finds no one rather than all.
        like = "%" + like_escape(q.lower()) + "%"
        vids = select(Visitor.id).where(
            Visitor.office_id == office_id,
            or_(
                func.lower(Visitor.name).like(like, escape="\\"),
                func.lower(Visitor.email).like(like, escape="\\"),
            ),
        )
        conds.append(ProductRequest.visitor_id.in_(vids))
    rows = session.exec(base.where(or_(*conds)).order_by(ProductRequest.updated_at.desc()).limit(limit)).all()
    # Live requests first: the visitor came back to continue one.
    return sorted(rows, key=lambda r: r.state in TERMINAL)


def for_visitor(session: Session, *, office_id: int, visitor_id: int) -> list[ProductRequest]:
    """A visitor's requests, newest first (the counter shows them when the visitor is served again)."""
    return list(
        session.exec(
            select(ProductRequest)
            .where(ProductRequest.office_id == office_id, ProductRequest.visitor_id == visitor_id)
            .order_by(ProductRequest.id.desc())
            .limit(20)
        )
    )


# ---- views ---------------------------------------------------------------------------------------


def line_json(line: RequestLine, translate: tariffs.Translate, lang: str) -> dict:
    it = next((s.items[line.item_code] for s in reversed(tariffs.load_schedules()) if line.item_code in s.items), None)
    name = tariffs.item_name(it, lang) if it else line.item_code
    return {
        "id": line.id,
        "item_code": line.item_code,
        "category": line.category,
        "name": name,
        "description": line.description,
        "measure": line.measure,
        "quantity": line.quantity,
        "unit": line.unit,
        "unit_price": line.unit_price,
        "amount": line.amount,
        "rule": tariffs.describe_rule(json.loads(line.rule), translate),
        "schedule": line.schedule,
    }


def summary_json(session: Session, req: ProductRequest) -> dict:
    """A request as a search result lists it (the visitor's name masked for the list)."""
    from rules.privacy import mask_email

    visitor = session.get(Visitor, req.visitor_id)
    inv = active_invoice(session, req.id)
    return {
        "id": req.id,
        "number": req.number,
        "state": req.state,
        "total": req.total,
        "visitor": {"name": visitor.name, "email": mask_email(visitor.email), "institution": visitor.institution_name},
        "invoice": {"number": inv.number, "status": inv.status, "billing_code": inv.billing_code} if inv else None,
        "created_at": iso(req.created_at),
        "updated_at": iso(req.updated_at),
    }


def invoice_json(session: Session, inv: Invoice, now: datetime) -> dict:
    from rules.invoices import effective_status, local_last_day

    return {
        "id": inv.id,
        "number": inv.number,
        "status": effective_status(inv, now),
        "billing_code": inv.billing_code,
        "total": inv.total,
        "issued_at": iso(inv.issued_at),
        "valid_until": iso(inv.valid_until),
        "last_valid_day": local_last_day(session, inv).isoformat(),
        "replaces_id": inv.replaces_id,
        "paid_at": iso(inv.paid_at),
        "close_reason": inv.close_reason,
    }


def payment_json(p: Payment) -> dict:
    return {
        "id": p.id,
        "invoice_id": p.invoice_id,
        "billing_code": p.billing_code,
        "ntpn": p.ntpn,
        "amount": p.amount,
        "paid_at": iso(p.paid_at),
        "status": p.status,
        "recorded_at": iso(p.recorded_at),
        "confirmed_at": iso(p.confirmed_at),
        "rejected_reason": p.rejected_reason,
        "method": p.method,
        "upload_id": p.upload_id,
    }


def receipt_json(r: Receipt) -> dict:
    return {"id": r.id, "number": r.number, "invoice_id": r.invoice_id, "total": r.total, "issued_at": iso(r.issued_at)}


def staff_view(
    session: Session,
    req: ProductRequest,
    *,
    translate: tariffs.Translate = lambda s: s,
    lang: str = "id",
    now: datetime | None = None,
) -> dict:
    """Everything the counter and treasurer screens show for one request."""
    now = now or utcnow()
    visitor = session.get(Visitor, req.visitor_id)
    entry = session.get(GuestBookEntry, req.guestbook_id) if req.guestbook_id else None
    ticket = session.get(Ticket, req.ticket_id) if req.ticket_id else None
    users = {u.id: u.name for u in session.exec(select(User).where(User.office_id == req.office_id))}
    from rules.privacy import mask_number

    invoices = session.exec(select(Invoice).where(Invoice.request_id == req.id).order_by(Invoice.id)).all()
    payments = session.exec(select(Payment).where(Payment.request_id == req.id).order_by(Payment.id)).all()
    receipts = session.exec(select(Receipt).where(Receipt.request_id == req.id).order_by(Receipt.id)).all()
    rating = session.exec(select(Rating).where(Rating.request_id == req.id)).first()
    return {
        "id": req.id,
        "number": req.number,
        "state": req.state,
        "state_label": translate(STATE_WORDS[req.state]),
        "total": req.total,
        "segment": req.segment,
        "visitor": {
            "id": visitor.id,
            "name": visitor.name,
            "email": visitor.email,
            "phone": visitor.phone,
            "institution": visitor.institution_name,
            "category": visitor.institution_category,
            "npwp": mask_number(visitor.npwp),
        },
        "purpose": entry.purpose if entry else "",
        "ticket": ticket.code if ticket else None,
        "zero_tariff": req.zero_tariff,
        "zero_tariff_use": req.zero_tariff_use,
        "zero_tariff_basis": req.zero_tariff_basis,
        "lines": [line_json(ln, translate, lang) for ln in lines(session, req.id)],
        "checklist": [{**d, "label": translate(d["label"])} for d in checklist(session, req)],
        "terms_agreed_at": iso(req.terms_agreed_at),
        "documents_checked_at": iso(req.documents_checked_at),
        "sample_handed_at": iso(req.sample_handed_at),
        "sppd_prepared_at": iso(req.sppd_prepared_at),
        "sppd_signed_at": iso(req.sppd_signed_at),
        "ready_at": iso(req.ready_at),
        "delivered_at": iso(req.delivered_at),
        "download_ref": req.download_ref,
        "closed_at": iso(req.closed_at),
        "needs_sample": any(ln.category == "microdata" for ln in lines(session, req.id)),
        "needs_sppd": needs_sppd(session, req),
        "settled": settled(session, req),
        "invoices": [invoice_json(session, i, now) for i in invoices],
        "payments": [payment_json(p) for p in payments],
        "receipts": [receipt_json(r) for r in receipts],
        "rated": rating is not None,
        "allowed": allowed(req),
        "actions": {name: translate(TRANSITIONS[name].label) for name in allowed(req)},
        "steps": [
            {
                "name": name,
                "label": translate(STEP_COMMANDS.get(name, TRANSITIONS[name].label)),
                "rare": name in RARE_STEPS,
            }
            for name in next_steps(req)
        ],
        "visitor_token": req.visitor_token,
        "rating_token": req.rating_token,
        "history": [
            {
                "kind": e.kind,
                "at": iso(e.at),
                "label": translate(TRANSITIONS[e.kind].label) if e.kind in TRANSITIONS else e.kind,
                "from": e.from_state,
                "to": e.to_state,
                "by": "visitor" if e.by_visitor else users.get(e.user_id, ""),
                "detail": json.loads(e.detail) if e.detail else {},
            }
            for e in history(session, req.id)
        ],
        "created_at": iso(req.created_at),
        "updated_at": iso(req.updated_at),
    }


# What the visitor's page says of a request's progress: the state machine's state, told past "invoiced" once the
# money moves (the payment and the receipt are records beside the state, not states of their own).
PROGRESS_WORDS = {
    "awaiting_payment": N_("invoiced, waiting for payment"),
    "payment_recorded": N_("paid, being confirmed by the treasurer"),
    "paid": N_("paid"),
    "receipted": N_("paid, receipt issued"),
    "ready": N_("ready"),
}


def visitor_progress(session: Session, req: ProductRequest) -> tuple[str, str]:
    """(code, English msgid) of where the request stands for its visitor: awaiting_payment, payment_recorded,
    paid, receipted, ready; otherwise the state itself (delivered, closed, ...)."""
    if req.state not in ("invoiced", "preparing", "ready"):
        return req.state, STATE_WORDS[req.state]
    if req.state == "ready":
        return "ready", PROGRESS_WORDS["ready"]
    if session.exec(select(Receipt.id).where(Receipt.request_id == req.id)).first() is not None:
        return "receipted", PROGRESS_WORDS["receipted"]
    statuses = set(session.exec(select(Payment.status).where(Payment.request_id == req.id)))
    if "confirmed" in statuses:
        return "paid", PROGRESS_WORDS["paid"]
    if "recorded" in statuses:
        return "payment_recorded", PROGRESS_WORDS["payment_recorded"]
    if req.state == "invoiced":
        return "awaiting_payment", PROGRESS_WORDS["awaiting_payment"]
    return req.state, STATE_WORDS[req.state]
