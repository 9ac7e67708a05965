"""The paid-product request (SPEC steps 5-18) as ONE state machine: every step is a transition here.

A step names the states it is allowed from; any other state refuses it with a message that says which
states allow it. Every step taken is recorded as a RequestEvent (who, when, from and to state, what changed).
Invoices (rules.invoices) and payments (rules.payments) take their steps through the same machine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, select
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import npwp as stdnum_npwp

from clock import business_day, iso, utcnow
from models import (GuestBookEntry, Invoice, InvoiceStatus, Office, Payment, PaymentStatus, ProductRequest,
                    Rating, Receipt, RequestDocument, RequestEvent, RequestLine, RequestState, Ticket, TicketStatus,
                    User, Visitor, YearSequence)
from rules import offices, tariffs
from rules.errors import N_, NotFound, RuleError

S = RequestState
OFFICER_ROLES = ("officer", "supervisor", "admin")
TREASURER_ROLES = ("treasurer",)
STAFF_ROLES = OFFICER_ROLES + TREASURER_ROLES
REQUEST_PREFIX = "PST"
# Requests that can still take payment steps (an invoice may be outstanding).
UNPAID_WORK = (S.invoiced, S.preparing, S.ready)
TERMINAL = (S.closed, S.cancelled)


class Msg(str):
    """A message parameter that is itself a msgid: screens translate it before putting it in the sentence."""


class MsgList(tuple):
    """Several msgids joined with commas once translated."""

    def __str__(self) -> str:
        return ", ".join(self)


STATE_WORDS = {
    S.open: N_("open for changes"), S.agreed: N_("agreed by the visitor"), S.checked: N_("documents checked"),
    S.invoiced: N_("invoiced"), S.preparing: N_("being prepared"), S.ready: N_("ready"),
    S.delivered: N_("delivered"), S.correcting: N_("under correction"), S.closed: N_("closed"),
    S.cancelled: N_("cancelled"),
}
DOC_WORDS = {"abstract": N_("data-use abstract"), "sppd": N_("data use agreement (SPPD)"), "npwp": N_("NPWP"),
             "request_letter": N_("request letter")}
# Documents that must be in hand before the invoice; the SPPD is signed later (step 13), before delivery.
CHECKED_BEFORE_INVOICE = ("abstract", "npwp", "request_letter")


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]   # the states the step is allowed from
    target: str | None         # the state after it; None: the state does not change
    who: str                   # officer | treasurer | staff | visitor | visitor_or_officer | system
    label: str                 # msgid: the step, as staff see it
    visitor_label: str | None  # msgid in the visitor's history; None: an internal step


_T = Transition
TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    _T("open", (), S.open, "officer", N_("open the request"), N_("Request recorded")),
    _T("add_line", (S.open,), None, "officer", N_("add a product"), None),
    _T("remove_line", (S.open,), None, "officer", N_("remove a product"), None),
    _T("set_zero_tariff", (S.open,), None, "officer", N_("apply the Rp 0 tariff"), N_("Rp 0 tariff applied")),
    _T("clear_zero_tariff", (S.open,), None, "officer", N_("remove the Rp 0 tariff"), N_("Rp 0 tariff removed")),
    _T("tick_document", (S.open, S.agreed), None, "officer", N_("tick a document"), None),
    _T("agree", (S.open,), S.agreed, "officer", N_("record the visitor's agreement"), N_("Sale terms agreed")),
    _T("check_documents", (S.agreed,), S.checked, "officer", N_("confirm the documents are complete"),
       N_("Documents checked")),
    _T("issue_invoice", (S.checked,), S.invoiced, "officer", N_("issue the invoice"), N_("Invoice issued")),
    _T("replace_invoice", UNPAID_WORK, None, "officer", N_("replace the invoice"), N_("Invoice replaced")),
    _T("expire_invoice", UNPAID_WORK, None, "system", N_("expire the invoice"), N_("Invoice expired")),
    _T("hand_over_sample", (S.checked,) + UNPAID_WORK, None, "officer", N_("hand over the data sample"),
       N_("Data sample handed over")),
    _T("sign_sppd", (S.checked,) + UNPAID_WORK, None, "officer", N_("record the signed SPPD"),
       N_("Data use agreement (SPPD) signed")),
    _T("record_payment", UNPAID_WORK, None, "staff", N_("record the payment"), N_("Payment recorded")),
    _T("confirm_payment", UNPAID_WORK, None, "treasurer", N_("confirm the payment"), N_("Payment confirmed")),
    _T("reject_payment", UNPAID_WORK, None, "treasurer", N_("reject the payment"), N_("Payment not confirmed")),
    _T("issue_receipt", UNPAID_WORK, None, "treasurer", N_("issue the receipt"), N_("Receipt issued")),
    _T("start_preparing", (S.checked, S.invoiced), S.preparing, "officer", N_("start preparing the product"),
       N_("Product being prepared")),
    _T("mark_ready", (S.preparing,), S.ready, "officer", N_("mark the product ready"), N_("Product ready")),
    _T("deliver", (S.ready,), S.delivered, "officer", N_("deliver the product"), N_("Product delivered")),
    _T("close", (S.delivered,), S.closed, "officer", N_("close the request"), N_("Request closed")),
    _T("request_correction", (S.delivered, S.closed), S.correcting, "visitor_or_officer",
       N_("ask for a correction"), N_("Correction requested")),
    _T("resolve_correction", (S.correcting,), S.closed, "officer", N_("record the correction's result"),
       N_("Correction resolved")),
    _T("rate", (S.delivered, S.closed), S.closed, "visitor", N_("rate the service"), N_("Service rated")),
    _T("revise", (S.agreed, S.checked) + UNPAID_WORK, S.open, "officer", N_("change the request"),
       N_("Request reopened for changes")),
    _T("cancel", (S.open, S.agreed, S.checked) + UNPAID_WORK, S.cancelled, "officer", N_("cancel the request"),
       N_("Request cancelled")),
)}


# The buttons of the steps staff take: commands ("Record payment"), where TRANSITIONS' labels describe a step
# done ("mencatat pembayaran" in the history). Listed in the order the steps normally come (SPEC steps 7-17:
# invoice, sample, preparing, payment, SPPD, delivery), so a screen offers the likely next step first; then the
# edits and the treasurer's steps; the rare or destructive ones last.
STEP_COMMANDS: dict[str, str] = {
    "agree": N_("Record the visitor's agreement"), "check_documents": N_("Documents are complete"),
    "issue_invoice": N_("Issue invoice"), "hand_over_sample": N_("Hand over the data sample"),
    "start_preparing": N_("Start preparing"), "record_payment": N_("Record payment"),
    "sign_sppd": N_("Record the signed SPPD"), "mark_ready": N_("Mark ready"), "deliver": N_("Deliver product"),
    "close": N_("Close request"), "request_correction": N_("Ask for a correction"),
    "resolve_correction": N_("Record the correction result"),
    "add_line": N_("Add product"), "remove_line": N_("Remove product"), "set_zero_tariff": N_("Apply Rp 0"),
    "clear_zero_tariff": N_("Remove Rp 0"), "tick_document": N_("Tick a document"),
    "confirm_payment": N_("Confirm payment"), "reject_payment": N_("Reject payment"),
    "issue_receipt": N_("Issue receipt"), "rate": N_("Rate the service"),
    # Rare or destructive: offered last and set apart.
    "replace_invoice": N_("Replace invoice"), "revise": N_("Change request"), "cancel": N_("Cancel request"),
}
RARE_STEPS = frozenset({"replace_invoice", "revise", "cancel"})


# ---- the machine ---------------------------------------------------------------------------------

def next_steps(req: ProductRequest) -> list[str]:
    """The steps the state allows, in the order they normally come (STEP_COMMANDS); rare ones last."""
    order = {name: i for i, name in enumerate(STEP_COMMANDS)}
    return sorted(allowed(req), key=lambda name: (name in RARE_STEPS, order.get(name, len(order))))


def allowed(req: ProductRequest) -> list[str]:
    """The steps the current state allows (their other conditions are checked when taken)."""
    return [t.name for t in TRANSITIONS.values() if req.state in t.sources and t.who != "system"]


def _authorize(t: Transition, user: User | None, by_visitor: bool, office_id: int) -> None:
    if t.who == "system":
        return
    if by_visitor:
        if t.who in ("visitor", "visitor_or_officer"):
            return
        raise RuleError("forbidden", N_("Only staff may %(action)s."), status=403, action=Msg(t.label))
    if user is None:
        raise RuleError("login_required", N_("Please sign in."), status=401)
    if user.office_id != office_id:
        raise NotFound("request_not_found", N_("No such request."))
    roles = {"officer": OFFICER_ROLES, "visitor_or_officer": OFFICER_ROLES, "treasurer": TREASURER_ROLES,
             "staff": STAFF_ROLES, "visitor": ()}[t.who]
    if user.role not in roles:
        message = {"treasurer": N_("Only the treasurer may %(action)s."),
                   "visitor": N_("Only the visitor may %(action)s.")}.get(t.who, N_("Only a counter officer may "
                                                                                    "%(action)s."))
        raise RuleError("forbidden", message, status=403, action=Msg(t.label))


def require(req: ProductRequest, name: str, *, user: User | None = None, by_visitor: bool = False) -> Transition:
    """Check that a step may be taken now by this person; refuse with the reason otherwise."""
    t = TRANSITIONS[name]
    _authorize(t, user, by_visitor, req.office_id)
    if req.state not in t.sources:
        if req.state in TERMINAL:
            raise RuleError("not_allowed_final", N_("Request %(number)s is %(state)s; nothing more can be done "
                                                    "with it."), number=req.number, state=Msg(STATE_WORDS[req.state]))
        raise RuleError("not_allowed", N_("Request %(number)s is %(state)s; to %(action)s it must be %(allowed)s."),
                        number=req.number, state=Msg(STATE_WORDS[req.state]), action=Msg(t.label),
                        allowed=MsgList(Msg(STATE_WORDS[s]) for s in t.sources))
    return t


def record(session: Session, req: ProductRequest, name: str, *, now: datetime, user: User | None = None,
           by_visitor: bool = False, at: datetime | None = None, **changed) -> RequestEvent:
    """Take a step that `require` allowed: move the state and append the event (who, when, what changed)."""
    t = TRANSITIONS[name]
    before = req.state
    if t.target is not None:
        req.state = t.target
    req.updated_at = now
    session.add(req)
    ev = RequestEvent(office_id=req.office_id, request_id=req.id, kind=name, at=at or now,
                      user_id=user.id if user else None, from_state=before, to_state=req.state, by_visitor=by_visitor,
                      detail=json.dumps(changed, sort_keys=True, default=str) if changed else "")
    session.add(ev)
    session.flush()
    return ev


def history(session: Session, request_id: int) -> list[RequestEvent]:
    return list(session.exec(select(RequestEvent).where(RequestEvent.request_id == request_id)
                             .order_by(RequestEvent.at, RequestEvent.id)))


# Detail keys a visitor may see in their own history (document numbers, never staff notes or names).
_VISITOR_DETAIL = ("invoice", "receipt", "total", "download_ref", "replaces")


def visitor_history(session: Session, request_id: int) -> list[dict]:
    """The request's history as the visitor may see it: public steps, their time and state; labels are msgids."""
    out = []
    for ev in history(session, request_id):
        t = TRANSITIONS.get(ev.kind)
        if t is None or t.visitor_label is None:
            continue
        detail = json.loads(ev.detail) if ev.detail else {}
        out.append({"kind": ev.kind, "at": iso(ev.at), "label": t.visitor_label, "state": ev.to_state,
                    "state_label": STATE_WORDS.get(ev.to_state, ev.to_state),
                    **{k: detail[k] for k in _VISITOR_DETAIL if k in detail}})
    return out


