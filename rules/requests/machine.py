"""The request's one state machine: its states, every step as a transition (allowed from which states, by
whom), the refusal that names the allowed states, the event each step records, and loading a request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from clock import business_day, iso
from models import (
    DEAD,
    Invoice,
    InvoiceStatus,
    Office,
    Payment,
    PaymentStatus,
    ProductRequest,
    Receipt,
    RequestDocument,
    RequestEvent,
    RequestLine,
    RequestState,
    User,
)
from rules import offices
from rules.errors import N_, Msg, MsgList, NotFound, RuleError
from rules.roles import COUNTER_ROLES, STAFF_ROLES, TREASURER_ROLES

S = RequestState
REQUEST_PREFIX = "PST"
# Requests that can still take payment steps (an invoice may be outstanding).
UNPAID_WORK = (S.invoiced, S.preparing, S.ready)
TERMINAL = (S.closed, S.cancelled)


STATE_WORDS = {
    S.open: N_("open for changes"),
    S.agreed: N_("agreed by the visitor"),
    S.checked: N_("documents checked"),
    S.invoiced: N_("invoiced"),
    S.preparing: N_("being prepared"),
    S.ready: N_("ready"),
    S.delivered: N_("delivered"),
    S.correcting: N_("under correction"),
    S.closed: N_("closed"),
    S.cancelled: N_("cancelled"),
}
# Where a request came from (rules.requests.online): the counter, the office's online page, or an officer
# entering one received through the national portal, e-mail or WhatsApp.
CHANNELS = ("counter", "online", "portal", "email", "whatsapp")
CHANNEL_WORDS = {
    "counter": N_("at the counter"),
    "online": N_("online request page"),
    "portal": N_("national portal"),
    "email": N_("e-mail"),
    "whatsapp": N_("WhatsApp"),
}
LIVE = (S.open, S.agreed, S.checked, S.invoiced, S.preparing, S.ready, S.delivered, S.correcting)
DOC_WORDS = {
    "abstract": N_("data-use abstract"),
    "sppd": N_("data use agreement (SPPD)"),
    "npwp": N_("NPWP"),
    "request_letter": N_("request letter"),
}
# Documents that must be in hand before the invoice; the SPPD is signed later (step 13), before delivery.
CHECKED_BEFORE_INVOICE = ("abstract", "npwp", "request_letter")


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]  # the states the step is allowed from
    target: str | None  # the state after it; None: the state does not change
    who: str  # officer | treasurer | staff | visitor | visitor_or_officer | system
    label: str  # msgid: the step, as staff see it
    visitor_label: str | None  # msgid in the visitor's history; None: an internal step


_T = Transition
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _T("open", (), S.open, "officer", N_("open the request"), N_("Request recorded")),
        _T("submit_online", (), S.agreed, "visitor", N_("submit the request online"), N_("Request submitted online")),
        _T(
            "enter_request",
            (),
            S.open,
            "officer",
            N_("enter a request received by portal, e-mail or WhatsApp"),
            N_("Request recorded"),
        ),
        _T("confirm_email", LIVE, None, "visitor", N_("confirm the e-mail address"), N_("E-mail address confirmed")),
        _T(
            "mark_clear",
            (S.checked,) + UNPAID_WORK,
            None,
            "officer",
            N_("mark the request clear and complete"),
            N_("Request clear and complete: the 10 working days begin"),
        ),
        _T(
            "set_shipping",
            (S.open,),
            None,
            "officer",
            N_("record the shipping of a hard copy"),
            N_("Shipping recorded"),
        ),
        _T("upload", LIVE, None, "visitor_or_officer", N_("upload a file"), N_("File received")),
        _T(
            "record_transfer",
            UNPAID_WORK,
            None,
            "visitor",
            N_("send the proof of a bank transfer"),
            N_("Proof of bank transfer received"),
        ),
        _T(
            "verify_transfer",
            UNPAID_WORK,
            None,
            "treasurer",
            N_("verify the proof of a bank transfer"),
            N_("Bank transfer verified"),
        ),
        _T("add_line", (S.open,), None, "officer", N_("add a product"), None),
        _T("remove_line", (S.open,), None, "officer", N_("remove a product"), None),
        _T("set_zero_tariff", (S.open,), None, "officer", N_("apply the Rp 0 tariff"), N_("Rp 0 tariff applied")),
        _T("clear_zero_tariff", (S.open,), None, "officer", N_("remove the Rp 0 tariff"), N_("Rp 0 tariff removed")),
        _T("tick_document", (S.open, S.agreed), None, "officer", N_("tick a document"), None),
        _T("agree", (S.open,), S.agreed, "officer", N_("record the visitor's agreement"), N_("Sale terms agreed")),
        _T(
            "check_documents",
            (S.agreed,),
            S.checked,
            "officer",
            N_("confirm the documents are complete"),
            N_("Documents checked"),
        ),
        _T("issue_invoice", (S.checked,), S.invoiced, "officer", N_("issue the invoice"), N_("Invoice issued")),
        _T("replace_invoice", UNPAID_WORK, None, "officer", N_("replace the invoice"), N_("Invoice replaced")),
        _T("expire_invoice", UNPAID_WORK, None, "system", N_("expire the invoice"), N_("Invoice expired")),
        _T(
            "hand_over_sample",
            (S.checked,) + UNPAID_WORK,
            None,
            "officer",
            N_("hand over the data sample"),
            N_("Data sample handed over"),
        ),
        _T(
            "sign_sppd",
            (S.checked,) + UNPAID_WORK,
            None,
            "officer",
            N_("record the signed SPPD"),
            N_("Data use agreement (SPPD) signed"),
        ),
        _T("record_payment", UNPAID_WORK, None, "staff", N_("record the payment"), N_("Payment recorded")),
        _T("confirm_payment", UNPAID_WORK, None, "treasurer", N_("confirm the payment"), N_("Payment confirmed")),
        _T("reject_payment", UNPAID_WORK, None, "treasurer", N_("reject the payment"), N_("Payment not confirmed")),
        _T("issue_receipt", UNPAID_WORK, None, "treasurer", N_("issue the receipt"), N_("Receipt issued")),
        _T(
            "start_preparing",
            (S.checked, S.invoiced),
            S.preparing,
            "officer",
            N_("start preparing the product"),
            N_("Product being prepared"),
        ),
        _T("mark_ready", (S.preparing,), S.ready, "officer", N_("mark the product ready"), N_("Product ready")),
        _T("deliver", (S.ready,), S.delivered, "officer", N_("deliver the product"), N_("Product delivered")),
        _T("close", (S.delivered,), S.closed, "officer", N_("close the request"), N_("Request closed")),
        _T(
            "request_correction",
            (S.delivered, S.closed),
            S.correcting,
            "visitor_or_officer",
            N_("ask for a correction"),
            N_("Correction requested"),
        ),
        _T(
            "resolve_correction",
            (S.correcting,),
            S.closed,
            "officer",
            N_("record the correction's result"),
            N_("Correction resolved"),
        ),
        _T("rate", (S.delivered, S.closed), S.closed, "visitor", N_("rate the service"), N_("Service rated")),
        _T(
            "revise",
            (S.agreed, S.checked) + UNPAID_WORK,
            S.open,
            "officer",
            N_("change the request"),
            N_("Request reopened for changes"),
        ),
        _T(
            "cancel",
            (S.open, S.agreed, S.checked) + UNPAID_WORK,
            S.cancelled,
            "officer",
            N_("cancel the request"),
            N_("Request cancelled"),
        ),
    )
}


# The buttons of the steps staff take: commands ("Record payment"), where TRANSITIONS' labels describe a step
# done ("mencatat pembayaran" in the history). Listed in the order the steps normally come (SPEC steps 7-17:
# invoice, sample, preparing, payment, SPPD, delivery), so a screen offers the likely next step first; then the
# edits and the treasurer's steps; the rare or destructive ones last.
STEP_COMMANDS: dict[str, str] = {
    "agree": N_("Record the visitor's agreement"),
    "set_shipping": N_("Shipping of a hard copy"),
    "check_documents": N_("Documents are complete"),
    "mark_clear": N_("Clear and complete: start the 10 working days"),
    "issue_invoice": N_("Issue invoice"),
    "hand_over_sample": N_("Hand over the data sample"),
    "start_preparing": N_("Start preparing"),
    "record_payment": N_("Record payment"),
    "sign_sppd": N_("Record the signed SPPD"),
    "mark_ready": N_("Mark ready"),
    "deliver": N_("Deliver product"),
    "close": N_("Close request"),
    "request_correction": N_("Ask for a correction"),
    "resolve_correction": N_("Record the correction result"),
    "add_line": N_("Add product"),
    "remove_line": N_("Remove product"),
    "set_zero_tariff": N_("Apply Rp 0"),
    "clear_zero_tariff": N_("Remove Rp 0"),
    "tick_document": N_("Tick a document"),
    "confirm_payment": N_("Confirm payment"),
    "verify_transfer": N_("Verify the transfer"),
    "reject_payment": N_("Reject payment"),
    "issue_receipt": N_("Issue receipt"),
    "rate": N_("Rate the service"),
    "submit_online": N_("Submit the request"),
    "enter_request": N_("Enter a request"),
    "confirm_email": N_("Confirm the e-mail address"),
    "upload": N_("Upload a file"),
    "record_transfer": N_("Send the proof of transfer"),
    # Rare or destructive: offered last and set apart.
    "replace_invoice": N_("Replace invoice"),
    "revise": N_("Change request"),
    "cancel": N_("Cancel request"),
}
RARE_STEPS = frozenset({"replace_invoice", "revise", "cancel"})


# ---- the machine ---------------------------------------------------------------------------------


def next_steps(req: ProductRequest) -> list[str]:
    """The steps the state allows, in the order they normally come (STEP_COMMANDS); rare ones last."""
    order = {name: i for i, name in enumerate(STEP_COMMANDS)}
    return sorted(allowed(req), key=lambda name: (name in RARE_STEPS, order.get(name, len(order))))


# Steps only a request made outside the counter takes (its clock, its e-mail link, its uploads).
NOT_AT_COUNTER = frozenset({"confirm_email", "mark_clear", "upload", "record_transfer", "verify_transfer"})


def allowed(req: ProductRequest) -> list[str]:
    """The steps the current state allows (their other conditions are checked when taken)."""
    skip = set(NOT_AT_COUNTER) if req.channel == "counter" else set()
    if req.email_confirmed_at is not None:
        skip.add("confirm_email")
    if req.clear_at is not None:
        skip.add("mark_clear")
    return [t.name for t in TRANSITIONS.values() if req.state in t.sources and t.who != "system" and t.name not in skip]


def authorize(t: Transition, user: User | None, by_visitor: bool, office_id: int) -> None:
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
    roles = {
        "officer": COUNTER_ROLES,
        "visitor_or_officer": COUNTER_ROLES,
        "treasurer": TREASURER_ROLES,
        "staff": STAFF_ROLES,
        "visitor": (),
    }[t.who]
    if user.role not in roles:
        message = {
            "treasurer": N_("Only the treasurer may %(action)s."),
            "visitor": N_("Only the visitor may %(action)s."),
        }.get(t.who, N_("Only a counter officer may %(action)s."))
        raise RuleError("forbidden", message, status=403, action=Msg(t.label))


def require(req: ProductRequest, name: str, *, user: User | None = None, by_visitor: bool = False) -> Transition:
    """Check that a step may be taken now by this person; refuse with the reason otherwise."""
    t = TRANSITIONS[name]
    authorize(t, user, by_visitor, req.office_id)
    if req.channel == "online" and req.email_confirmed_at is None and not by_visitor and name != "cancel":
        # Anyone can type any address on the public page: nothing is worked on before the link proved it.
        raise RuleError(
            "email_unconfirmed",
            N_("Request %(number)s waits for the visitor to confirm their e-mail address through the link sent."),
            number=req.number,
        )
    if req.state not in t.sources:
        if req.state in TERMINAL:
            raise RuleError(
                "not_allowed_final",
                N_("Request %(number)s is %(state)s; nothing more can be done with it."),
                number=req.number,
                state=Msg(STATE_WORDS[req.state]),
            )
        raise RuleError(
            "not_allowed",
            N_("Request %(number)s is %(state)s; to %(action)s it must be %(allowed)s."),
            number=req.number,
            state=Msg(STATE_WORDS[req.state]),
            action=Msg(t.label),
            allowed=MsgList(Msg(STATE_WORDS[s]) for s in t.sources),
        )
    return t


def record(
    session: Session,
    req: ProductRequest,
    name: str,
    *,
    now: datetime,
    user: User | None = None,
    by_visitor: bool = False,
    at: datetime | None = None,
    **changed,
) -> RequestEvent:
    """Take a step that `require` allowed: move the state and append the event (who, when, what changed)."""
    t = TRANSITIONS[name]
    before = req.state
    if t.target is not None:
        req.state = t.target
    req.updated_at = now
    session.add(req)
    ev = RequestEvent(
        office_id=req.office_id,
        request_id=req.id,
        kind=name,
        at=at or now,
        user_id=user.id if user else None,
        from_state=before,
        to_state=req.state,
        by_visitor=by_visitor,
        detail=json.dumps(changed, sort_keys=True, default=str) if changed else "",
    )
    session.add(ev)
    session.flush()
    if req.clear_at is not None:
        from rules.requests import clock  # the clock reads the machine: imported when first needed

        clock.sync(session, req, now)
    return ev


def history(session: Session, request_id: int) -> list[RequestEvent]:
    return list(
        session.exec(
            select(RequestEvent).where(RequestEvent.request_id == request_id).order_by(RequestEvent.at, RequestEvent.id)
        )
    )


# Detail keys a visitor may see in their own history (document numbers, never staff notes or names).
_VISITOR_DETAIL = ("invoice", "receipt", "total", "download_ref", "replaces", "result", "document", "shipping_fee")


def visitor_history(session: Session, request_id: int) -> list[dict]:
    """The request's history as the visitor may see it: public steps, their time and state; labels are msgids."""
    out = []
    for ev in history(session, request_id):
        t = TRANSITIONS.get(ev.kind)
        if t is None or t.visitor_label is None:
            continue
        detail = json.loads(ev.detail) if ev.detail else {}
        out.append(
            {
                "kind": ev.kind,
                "at": iso(ev.at),
                "label": t.visitor_label,
                "state": ev.to_state,
                "state_label": STATE_WORDS.get(ev.to_state, ev.to_state),
                **{k: detail[k] for k in _VISITOR_DETAIL if k in detail},
            }
        )
    return out


