"""Paid-product requests: the request, its lines and documents, invoices, payments, receipts, ratings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from clock import utcnow
from models.common import new_token


class RequestState(StrEnum):
    """The states of a paid-product request; rules.requests holds the transitions between them."""

    open = "open"  # lines being taken down (steps 5-6)
    agreed = "agreed"  # the visitor agreed to the sale terms (step 7)
    checked = "checked"  # the document checklist is complete (step 8)
    invoiced = "invoiced"  # invoice issued, waiting for payment (steps 9-10, 12)
    preparing = "preparing"  # the officer prepares the product (step 11)
    ready = "ready"  # the product is ready to hand over
    delivered = "delivered"  # handed over with its download reference (step 15)
    correcting = "correcting"  # the visitor asked for a correction (steps 16-17)
    closed = "closed"  # finished (step 18)
    cancelled = "cancelled"


class InvoiceStatus(StrEnum):
    issued = "issued"
    paid = "paid"
    expired = "expired"
    cancelled = "cancelled"
    replaced = "replaced"


class PaymentStatus(StrEnum):
    recorded = "recorded"  # NTPN typed in; the treasurer has not confirmed it yet
    confirmed = "confirmed"  # the treasurer confirmed the money reached the treasury
    rejected = "rejected"


class YearSequence(SQLModel, table=True):
    """The last number of a kind of document (invoice, receipt, request) per office and year; taken atomically."""

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    kind: str = Field(max_length=16, primary_key=True)
    year: int = Field(primary_key=True)
    last_number: int = 0


class ProductRequest(SQLModel, table=True):
    """A visitor's request for paid statistical products; it outlives the ticket it was opened from."""

    __table_args__ = (
        UniqueConstraint("office_id", "number"),
        Index("ix_productrequest_office_state", "office_id", "state"),
        Index("ix_productrequest_office_delivered", "office_id", "delivered_at", "served_within"),
    )
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    number: str = Field(max_length=32)
    visitor_id: int = Field(foreign_key="visitor.id", index=True)
    guestbook_id: int | None = Field(default=None, foreign_key="guestbookentry.id")
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    officer_id: int | None = Field(default=None, foreign_key="user.id")
    state: str = Field(default=RequestState.open, max_length=16)
    segment: str = Field(default="", max_length=16)
    total: int = 0
    zero_tariff: bool = False
    zero_tariff_use: str = Field(default="", max_length=32)
    zero_tariff_basis: str = Field(default="", max_length=500)
    terms_agreed_at: datetime | None = None
    documents_checked_at: datetime | None = None
    sample_handed_at: datetime | None = None
    sppd_prepared_at: datetime | None = None
    sppd_signed_at: datetime | None = None
    ready_at: datetime | None = None
    delivered_at: datetime | None = None
    download_ref: str = Field(default="", max_length=500)
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Links handed to the visitor: status/history, documents and correction; rating (may sit on a counter tablet).
    visitor_token: str = Field(default_factory=new_token, max_length=64, unique=True, index=True)
    rating_token: str = Field(default_factory=new_token, max_length=64, unique=True, index=True)
    # The online channel (rules.requests.online): where the request came from, the visitor's language for
    # e-mails, the e-mail address proven by the link, the 10-working-day clock and shipping.
    channel: str = Field(default="counter", max_length=16)  # counter | online | portal | email | whatsapp
    language: str = Field(default="id", max_length=5)
    email_confirmed_at: datetime | None = None
    clear_at: datetime | None = None  # the officer marked it clear and its requirements complete: the clock starts
    # Waiting on the visitor: [[start ISO, end ISO or null, reason], ...] (rules.requests.clock).
    clock_pauses: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    served_days: int | None = None  # working days counted when delivered
    served_within: bool | None = None  # delivered within the limit (the reports' share)
    shipping_fee: int = 0  # a hard copy sent by post: the buyer pays (never for a correction)
    shipping_note: str = Field(default="", max_length=300)
    sppd_received_how: str = Field(default="", max_length=16)  # counter | upload | post


class RequestLine(SQLModel, table=True):
    """One product on a request, priced from the tariff schedule in force when it was added."""

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    request_id: int = Field(foreign_key="productrequest.id", index=True)
    item_code: str = Field(max_length=32)
    category: str = Field(max_length=24)
    description: str = Field(default="", max_length=300)
    measure: int | None = None  # pages or bytes of one copy/dataset/table; None for per-map items
    quantity: int = 1
    unit: str = Field(max_length=16)
    unit_price: int = 0
    amount: int = 0
    # The pricing rule as data (JSON): screens and documents turn it into a sentence in their language.
    rule: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    schedule: str = Field(default="", max_length=64)  # the tariff schedule (regulation + date) used
    created_at: datetime = Field(default_factory=utcnow)