# ---- loading -------------------------------------------------------------------------------------

def get_user(session: Session, user_id: int | None) -> User | None:
    return session.get(User, user_id) if user_id is not None else None


def get_request(session: Session, request_id: int, *, office_id: int | None = None,
                for_update: bool = False) -> ProductRequest:
    q = select(ProductRequest).where(ProductRequest.id == request_id)
    if for_update:
        # Lock the row and read it again even if this session loaded it before (PostgreSQL, read committed).
        q = q.with_for_update().execution_options(populate_existing=True)
    req = session.exec(q).first()
    if req is None or (office_id is not None and req.office_id != office_id):
        raise NotFound("request_not_found", N_("No such request."))
    return req


def by_visitor_token(session: Session, token: str) -> ProductRequest:
    req = session.exec(select(ProductRequest).where(ProductRequest.visitor_token == token)).first() if token else None
    if req is None:
        raise NotFound("request_not_found", N_("This request link is not valid."))
    return req


def by_rating_token(session: Session, token: str) -> ProductRequest:
    req = session.exec(select(ProductRequest).where(ProductRequest.rating_token == token)).first() if token else None
    if req is None:
        raise NotFound("request_not_found", N_("This rating link is not valid."))
    return req


def lines(session: Session, request_id: int) -> list[RequestLine]:
    return list(session.exec(select(RequestLine).where(RequestLine.request_id == request_id).order_by(RequestLine.id)))


