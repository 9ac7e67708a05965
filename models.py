"""The tables of Loket (SQLModel). Every office-owned row carries office_id; times are aware UTC."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
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
        UniqueConstraint("office_id", "service_id", "service_date", "number"),
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
Index("ix_ticket_report_service", Ticket.office_id, Ticket.issued_service_id, Ticket.service_date)
Index("ix_ticket_report_counter", Ticket.office_id, Ticket.counter_id, Ticket.service_date)
Index("ix_ticket_report_officer", Ticket.office_id, Ticket.officer_id, Ticket.service_date)
Index("ix_ticketevent_office_kind_at", TicketEvent.office_id, TicketEvent.kind, TicketEvent.at)
