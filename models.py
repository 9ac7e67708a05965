"""The tables of Loket (SQLModel). Every office-owned row carries office_id; times are aware UTC."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from clock import utcnow


def new_token() -> str:
    """An unguessable token for links handed to visitors."""
    return secrets.token_urlsafe(24)


class Role(StrEnum):
    officer = "officer"
    treasurer = "treasurer"
    supervisor = "supervisor"
    admin = "admin"


class TicketStatus(StrEnum):
    waiting = "waiting"
    called = "called"
    serving = "serving"
    done = "done"
    no_show = "no_show"
    cancelled = "cancelled"


ACTIVE_STATUSES = (TicketStatus.called, TicketStatus.serving)


class CounterStatus(StrEnum):
    closed = "closed"
    open = "open"
    paused = "paused"


class Office(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=8, unique=True, index=True)
    name: str = Field(max_length=200)
    short_name: str = Field(default="", max_length=80)
    address: str = Field(default="", max_length=300)
    timezone: str = Field(default="Asia/Jakarta", max_length=64)
    service_limit_minutes: int = 10
    created_at: datetime = Field(default_factory=utcnow)


class Service(SQLModel, table=True):
    """A queue: a service the office offers, with its ticket prefix."""

    __table_args__ = (
        UniqueConstraint("office_id", "code"),
        UniqueConstraint("office_id", "prefix"),
    )
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    code: str = Field(max_length=32)
    prefix: str = Field(max_length=2)
    name: str = Field(max_length=120)
    name_en: str = Field(default="", max_length=120)
    paid: bool = False
    active: bool = True
    sort_order: int = 0


class Counter(SQLModel, table=True):
    """A service counter (loket)."""

    __table_args__ = (UniqueConstraint("office_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    number: int
    name: str = Field(default="", max_length=60)
    status: str = Field(default=CounterStatus.closed, max_length=16)
    pause_reason: str = Field(default="", max_length=200)
    officer_id: int | None = Field(default=None, foreign_key="user.id")
    status_since: datetime = Field(default_factory=utcnow)
    printer: str = Field(default="", max_length=64)
    active: bool = True


class CounterService(SQLModel, table=True):
    """Which services a counter serves."""

    counter_id: int = Field(foreign_key="counter.id", primary_key=True)
    service_id: int = Field(foreign_key="service.id", primary_key=True)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    username: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=120)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=256)
    active: bool = True
    language: str = Field(default="", max_length=5)
    created_at: datetime = Field(default_factory=utcnow)


class Visitor(SQLModel, table=True):
    """A person in the guest book; found again by email or phone."""

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    name: str = Field(max_length=120)
    email: str = Field(max_length=254, index=True)
    phone: str = Field(default="", max_length=20, index=True)
    gender: str = Field(default="", max_length=1)
    birth_year: int | None = None
    education: str = Field(default="", max_length=32)
    occupation: str = Field(default="", max_length=32)
    institution_category: str = Field(default="", max_length=32)
    institution_name: str = Field(default="", max_length=200)
    segment: str = Field(default="", max_length=16)
    npwp: str = Field(default="", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class GuestBookEntry(SQLModel, table=True):
    """One visit's guest-book line: who came, why, and that they consented."""

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    visitor_id: int = Field(foreign_key="visitor.id", index=True)
    service_id: int = Field(foreign_key="service.id")
    purpose: str = Field(max_length=32)
    purpose_note: str = Field(default="", max_length=300)
    consent_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class DailySequence(SQLModel, table=True):
    """The last number handed out per service and business day; taken under a lock."""

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    service_id: int = Field(foreign_key="service.id", primary_key=True)
    service_date: date = Field(primary_key=True)
    last_number: int = 0