def documents(session: Session, request_id: int) -> list[RequestDocument]:
    return list(session.exec(select(RequestDocument).where(RequestDocument.request_id == request_id)
                             .order_by(RequestDocument.id)))


def active_invoice(session: Session, request_id: int) -> Invoice | None:
    """The invoice that stands now: issued, paid or expired (not cancelled or replaced)."""
    return session.exec(select(Invoice).where(Invoice.request_id == request_id,
                                              Invoice.status.in_([InvoiceStatus.issued, InvoiceStatus.paid,
                                                                  InvoiceStatus.expired]))
                        .order_by(Invoice.id.desc()).limit(1)).first()


def confirmed_payment(session: Session, request_id: int) -> Payment | None:
    return session.exec(select(Payment).where(Payment.request_id == request_id,
                                              Payment.status == PaymentStatus.confirmed)).first()


def receipt_of(session: Session, request_id: int) -> Receipt | None:
    return session.exec(select(Receipt).where(Receipt.request_id == request_id).order_by(Receipt.id.desc())).first()


def local_day(session: Session, office_id: int, moment: datetime) -> date:
    return business_day(moment, offices.office_tz(session.get(Office, office_id)))


# ---- numbering -----------------------------------------------------------------------------------

def next_in_year(session: Session, *, office_id: int, kind: str, year: int) -> int:
    """Take the next number of a kind of document for an office and year, atomically (like ticket numbers)."""
    from sqlalchemy.dialects import postgresql, sqlite
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:
        raise RuntimeError(f"numbering needs PostgreSQL or SQLite, not {dialect}")
    table = YearSequence.__table__
    stmt = (insert(table).values(office_id=office_id, kind=kind, year=year, last_number=1)
            .on_conflict_do_update(index_elements=[table.c.office_id, table.c.kind, table.c.year],
                                   set_={"last_number": table.c.last_number + 1})
            .returning(table.c.last_number))
    return session.execute(stmt).scalar_one()