class RequestDocument(SQLModel, table=True):
    """One item of the document checklist a request needs (abstract, SPPD, NPWP, request letter)."""

    __table_args__ = (UniqueConstraint("request_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    request_id: int = Field(foreign_key="productrequest.id", index=True)
    kind: str = Field(max_length=24)
    received: bool = False
    note: str = Field(default="", max_length=300)
    checked_by: int | None = Field(default=None, foreign_key="user.id")
    checked_at: datetime | None = None


class RequestEvent(SQLModel, table=True):
    """The history of a request: every step, who took it, when, and what changed."""

    __table_args__ = (Index("ix_requestevent_office_at", "office_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    request_id: int = Field(foreign_key="productrequest.id", index=True)
    kind: str = Field(max_length=32)
    at: datetime = Field(default_factory=utcnow)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    from_state: str = Field(default="", max_length=16)
    to_state: str = Field(default="", max_length=16)
    by_visitor: bool = False
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class Invoice(SQLModel, table=True):
    """An invoice with its billing code; valid for one month. A replacement links to the one it replaces."""

    __table_args__ = (
        UniqueConstraint("office_id", "number"),
        Index("ix_invoice_office_billing", "office_id", "billing_code"),
    )
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    request_id: int = Field(foreign_key="productrequest.id", index=True)
    number: str = Field(max_length=32)
    year: int
    status: str = Field(default=InvoiceStatus.issued, max_length=16)
    billing_code: str = Field(max_length=15)
    total: int
    issued_at: datetime
    valid_until: datetime
    issued_by: int | None = Field(default=None, foreign_key="user.id")
    replaces_id: int | None = Field(default=None, foreign_key="invoice.id")
    paid_at: datetime | None = None
    closed_at: datetime | None = None  # when it became expired, cancelled or replaced
    close_reason: str = Field(default="", max_length=300)
    # What was invoiced, frozen at issue (the lines may be revised later under a new invoice).
    snapshot: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    verify_token: str = Field(default_factory=new_token, max_length=64, unique=True, index=True)


class Payment(SQLModel, table=True):
    """A payment of an invoice by its billing code, proven by the NTPN; confirmed only by the treasurer."""

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    request_id: int = Field(foreign_key="productrequest.id", index=True)
    billing_code: str = Field(max_length=15)
    ntpn: str = Field(max_length=16, index=True)
    amount: int
    paid_at: datetime
    status: str = Field(default=PaymentStatus.recorded, max_length=16)
    recorded_by: int | None = Field(default=None, foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow)
    confirmed_by: int | None = Field(default=None, foreign_key="user.id")
    confirmed_at: datetime | None = None
    rejected_reason: str = Field(default="", max_length=300)
    method: str = Field(default="billing", max_length=16)  # billing (SIMPONI billing code) | transfer (abroad)
    upload_id: int | None = Field(default=None, foreign_key="requestupload.id")  # a transfer's proof


class Receipt(SQLModel, table=True):
    """The treasurer's receipt (kuitansi) for a confirmed payment; its own number per office and year."""

    __table_args__ = (UniqueConstraint("office_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    invoice_id: int = Field(foreign_key="invoice.id", unique=True)
    payment_id: int = Field(foreign_key="payment.id", unique=True)
    request_id: int = Field(foreign_key="productrequest.id", index=True)
    number: str = Field(max_length=32)
    year: int
    total: int
    issued_at: datetime
    issued_by: int = Field(foreign_key="user.id")
    verify_token: str = Field(default_factory=new_token, max_length=64, unique=True, index=True)


class Rating(SQLModel, table=True):
    """A visitor's satisfaction survey (SKM, PermenPANRB 14/2017): 9 elements on a 1-4 scale.

    The survey covers every service: a paid-product request is rated once (request_id), any other visit once
    by its ticket (ticket_id: a consultation, the library); service_id is the service the IKM is counted for
    (none for an online request without a ticket)."""

    __table_args__ = (
        Index("ix_rating_office_at", "office_id", "at"),
        UniqueConstraint("ticket_id", name="uq_rating_ticket_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    request_id: int | None = Field(default=None, foreign_key="productrequest.id", unique=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    service_id: int | None = Field(default=None, foreign_key="service.id")
    at: datetime = Field(default_factory=utcnow)
    u1: int
    u2: int
    u3: int
    u4: int
    u5: int
    u6: int
    u7: int
    u8: int
    u9: int
    comment: str = Field(default="", max_length=1000)
    channel: str = Field(default="", max_length=16)


class RequestUpload(SQLModel, table=True):
    """A file a visitor (or an officer) uploaded for a request: the abstract, the signed SPPD, a transfer's proof.

    The bytes live under instance/uploads/ (storage.py), never under a static folder; staff and the visitor's
    token reach them through authorised endpoints only."""

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    request_id: int = Field(foreign_key="productrequest.id", index=True)
    kind: str = Field(max_length=24)  # abstract | sppd | transfer_proof
    filename: str = Field(max_length=200)  # as the visitor named it (shown, never used as a path)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    stored_name: str = Field(max_length=100, unique=True)
    uploaded_at: datetime = Field(default_factory=utcnow)
    by_visitor: bool = True
    user_id: int | None = Field(default=None, foreign_key="user.id")