class Ticket(SQLModel, table=True):
    __table_args__ = (
        # The number belongs to the service that issued it (its prefix); service_id changes on transfer.
        UniqueConstraint("office_id", "issued_service_id", "service_date", "number", name="uq_ticket_number_of_day"),
        Index("ix_ticket_queue", "office_id", "service_id", "status", "priority", "queued_at"),
        Index("ix_ticket_office_day", "office_id", "service_date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    service_id: int = Field(foreign_key="service.id")
    # The service the ticket was issued for (its prefix); service_id changes on transfer.
    issued_service_id: int = Field(foreign_key="service.id")
    service_date: date
    number: int
    code: str = Field(max_length=8)
    guestbook_id: int | None = Field(default=None, foreign_key="guestbookentry.id")
    visitor_id: int | None = Field(default=None, foreign_key="visitor.id", index=True)
    status: str = Field(default=TicketStatus.waiting, max_length=16)
    priority: bool = False
    priority_reason: str = Field(default="", max_length=16)
    issued_at: datetime = Field(default_factory=utcnow)
    # Place in time; kept on transfer and when a no-show is brought back.
    queued_at: datetime = Field(default_factory=utcnow)
    # The 10-minute clock, recorded when the ticket is called.
    clock_started_at: datetime | None = None
    deadline_at: datetime | None = None
    called_at: datetime | None = None
    first_called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # When the ticket left this queue's line (finished, no-show, transferred away, cancelled).
    ended_at: datetime | None = None
    counter_id: int | None = Field(default=None, foreign_key="counter.id")
    officer_id: int | None = Field(default=None, foreign_key="user.id")
    recall_count: int = 0
    transfer_count: int = 0
    back_in_minutes: int | None = None
    # The wait the kiosk promised at issue (supervisor reports compare it with the real wait; migration 0004).
    estimated_wait_minutes: int | None = None
    # Report figures of the ticket, kept in step with its times by _ticket_report_figures (migration 0006):
    # microseconds from issue to first call and from start to finish (done tickets), the first call's verdict.
    waiting_us: int | None = Field(default=None, sa_type=BigInteger)
    service_us: int | None = Field(default=None, sa_type=BigInteger)
    first_call_within: bool | None = None
    status_token: str = Field(default_factory=new_token, max_length=64, unique=True, index=True)


class TicketEvent(SQLModel, table=True):
    """The history of a ticket: every state change, who made it and when."""

    __table_args__ = (Index("ix_ticketevent_office_at", "office_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=24)
    at: datetime = Field(default_factory=utcnow)
    service_id: int | None = Field(default=None, foreign_key="service.id")
    counter_id: int | None = Field(default=None, foreign_key="counter.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class CounterEvent(SQLModel, table=True):
    """Opening, pausing (with reason), resuming and closing a counter."""

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    counter_id: int = Field(foreign_key="counter.id", index=True)
    kind: str = Field(max_length=16)
    reason: str = Field(default="", max_length=200)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)


class PrintJobStatus(StrEnum):
    queued = "queued"          # waiting for the worker (or for its next retry)
    sending = "sending"        # the worker has claimed it and is sending bytes
    printed = "printed"
    failed = "failed"          # retrying with backoff; see last_error
    needs_decision = "needs_decision"  # interrupted mid-send: an officer decides reprint or not
    cancelled = "cancelled"


class PrintJob(SQLModel, table=True):
    """A piece of paper to print, written in the same transaction as the thing it prints."""

    __table_args__ = (Index("ix_printjob_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    station: str = Field(max_length=64)
    kind: str = Field(max_length=24)
    ref_id: int | None = None
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    status: str = Field(default=PrintJobStatus.queued, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = Field(default="", max_length=500)
    requested_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    sending_at: datetime | None = None
    printed_at: datetime | None = None


# ---- supervisor reports (migration 0004_reports) -------------------------------------------------------
# Declared here so the metadata matches the database; see migrations/versions/0004_reports.py for why.
Index("ix_ticket_report_counter", Ticket.office_id, Ticket.counter_id, Ticket.service_date)
Index("ix_ticket_report_officer", Ticket.office_id, Ticket.officer_id, Ticket.service_date)
Index("ix_ticketevent_office_kind_at", TicketEvent.office_id, TicketEvent.kind, TicketEvent.at)
# One index holds every column a report reads of a ticket, in the order the report groups them (day, service,
# counter, officer): a year of tickets is read and aggregated from it alone, without sorting (0006_report_speed).
Index("ix_ticket_report_scan", Ticket.office_id, Ticket.service_date, Ticket.issued_service_id, Ticket.counter_id,
      Ticket.officer_id, Ticket.status, Ticket.transfer_count, Ticket.waiting_us, Ticket.service_us,
      Ticket.first_call_within, Ticket.estimated_wait_minutes, Ticket.visitor_id, Ticket.guestbook_id,
      Ticket.issued_at)
_MICROSECOND = timedelta(microseconds=1)


@event.listens_for(Ticket, "before_insert")
@event.listens_for(Ticket, "before_update")
def _ticket_report_figures(_mapper, _connection, t: Ticket) -> None:
    """Work out a ticket's report figures from its own times whenever it is written, so reports sum columns.

    The waiting and service times are functions of the row. The verdict of the first call is taken while the
    row still holds that call's deadline: a later call (after a transfer or a return from no-show) or a recall
    moves called_at away from first_called_at, and by then the verdict is already stored.
    """
    t.waiting_us = None if t.first_called_at is None else (t.first_called_at - t.issued_at) // _MICROSECOND
    done = t.status == TicketStatus.done and t.started_at is not None and t.finished_at is not None
    t.service_us = (t.finished_at - t.started_at) // _MICROSECOND if done else None
    if (t.first_call_within is None and t.first_called_at is not None and t.called_at == t.first_called_at
            and t.deadline_at is not None):
        t.first_call_within = t.first_called_at <= t.deadline_at


# ---- Paid-product requests (issue 4): request, lines, documents, invoices, payments, receipts, ratings ----

class RequestState(StrEnum):
    """The states of a paid-product request; rules.requests holds the transitions between them."""
    open = "open"                # lines being taken down (steps 5-6)
    agreed = "agreed"            # the visitor agreed to the sale terms (step 7)
    checked = "checked"          # the document checklist is complete (step 8)
    invoiced = "invoiced"        # invoice issued, waiting for payment (steps 9-10, 12)
    preparing = "preparing"      # the officer prepares the product (step 11)
    ready = "ready"              # the product is ready to hand over
    delivered = "delivered"      # handed over with its download reference (step 15)
    correcting = "correcting"    # the visitor asked for a correction (steps 16-17)
    closed = "closed"            # finished (step 18)
    cancelled = "cancelled"


class InvoiceStatus(StrEnum):
    issued = "issued"
    paid = "paid"
    expired = "expired"
    cancelled = "cancelled"
    replaced = "replaced"


class PaymentStatus(StrEnum):
    recorded = "recorded"        # NTPN typed in; the treasurer has not confirmed it yet
    confirmed = "confirmed"      # the treasurer confirmed the money reached the treasury
    rejected = "rejected"


class YearSequence(SQLModel, table=True):
    """The last number of a kind of document (invoice, receipt, request) per office and year; taken atomically."""

    office_id: int = Field(foreign_key="office.id", primary_key=True)
    kind: str = Field(max_length=16, primary_key=True)
    year: int = Field(primary_key=True)
    last_number: int = 0


class ProductRequest(SQLModel, table=True):
    """A visitor's request for paid statistical products; it outlives the ticket it was opened from."""

    __table_args__ = (UniqueConstraint("office_id", "number"), Index("ix_productrequest_office_state", "office_id", "state"))
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


class RequestLine(SQLModel, table=True):
    """One product on a request, priced from the tariff schedule in force when it was added."""

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    request_id: int = Field(foreign_key="productrequest.id", index=True)
    item_code: str = Field(max_length=32)
    category: str = Field(max_length=24)
    description: str = Field(default="", max_length=300)
    measure: int | None = None        # pages or bytes of one copy/dataset/table; None for per-map items
    quantity: int = 1
    unit: str = Field(max_length=16)
    unit_price: int = 0
    amount: int = 0
    # The pricing rule as data (JSON): screens and documents turn it into a sentence in their language.
    rule: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    schedule: str = Field(default="", max_length=64)   # the tariff schedule (regulation + date) used
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

    __table_args__ = (UniqueConstraint("office_id", "number"), Index("ix_invoice_office_billing", "office_id", "billing_code"))
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
    closed_at: datetime | None = None   # when it became expired, cancelled or replaced
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
    """A visitor's satisfaction survey (SKM, PermenPANRB 14/2017): 9 elements on a 1-4 scale."""

    __table_args__ = (Index("ix_rating_office_at", "office_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    request_id: int = Field(foreign_key="productrequest.id", unique=True)
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


# ---- printing (issue 3): what the print worker learnt about each printer, its lease, the job trail ----

class PrinterState(SQLModel, table=True):
    """A configured printer as the print worker last found it (the supervisor's printer page)."""

    name: str = Field(primary_key=True, max_length=64)
    reachable: bool | None = None      # None: not checked, or a backend that cannot tell (file, none)
    paper: str = Field(default="", max_length=8)   # "ok", "low", "out", or "" where the printer does not say
    online: bool | None = None
    last_error: str = Field(default="", max_length=500)
    checked_at: datetime | None = None
    last_printed_at: datetime | None = None
    last_failed_at: datetime | None = None


class PrintWorkerLease(SQLModel, table=True):
    """Only one print worker sends at a time: the holder renews heartbeat_at; a stale lease may be taken over."""

    id: int = Field(default=1, primary_key=True)
    holder: str = Field(max_length=200)
    started_at: datetime = Field(default_factory=utcnow)
    heartbeat_at: datetime = Field(default_factory=utcnow)


class PrintJobEvent(SQLModel, table=True):
    """The history of a print job: claimed, printed, failed, needs a decision, reprinted, decided (who, when)."""

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    job_id: int = Field(foreign_key="printjob.id", index=True)
    kind: str = Field(max_length=24)
    at: datetime = Field(default_factory=utcnow)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    detail: str = Field(default="", max_length=500)
