"""Steps 5-6: opening a request from the ticket being served, its product lines priced from the tariff in force,
and the Rp 0 tariff for eligible segments."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, select

from clock import utcnow
from models import GuestBookEntry, ProductRequest, RequestLine, Ticket, TicketStatus, Visitor
from rules import tariffs
from rules.errors import N_, NotFound, RuleError
from rules.numbering import document_number
from rules.requests.documents import sync_checklist
from rules.requests.machine import (
    REQUEST_PREFIX,
    TRANSITIONS,
    S,
    authorize,
    get_request,
    get_user,
    lines,
    local_day,
    record,
    require,
)

# ---- steps 5-8: the request, its lines, the tariff and the documents -----------------------------


def open_request(session: Session, *, ticket_id: int, user_id: int, now: datetime | None = None) -> ProductRequest:
    """Open a request from the ticket being served, tied to the visitor's guest-book entry (step 5)."""
    now = now or utcnow()
    user = get_user(session, user_id)
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or user is None or ticket.office_id != user.office_id:
        raise NotFound("ticket_not_found", N_("No such ticket."))
    authorize(TRANSITIONS["open"], user, False, ticket.office_id)
    if ticket.status != TicketStatus.serving:
        raise RuleError("ticket_not_served", N_("Start serving %(code)s before opening a request."), code=ticket.code)
    if ticket.visitor_id is None:
        raise RuleError(
            "no_guest_book",
            N_("%(code)s has no guest-book entry; the visitor must sign the guest book first."),
            code=ticket.code,
        )
    existing = session.exec(
        select(ProductRequest).where(ProductRequest.ticket_id == ticket.id, ProductRequest.state == S.open)
    ).first()
    if existing is not None:
        raise RuleError(
            "request_exists",
            N_("Request %(number)s is already open for %(code)s."),
            number=existing.number,
            code=ticket.code,
        )
    visitor = session.get(Visitor, ticket.visitor_id)
    number, _year = document_number(session, office_id=ticket.office_id, kind="request", prefix=REQUEST_PREFIX, now=now)
    req = ProductRequest(
        office_id=ticket.office_id,
        number=number,
        visitor_id=visitor.id,
        guestbook_id=ticket.guestbook_id,
        ticket_id=ticket.id,
        officer_id=user.id,
        state=S.open,
        segment=visitor.segment,
        created_at=now,
        updated_at=now,
    )
    session.add(req)
    session.flush()
    record(session, req, "open", now=now, user=user, ticket=ticket.code, number=number)
    return req


def _reprice(session: Session, req: ProductRequest) -> None:
    """Recompute the total from the lines, and the shipping of a hard copy the buyer pays."""
    req.total = sum(line.amount for line in lines(session, req.id)) + (req.shipping_fee or 0)
    session.add(req)


def _schedule_for(session: Session, req: ProductRequest, now: datetime) -> tariffs.Schedule:
    return tariffs.schedule_on(local_day(session, req.office_id, now))


def _priced(schedule: tariffs.Schedule, req: ProductRequest, item, measure, quantity) -> tariffs.Price:
    p = tariffs.price(item, measure=measure, quantity=quantity)
    return tariffs.zero_price(p, schedule=schedule, use=req.zero_tariff_use) if req.zero_tariff else p


def add_line(
    session: Session,
    *,
    request_id: int,
    user_id: int,
    item_code: str,
    measure: int | None = None,
    quantity: int = 1,
    description: str = "",
    now: datetime | None = None,
) -> RequestLine:
    """Add a product to the request, priced from the schedule in force today (step 5-6)."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "add_line", user=user)
    schedule = _schedule_for(session, req, now)
    it = tariffs.item(schedule, item_code)
    if it.measure is None:
        measure = None
    p = _priced(schedule, req, it, measure, quantity)
    line = RequestLine(
        office_id=req.office_id,
        request_id=req.id,
        item_code=it.code,
        category=it.category,
        description=(description or "").strip()[:300],
        measure=measure,
        quantity=quantity,
        unit=it.per,
        unit_price=p.unit_price,
        amount=p.amount,
        rule=json.dumps(p.rule, sort_keys=True),
        schedule=schedule.label,
        created_at=now,
    )
    session.add(line)
    session.flush()
    _reprice(session, req)
    record(
        session,
        req,
        "add_line",
        now=now,
        user=user,
        line=line.id,
        item=it.code,
        measure=measure,
        quantity=quantity,
        amount=p.amount,
        total=req.total,
    )
    return line


def remove_line(
    session: Session, *, request_id: int, line_id: int, user_id: int, now: datetime | None = None
) -> ProductRequest:
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "remove_line", user=user)
    line = session.get(RequestLine, line_id)
    if line is None or line.request_id != req.id:
        raise NotFound("line_not_found", N_("No such product line on this request."))
    session.delete(line)
    session.flush()
    _reprice(session, req)
    record(session, req, "remove_line", now=now, user=user, line=line_id, item=line.item_code, total=req.total)
    return req


def _reprice_lines(session: Session, req: ProductRequest, now: datetime) -> None:
    """Price every line again (list price, or Rp 0 under the zero tariff), keeping each line's schedule date."""
    schedule = _schedule_for(session, req, now)
    for line in lines(session, req.id):
        it = tariffs.item(schedule, line.item_code)
        p = _priced(schedule, req, it, line.measure, line.quantity)
        line.unit_price, line.amount = p.unit_price, p.amount
        line.rule, line.schedule = json.dumps(p.rule, sort_keys=True), schedule.label
        session.add(line)
    session.flush()
    _reprice(session, req)


ZERO_USES = tuple(tariffs.USE_WORDS)


def set_zero_tariff(
    session: Session, *, request_id: int, user_id: int, use: str, letter_ref: str = "", now: datetime | None = None
) -> ProductRequest:
    """Apply Rp 0 (PP 13/2024 Pasal 4) for an eligible segment and a non-commercial use; the basis is recorded.

    The request letter itself is a checklist item: the invoice step is refused until it is ticked.
    """
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "set_zero_tariff", user=user)
    schedule = _schedule_for(session, req, now)
    entry = session.get(GuestBookEntry, req.guestbook_id) if req.guestbook_id else None
    refusal = tariffs.zero_tariff_refusal(
        schedule, segment=req.segment, use=use, purpose=entry.purpose if entry else ""
    )
    if refusal is not None:
        raise refusal
    letter_ref = (letter_ref or "").strip()[:120]
    req.zero_tariff, req.zero_tariff_use = True, use
    req.zero_tariff_basis = (
        f"{schedule.zero_article}; segment {req.segment}; non-commercial use {use}; "
        f"request letter {letter_ref or '(to be checked)'}"
    )[:500]
    _reprice_lines(session, req, now)
    sync_checklist(session, req)
    record(session, req, "set_zero_tariff", now=now, user=user, use=use, basis=req.zero_tariff_basis, total=req.total)
    return req


def clear_zero_tariff(
    session: Session, *, request_id: int, user_id: int, now: datetime | None = None
) -> ProductRequest:
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "clear_zero_tariff", user=user)
    if not req.zero_tariff:
        raise RuleError("no_zero_tariff", N_("This request has no Rp 0 tariff to remove."))
    req.zero_tariff, req.zero_tariff_use, req.zero_tariff_basis = False, "", ""
    _reprice_lines(session, req, now)
    sync_checklist(session, req)
    record(session, req, "clear_zero_tariff", now=now, user=user, total=req.total)
    return req