def document_number(session: Session, *, office_id: int, kind: str, prefix: str, now: datetime) -> tuple[str, int]:
    """'INV/1600/2026/00001': prefix, office code, the office's local year, a number restarting each year."""
    office = session.get(Office, office_id)
    year = business_day(now, offices.office_tz(office)).year
    n = next_in_year(session, office_id=office_id, kind=kind, year=year)
    return f"{prefix}/{office.code}/{year}/{n:05d}", year


# ---- steps 5-8: the request, its lines, the tariff and the documents -----------------------------

def open_request(session: Session, *, ticket_id: int, user_id: int, now: datetime | None = None) -> ProductRequest:
    """Open a request from the ticket being served, tied to the visitor's guest-book entry (step 5)."""
    now = now or utcnow()
    user = get_user(session, user_id)
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or user is None or ticket.office_id != user.office_id:
        raise NotFound("ticket_not_found", N_("No such ticket."))
    _authorize(TRANSITIONS["open"], user, False, ticket.office_id)
    if ticket.status != TicketStatus.serving:
        raise RuleError("ticket_not_served", N_("Start serving %(code)s before opening a request."), code=ticket.code)
    if ticket.visitor_id is None:
        raise RuleError("no_guest_book", N_("%(code)s has no guest-book entry; the visitor must sign the guest "
                                            "book first."), code=ticket.code)
    existing = session.exec(select(ProductRequest).where(ProductRequest.ticket_id == ticket.id,
                                                         ProductRequest.state == S.open)).first()
    if existing is not None:
        raise RuleError("request_exists", N_("Request %(number)s is already open for %(code)s."),
                        number=existing.number, code=ticket.code)
    visitor = session.get(Visitor, ticket.visitor_id)
    number, _year = document_number(session, office_id=ticket.office_id, kind="request", prefix=REQUEST_PREFIX, now=now)
    req = ProductRequest(office_id=ticket.office_id, number=number, visitor_id=visitor.id,
                         guestbook_id=ticket.guestbook_id, ticket_id=ticket.id, officer_id=user.id, state=S.open,
                         segment=visitor.segment, created_at=now, updated_at=now)
    session.add(req)
    session.flush()
    record(session, req, "open", now=now, user=user, ticket=ticket.code, number=number)
    return req


def _reprice(session: Session, req: ProductRequest) -> None:
    """Recompute the total from the lines."""
    req.total = sum(line.amount for line in lines(session, req.id))
    session.add(req)


def _schedule_for(session: Session, req: ProductRequest, now: datetime) -> tariffs.Schedule:
    return tariffs.schedule_on(local_day(session, req.office_id, now))


def _priced(schedule: tariffs.Schedule, req: ProductRequest, item, measure, quantity) -> tariffs.Price:
    p = tariffs.price(item, measure=measure, quantity=quantity)
    return tariffs.zero_price(p, schedule=schedule, use=req.zero_tariff_use) if req.zero_tariff else p