# ---- loading -------------------------------------------------------------------------------------


def get_user(session: Session, user_id: int | None) -> User | None:
    return session.get(User, user_id) if user_id is not None else None


def get_request(
    session: Session, request_id: int, *, office_id: int | None = None, for_update: bool = False
) -> ProductRequest:
    q = select(ProductRequest).where(ProductRequest.id == request_id)
    if for_update:
        # Lock the row and read it again even if this session loaded it before (PostgreSQL, read committed).
        q = q.with_for_update().execution_options(populate_existing=True)
    req = session.exec(q).first()
    if req is None or (office_id is not None and req.office_id != office_id):
        raise NotFound("request_not_found", N_("No such request."))
    return req


def by_visitor_token(session: Session, token: str) -> ProductRequest:
    # A dead token ("~...", rules/retention.py, rules/erasure.py) was never handed out: never accepted either.
    live = token and not token.startswith(DEAD)
    req = session.exec(select(ProductRequest).where(ProductRequest.visitor_token == token)).first() if live else None
    if req is None:
        raise NotFound("request_not_found", N_("This request link is not valid."))
    return req


def by_rating_token(session: Session, token: str) -> ProductRequest:
    live = token and not token.startswith(DEAD)
    req = session.exec(select(ProductRequest).where(ProductRequest.rating_token == token)).first() if live else None
    if req is None:
        raise NotFound("request_not_found", N_("This rating link is not valid."))
    return req


