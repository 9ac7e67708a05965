"""Requests without a queue ticket (the online flow of the standard): opened by the visitor on the office's public
request page, or entered by an officer from a request received through the national portal, e-mail or
WhatsApp; the e-mail address proven by the link; "clear and complete" (the 10 working days begin); shipping.

Every step goes through the one machine (machine.py) and records its event.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session, select

from clock import utcnow
from models import GuestBookEntry, Office, ProductRequest, RequestLine, Service, Visitor
from rules import guestbook, tariffs
from rules.errors import N_, NotFound, RuleError
from rules.guestbook import FieldsInvalid, GuestBookForm
from rules.numbering import document_number
from rules.requests.documents import documents_needed, sync_checklist
from rules.requests.intake import _priced, _reprice, _schedule_for
from rules.requests.machine import (
    CHANNELS,
    REQUEST_PREFIX,
    TRANSITIONS,
    S,
    authorize,
    by_visitor_token,
    get_request,
    get_user,
    record,
    require,
)

_INTL_PHONE = re.compile(r"^\+[1-9]\d{7,14}$")
ABSTRACT_MIN = 50  # characters: a sentence or two on what the data is for


class OnlineVisitorForm(GuestBookForm):
    """The guest book of the online page: the kiosk's fields and checks, except the service (always the sale of
    products) and the phone, which may be a number abroad (+ and the country code)."""

    service_id: int = 0
    priority_reason: str = ""

    @field_validator("purpose")
    @classmethod
    def _own_purpose(cls, v: str) -> str:
        """Every online request says its purpose (the kiosk's "as on my last visit" is not offered here)."""
        if v == guestbook.LAST_PURPOSE:
            raise ValueError(N_("Choose the main purpose of your visit."))
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        p = guestbook.normalize_phone(v)
        if p.startswith("+") and not p.startswith("+62") and _INTL_PHONE.match(p):
            return p
        if not guestbook._PHONE.match(p):
            raise ValueError(N_("Enter a mobile number, e.g. 0812 3456 7890 (abroad: + and the country code)."))
        return p


class OnlineLine(BaseModel):
    """One product on the online form, with the fields its kind needs (what exactly, and its size)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")
    item_code: str = Field(max_length=32)
    measure: int | None = Field(default=None, ge=1)
    quantity: int = Field(default=1, ge=1, le=100)
    description: str = Field(default="", max_length=300)


def _paid_service(session: Session, office: Office) -> Service:
    svc = session.exec(
        select(Service).where(Service.office_id == office.id, Service.paid.is_(True), Service.active.is_(True))
    ).first()
    if svc is None:
        raise NotFound("service_not_found", N_("This office sells no products online."))
    return svc


def _visitor(session: Session, office: Office, form: OnlineVisitorForm, service: Service, now: datetime):
    """The visitor (found by e-mail or created) and this request's guest-book line."""
    visitor = session.exec(select(Visitor).where(Visitor.office_id == office.id, Visitor.email == form.email)).first()
    if form.segment == "private" and not form.npwp and not (visitor is not None and visitor.npwp):
        raise FieldsInvalid({"npwp": N_("An NPWP is required for private-sector buyers.")})
    if visitor is None:
        visitor = Visitor(office_id=office.id, name=form.name, email=form.email, created_at=now)
    for field in (
        "name",
        "phone",
        "gender",
        "birth_year",
        "education",
        "occupation",
        "institution_category",
        "institution_name",
    ):
        setattr(visitor, field, getattr(form, field))
    visitor.segment = form.segment
    if form.npwp:
        visitor.npwp = form.npwp
    visitor.updated_at = now
    session.add(visitor)
    session.flush()
    entry = GuestBookEntry(
        office_id=office.id,
        visitor_id=visitor.id,
        service_id=service.id,
        purpose=form.purpose,
        purpose_note=form.purpose_note,
        consent_at=now,
        created_at=now,
    )
    session.add(entry)
    session.flush()
    return visitor, entry


def _new_request(session, office, visitor, entry, *, channel, language, user_id, now) -> ProductRequest:
    number, _year = document_number(session, office_id=office.id, kind="request", prefix=REQUEST_PREFIX, now=now)
    req = ProductRequest(
        office_id=office.id,
        number=number,
        visitor_id=visitor.id,
        guestbook_id=entry.id,
        officer_id=user_id,
        state=S.open,
        segment=visitor.segment,
        channel=channel,
        language=language if language in ("id", "en") else "id",
        created_at=now,
        updated_at=now,
    )
    session.add(req)
    session.flush()
    return req


def _add_lines(session: Session, req: ProductRequest, items: list[OnlineLine], now: datetime) -> None:
    schedule = _schedule_for(session, req, now)
    for i, ln in enumerate(items):
        it = tariffs.item(schedule, ln.item_code)
        if it.measure is not None and not ln.measure:
            raise FieldsInvalid({f"lines.{i}.measure": N_("Give the size of this product.")})
        if len(ln.description) < 3:
            raise FieldsInvalid({f"lines.{i}.description": N_("Say which data, area and year you need.")})
        p = _priced(schedule, req, it, ln.measure if it.measure else None, ln.quantity)
        session.add(
            RequestLine(
                office_id=req.office_id,
                request_id=req.id,
                item_code=it.code,
                category=it.category,
                description=ln.description[:300],
                measure=ln.measure if it.measure else None,
                quantity=ln.quantity,
                unit=it.per,
                unit_price=p.unit_price,
                amount=p.amount,
                rule=json.dumps(p.rule, sort_keys=True),
                schedule=schedule.label,
                created_at=now,
            )
        )
    session.flush()
    _reprice(session, req)


def submit_online(
    session: Session,
    *,
    office: Office,
    form: OnlineVisitorForm,
    items: list[OnlineLine],
    accept_terms: bool,
    abstract: str = "",
    language: str = "id",
    now: datetime | None = None,
) -> ProductRequest:
    """The visitor's request from the public page (online steps 1-5): guest book, products with their fields,
    the abstract for microdata and maps, the sale terms accepted. It waits for the e-mail link to be opened."""
    now = now or utcnow()
    if not items:
        raise FieldsInvalid({"lines": N_("Choose at least one product.")})
    if not accept_terms:
        raise FieldsInvalid({"accept_terms": N_("Accept the sale terms (format, cost, electronic media) to continue.")})
    authorize(TRANSITIONS["submit_online"], None, True, office.id)
    service = _paid_service(session, office)
    visitor, entry = _visitor(session, office, form, service, now)
    req = _new_request(session, office, visitor, entry, channel="online", language=language, user_id=None, now=now)
    _add_lines(session, req, items, now)
    abstract = (abstract or "").strip()
    categories = {ln.category for ln in session.exec(select(RequestLine).where(RequestLine.request_id == req.id))}
    if "abstract" in documents_needed(req, categories) and len(abstract) < ABSTRACT_MIN:
        raise FieldsInvalid(
            {"abstract": N_("Microdata and maps need an abstract of how the data will be used (a few sentences).")}
        )
    req.terms_agreed_at = now
    sync_checklist(session, req)
    record(
        session,
        req,
        "submit_online",
        now=now,
        by_visitor=True,
        number=req.number,
        total=req.total,
        **({"abstract": abstract[:2000]} if abstract else {}),
    )
    return req


def enter_request(
    session: Session,
    *,
    user_id: int,
    channel: str,
    form: OnlineVisitorForm,
    reference: str = "",
    language: str = "id",
    now: datetime | None = None,
) -> ProductRequest:
    """An officer enters a request received through the national portal, e-mail or WhatsApp (channel recorded).

    The officer has the visitor's own message in hand, so the address counts as given by the visitor; the link
    is e-mailed all the same (the visitor follows the request through it)."""
    now = now or utcnow()
    user = get_user(session, user_id)
    if user is None:
        raise RuleError("login_required", N_("Please sign in."), status=401)
    if channel not in CHANNELS or channel in ("counter", "online"):
        raise RuleError(
            "bad_channel", N_("Choose where the request came from: portal, e-mail or WhatsApp."), status=400
        )
    office = session.get(Office, user.office_id)
    authorize(TRANSITIONS["enter_request"], user, False, office.id)
    service = _paid_service(session, office)
    visitor, entry = _visitor(session, office, form, service, now)
    req = _new_request(session, office, visitor, entry, channel=channel, language=language, user_id=user.id, now=now)
    req.email_confirmed_at = now
    record(session, req, "enter_request", now=now, user=user, channel=channel, reference=(reference or "")[:200])
    return req


def confirm_email(session: Session, *, token: str, now: datetime | None = None) -> ProductRequest:
    """The visitor opened the link sent to their address and confirmed: the address is proven (once)."""
    now = now or utcnow()
    req = by_visitor_token(session, token)
    req = get_request(session, req.id, for_update=True)
    if req.email_confirmed_at is not None:
        return req
    require(req, "confirm_email", by_visitor=True)
    req.email_confirmed_at = now
    record(session, req, "confirm_email", now=now, by_visitor=True)
    return req


def mark_clear(session: Session, *, request_id: int, user_id: int, now: datetime | None = None) -> ProductRequest:
    """The officer finds the request clear and its requirements complete: the 10 working days begin."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "mark_clear", user=user)
    if req.channel == "counter":
        raise RuleError(
            "counter_request", N_("A request made at the counter is timed by the queue's limit, not in working days.")
        )
    if req.clear_at is not None:
        raise RuleError("already_clear", N_("This request was already marked clear and complete."))
    if req.documents_checked_at is None:
        raise RuleError("documents_first", N_("Check the documents before marking the request clear and complete."))
    req.clear_at = now
    record(session, req, "mark_clear", now=now, user=user)
    return req


def needs_clear_first(req: ProductRequest) -> None:
    """Refuse the office's work on a request of another channel before its clock has started."""
    if req.channel != "counter" and req.clear_at is None:
        raise RuleError(
            "not_clear",
            N_("Mark the request clear and complete first: that starts its 10 working days."),
        )


def set_shipping(
    session: Session, *, request_id: int, user_id: int, fee: int, note: str = "", now: datetime | None = None
) -> ProductRequest:
    """A hard copy is sent by post: the buyer pays the shipping (standard, note 2), added to the invoice."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "set_shipping", user=user)
    if fee < 0 or fee > 10_000_000:
        raise RuleError("bad_fee", N_("Enter the shipping cost in rupiah."), status=400)
    note = (note or "").strip()
    if fee and len(note) < 3:
        raise RuleError("no_note", N_("Say what is shipped and where (courier, address)."), status=400)
    req.shipping_fee, req.shipping_note = fee, note[:300]
    _reprice(session, req)
    record(session, req, "set_shipping", now=now, user=user, shipping_fee=fee, note=req.shipping_note, total=req.total)
    return req