def add_line(session: Session, *, request_id: int, user_id: int, item_code: str, measure: int | None = None,
             quantity: int = 1, description: str = "", now: datetime | None = None) -> RequestLine:
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
    line = RequestLine(office_id=req.office_id, request_id=req.id, item_code=it.code, category=it.category,
                       description=(description or "").strip()[:300], measure=measure, quantity=quantity,
                       unit=it.per, unit_price=p.unit_price, amount=p.amount, rule=json.dumps(p.rule, sort_keys=True),
                       schedule=schedule.label, created_at=now)
    session.add(line)
    session.flush()
    _reprice(session, req)
    record(session, req, "add_line", now=now, user=user, line=line.id, item=it.code, measure=measure,
           quantity=quantity, amount=p.amount, total=req.total)
    return line


def remove_line(session: Session, *, request_id: int, line_id: int, user_id: int,
                now: datetime | None = None) -> ProductRequest:
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


def set_zero_tariff(session: Session, *, request_id: int, user_id: int, use: str, letter_ref: str = "",
                    now: datetime | None = None) -> ProductRequest:
    """Apply Rp 0 (PP 13/2024 Pasal 4) for an eligible segment and a non-commercial use; the basis is recorded.

    The request letter itself is a checklist item: the invoice step is refused until it is ticked.
    """
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "set_zero_tariff", user=user)
    schedule = _schedule_for(session, req, now)
    entry = session.get(GuestBookEntry, req.guestbook_id) if req.guestbook_id else None
    refusal = tariffs.zero_tariff_refusal(schedule, segment=req.segment, use=use,
                                          purpose=entry.purpose if entry else "")
    if refusal is not None:
        raise refusal
    letter_ref = (letter_ref or "").strip()[:120]
    req.zero_tariff, req.zero_tariff_use = True, use
    req.zero_tariff_basis = (f"{schedule.zero_article}; segment {req.segment}; non-commercial use {use}; "
                             f"request letter {letter_ref or '(to be checked)'}")[:500]
    _reprice_lines(session, req, now)
    _sync_checklist(session, req)
    record(session, req, "set_zero_tariff", now=now, user=user, use=use, basis=req.zero_tariff_basis, total=req.total)
    return req


def clear_zero_tariff(session: Session, *, request_id: int, user_id: int, now: datetime | None = None) -> ProductRequest:
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "clear_zero_tariff", user=user)
    if not req.zero_tariff:
        raise RuleError("no_zero_tariff", N_("This request has no Rp 0 tariff to remove."))
    req.zero_tariff, req.zero_tariff_use, req.zero_tariff_basis = False, "", ""
    _reprice_lines(session, req, now)
    _sync_checklist(session, req)
    record(session, req, "clear_zero_tariff", now=now, user=user, total=req.total)
    return req


def documents_needed(req: ProductRequest, categories: set[str]) -> list[str]:
    """The checklist the chosen products need: abstract and SPPD for microdata or maps, NPWP for private
    buyers, the request letter for Rp 0."""
    kinds = []
    if categories & {"microdata", "map"}:
        kinds += ["abstract", "sppd"]
    if req.segment == "private":
        kinds.append("npwp")
    if req.zero_tariff:
        kinds.append("request_letter")
    return kinds


def needs_sppd(session: Session, req: ProductRequest) -> bool:
    return "sppd" in documents_needed(req, {ln.category for ln in lines(session, req.id)})


def _sync_checklist(session: Session, req: ProductRequest) -> list[RequestDocument]:
    """Make the checklist rows match what the products need (received ticks are kept)."""
    needed = documents_needed(req, {ln.category for ln in lines(session, req.id)})
    have = {d.kind: d for d in documents(session, req.id)}
    for kind, doc in have.items():
        if kind not in needed and not doc.received:
            session.delete(doc)
    for kind in needed:
        if kind not in have:
            session.add(RequestDocument(office_id=req.office_id, request_id=req.id, kind=kind))
    session.flush()
    return [d for d in documents(session, req.id) if d.kind in needed]


def checklist(session: Session, req: ProductRequest) -> list[dict]:
    """The checklist as screens show it: what is needed, whether it is in hand, notes."""
    needed = documents_needed(req, {ln.category for ln in lines(session, req.id)})
    have = {d.kind: d for d in documents(session, req.id)}
    out = []
    for kind in needed:
        d = have.get(kind)
        out.append({"kind": kind, "label": DOC_WORDS[kind], "received": bool(d and d.received),
                    "note": d.note if d else "", "checked_at": iso(d.checked_at) if d else None,
                    "when": "before_invoice" if kind in CHECKED_BEFORE_INVOICE else "before_delivery"})
    return out