def lines(session: Session, request_id: int) -> list[RequestLine]:
    return list(session.exec(select(RequestLine).where(RequestLine.request_id == request_id).order_by(RequestLine.id)))


def documents(session: Session, request_id: int) -> list[RequestDocument]:
    return list(
        session.exec(
            select(RequestDocument).where(RequestDocument.request_id == request_id).order_by(RequestDocument.id)
        )
    )


def active_invoice(session: Session, request_id: int) -> Invoice | None:
    """The invoice that stands now: issued, paid or expired (not cancelled or replaced)."""
    return session.exec(
        select(Invoice)
        .where(
            Invoice.request_id == request_id,
            Invoice.status.in_([InvoiceStatus.issued, InvoiceStatus.paid, InvoiceStatus.expired]),
        )
        .order_by(Invoice.id.desc())
        .limit(1)
    ).first()


def confirmed_payment(session: Session, request_id: int) -> Payment | None:
    return session.exec(
        select(Payment).where(Payment.request_id == request_id, Payment.status == PaymentStatus.confirmed)
    ).first()


def receipt_of(session: Session, request_id: int) -> Receipt | None:
    return session.exec(select(Receipt).where(Receipt.request_id == request_id).order_by(Receipt.id.desc())).first()


def local_day(session: Session, office_id: int, moment: datetime) -> date:
    return business_day(moment, offices.office_tz(session.get(Office, office_id)))