def tick_document(session: Session, *, request_id: int, user_id: int, kind: str, received: bool, note: str = "",
                  npwp: str = "", now: datetime | None = None) -> RequestDocument:
    """Tick (or untick) one checklist item, with a note of what is missing (step 7-8).

    For the NPWP the officer may type the number shown; it is checked (15 or 16 digits) and kept on the visitor.
    """
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "tick_document", user=user)
    docs = {d.kind: d for d in _sync_checklist(session, req)}
    if kind == "sppd":
        raise RuleError("sppd_later", N_("The SPPD is signed after the invoice; record it with \"SPPD signed\"."))
    if kind not in docs:
        raise RuleError("document_not_needed", N_("This request does not need a %(document)s."), status=400,
                        document=Msg(DOC_WORDS.get(kind, kind)))
    changed = {"document": kind, "received": bool(received)}
    if kind == "npwp" and npwp:
        try:
            number = stdnum_npwp.validate(npwp)
        except StdnumError:
            raise RuleError("bad_npwp", N_("This NPWP is not valid (15 or 16 digits)."), status=400) from None
        visitor = session.get(Visitor, req.visitor_id)
        visitor.npwp, visitor.updated_at = number, now
        session.add(visitor)
        changed["npwp_updated"] = True   # never the number itself: the history is not the place for it
    doc = docs[kind]
    doc.received, doc.note = bool(received), (note or "").strip()[:300]
    doc.checked_by, doc.checked_at = user.id, now
    session.add(doc)
    record(session, req, "tick_document", now=now, user=user, **changed, note=doc.note)
    return doc


def agree(session: Session, *, request_id: int, user_id: int, now: datetime | None = None) -> ProductRequest:
    """The visitor agrees to the sale terms (format, cost, electronic media) after seeing the tariff (step 7)."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "agree", user=user)
    if not lines(session, req.id):
        raise RuleError("no_lines", N_("Add at least one product before recording the agreement."))
    req.terms_agreed_at = now
    _sync_checklist(session, req)
    record(session, req, "agree", now=now, user=user, total=req.total)
    return req


def check_documents(session: Session, *, request_id: int, user_id: int, now: datetime | None = None) -> ProductRequest:
    """The officer confirms the documents are complete (step 8); refused with the list of what is missing."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "check_documents", user=user)
    missing = [d for d in _sync_checklist(session, req) if d.kind in CHECKED_BEFORE_INVOICE and not d.received]
    if missing:
        raise RuleError("documents_missing", N_("Documents still missing: %(missing)s."),
                        missing=MsgList(Msg(DOC_WORDS[d.kind]) for d in missing))
    req.documents_checked_at = now
    record(session, req, "check_documents", now=now, user=user)
    return req


# ---- steps 9-15: sample, SPPD, preparation, delivery ---------------------------------------------

def hand_over_sample(session: Session, *, request_id: int, user_id: int, note: str = "",
                     now: datetime | None = None) -> ProductRequest:
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


def sign_sppd(session: Session, *, request_id: int, user_id: int, note: str = "",
              now: datetime | None = None) -> ProductRequest:
    """The visitor signed the data use agreement (on a Rp 10.000 meterai) and handed it over (step 13)."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "sign_sppd", user=user)
    if not needs_sppd(session, req):
        raise RuleError("no_sppd", N_("Only microdata and maps need an SPPD; this request needs none."))
    if req.sppd_signed_at is not None:
        raise RuleError("sppd_done", N_("The signed SPPD was already recorded."))
    req.sppd_signed_at = now
    for d in documents(session, req.id):
        if d.kind == "sppd":
            d.received, d.checked_by, d.checked_at, d.note = True, user.id, now, (note or "").strip()[:300]
            session.add(d)
    record(session, req, "sign_sppd", now=now, user=user, note=(note or "").strip()[:300])
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


def deliver(session: Session, *, request_id: int, user_id: int, download_ref: str,
            now: datetime | None = None) -> ProductRequest:
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
        raise RuleError("not_paid", N_("The product can be delivered only after the treasurer has issued the "
                                       "receipt."))
    if needs_sppd(session, req) and req.sppd_signed_at is None:
        raise RuleError("sppd_missing", N_("Microdata and maps are delivered only after the signed SPPD is "
                                           "received."))
    req.download_ref, req.delivered_at = download_ref[:500], now
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


# ---- steps 16-17: corrections; changes before payment; cancelling --------------------------------

def request_correction(session: Session, *, request_id: int, text: str, user_id: int | None = None,
                       by_visitor: bool = False, now: datetime | None = None) -> ProductRequest:
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


def resolve_correction(session: Session, *, request_id: int, user_id: int, result: str, download_ref: str = "",
                       now: datetime | None = None) -> ProductRequest:
    """The officer checked and followed up the correction (step 17); the request closes again."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "resolve_correction", user=user)
    result = (result or "").strip()
    if len(result) < 3:
        raise RuleError("no_text", N_("Write down the result of the correction."), status=400)
    changed = {"result": result[:1000]}
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
        raise RuleError("already_paid", N_("Request %(number)s has a confirmed payment; it cannot be %(action)s. "
                                           "Ask for a correction after delivery instead."),
                        number=req.number, action=Msg(action))
    pending = session.exec(select(Payment).where(Payment.request_id == req.id,
                                                 Payment.status == PaymentStatus.recorded)).first()
    if pending is not None:
        raise RuleError("payment_pending", N_("A payment is waiting for the treasurer's confirmation; it cannot be "
                                              "%(action)s now."), action=Msg(action))


def revise(session: Session, *, request_id: int, user_id: int, reason: str, now: datetime | None = None) -> ProductRequest:
    """The visitor asks for a change before paying (step 10): the request reopens; an unpaid invoice is
    cancelled and the agreement and check must be made again."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "revise", user=user)
    _refuse_if_paid(session, req, N_("changed"))
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise RuleError("no_reason", N_("Say what the visitor wants changed."), status=400)
    inv = _end_invoice(session, req, InvoiceStatus.cancelled, "revised: " + reason, now)
    req.terms_agreed_at = req.documents_checked_at = None
    record(session, req, "revise", now=now, user=user, reason=reason[:300],
           **({"cancelled_invoice": inv.number} if inv else {}))
    return req


def cancel(session: Session, *, request_id: int, user_id: int, reason: str, now: datetime | None = None) -> ProductRequest:
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "cancel", user=user)
    _refuse_if_paid(session, req, N_("cancelled"))
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise RuleError("no_reason", N_("Give a reason for cancelling."), status=400)
    inv = _end_invoice(session, req, InvoiceStatus.cancelled, "request cancelled: " + reason, now)
    req.cancelled_at = now
    record(session, req, "cancel", now=now, user=user, reason=reason[:300],
           **({"cancelled_invoice": inv.number} if inv else {}))
    return req


# ---- finding a request again ---------------------------------------------------------------------

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
        ids = select(Invoice.request_id).where(Invoice.office_id == office_id,
                                               func.upper(Invoice.number) == q.upper())
        conds += [ProductRequest.id.in_(ids), func.upper(ProductRequest.number) == q.upper()]
    if not conds:
        like = f"%{q.lower()}%"
        vids = select(Visitor.id).where(Visitor.office_id == office_id,
                                        or_(func.lower(Visitor.name).like(like), func.lower(Visitor.email).like(like)))
        conds.append(ProductRequest.visitor_id.in_(vids))
    rows = session.exec(base.where(or_(*conds)).order_by(ProductRequest.updated_at.desc()).limit(limit)).all()
    # Live requests first: the visitor came back to continue one.
    return sorted(rows, key=lambda r: r.state in TERMINAL)


def for_visitor(session: Session, *, office_id: int, visitor_id: int) -> list[ProductRequest]:
    """A visitor's requests, newest first (the counter shows them when the visitor is served again)."""
    return list(session.exec(select(ProductRequest).where(ProductRequest.office_id == office_id,
                                                          ProductRequest.visitor_id == visitor_id)
                             .order_by(ProductRequest.id.desc()).limit(20)))


# ---- views ---------------------------------------------------------------------------------------

def line_json(line: RequestLine, translate: tariffs.Translate, lang: str) -> dict:
    it = next((s.items[line.item_code] for s in reversed(tariffs.load_schedules()) if line.item_code in s.items), None)
    name = tariffs.item_name(it, lang) if it else line.item_code
    return {"id": line.id, "item_code": line.item_code, "category": line.category, "name": name,
            "description": line.description, "measure": line.measure, "quantity": line.quantity, "unit": line.unit,
            "unit_price": line.unit_price, "amount": line.amount,
            "rule": tariffs.describe_rule(json.loads(line.rule), translate), "schedule": line.schedule}


def summary_json(session: Session, req: ProductRequest) -> dict:
    """A request as a search result lists it (the visitor's name masked for the list)."""
    from rules.privacy import mask_email
    visitor = session.get(Visitor, req.visitor_id)
    inv = active_invoice(session, req.id)
    return {"id": req.id, "number": req.number, "state": req.state, "total": req.total,
            "visitor": {"name": visitor.name, "email": mask_email(visitor.email),
                        "institution": visitor.institution_name},
            "invoice": {"number": inv.number, "status": inv.status, "billing_code": inv.billing_code} if inv else None,
            "created_at": iso(req.created_at), "updated_at": iso(req.updated_at)}


def invoice_json(session: Session, inv: Invoice, now: datetime) -> dict:
    from rules.invoices import effective_status, local_last_day
    return {"id": inv.id, "number": inv.number, "status": effective_status(inv, now), "billing_code": inv.billing_code,
            "total": inv.total, "issued_at": iso(inv.issued_at), "valid_until": iso(inv.valid_until),
            "last_valid_day": local_last_day(session, inv).isoformat(), "replaces_id": inv.replaces_id,
            "paid_at": iso(inv.paid_at), "close_reason": inv.close_reason}


def payment_json(p: Payment) -> dict:
    return {"id": p.id, "invoice_id": p.invoice_id, "billing_code": p.billing_code, "ntpn": p.ntpn,
            "amount": p.amount, "paid_at": iso(p.paid_at), "status": p.status, "recorded_at": iso(p.recorded_at),
            "confirmed_at": iso(p.confirmed_at), "rejected_reason": p.rejected_reason}


def receipt_json(r: Receipt) -> dict:
    return {"id": r.id, "number": r.number, "invoice_id": r.invoice_id, "total": r.total, "issued_at": iso(r.issued_at)}


def staff_view(session: Session, req: ProductRequest, *, translate: tariffs.Translate = lambda s: s, lang: str = "id",
               now: datetime | None = None) -> dict:
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
        "id": req.id, "number": req.number, "state": req.state, "state_label": translate(STATE_WORDS[req.state]),
        "total": req.total, "segment": req.segment,
        "visitor": {"id": visitor.id, "name": visitor.name, "email": visitor.email, "phone": visitor.phone,
                    "institution": visitor.institution_name, "category": visitor.institution_category,
                    "npwp": mask_number(visitor.npwp)},
        "purpose": entry.purpose if entry else "", "ticket": ticket.code if ticket else None,
        "zero_tariff": req.zero_tariff, "zero_tariff_use": req.zero_tariff_use,
        "zero_tariff_basis": req.zero_tariff_basis,
        "lines": [line_json(ln, translate, lang) for ln in lines(session, req.id)],
        "checklist": [{**d, "label": translate(d["label"])} for d in checklist(session, req)],
        "terms_agreed_at": iso(req.terms_agreed_at), "documents_checked_at": iso(req.documents_checked_at),
        "sample_handed_at": iso(req.sample_handed_at), "sppd_prepared_at": iso(req.sppd_prepared_at),
        "sppd_signed_at": iso(req.sppd_signed_at), "ready_at": iso(req.ready_at),
        "delivered_at": iso(req.delivered_at), "download_ref": req.download_ref, "closed_at": iso(req.closed_at),
        "needs_sample": any(ln.category == "microdata" for ln in lines(session, req.id)),
        "needs_sppd": needs_sppd(session, req), "settled": settled(session, req),
        "invoices": [invoice_json(session, i, now) for i in invoices],
        "payments": [payment_json(p) for p in payments],
        "receipts": [receipt_json(r) for r in receipts],
        "rated": rating is not None,
        "allowed": allowed(req),
        "actions": {name: translate(TRANSITIONS[name].label) for name in allowed(req)},
        "steps": [{"name": name, "label": translate(STEP_COMMANDS.get(name, TRANSITIONS[name].label)),
                   "rare": name in RARE_STEPS} for name in next_steps(req)],
        "visitor_token": req.visitor_token, "rating_token": req.rating_token,
        "history": [{"kind": e.kind, "at": iso(e.at), "label": translate(TRANSITIONS[e.kind].label)
                     if e.kind in TRANSITIONS else e.kind, "from": e.from_state, "to": e.to_state,
                     "by": "visitor" if e.by_visitor else users.get(e.user_id, ""),
                     "detail": json.loads(e.detail) if e.detail else {}} for e in history(session, req.id)],
        "created_at": iso(req.created_at), "updated_at": iso(req.updated_at),
    }
