"""The walk-in queue: visitors and their guest-book lines, daily numbers, tickets and their history, counter
events, and the report figures each ticket row carries."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from clock import utcnow
from models.common import new_token


class TicketStatus(StrEnum):
    waiting = "waiting"
    called = "called"
    serving = "serving"
    done = "done"
    no_show = "no_show"
    cancelled = "cancelled"


class Visitor(SQLModel, table=True):
    """A person in the guest book. The kiosk recognises a returning visitor only when both the e-mail and the
    phone match, and never changes the identity kept here (name, e-mail, phone, institution, NPWP): staff
    correct or merge it on the rights screen (privacy/). Erased or anonymised: identity blank, erased_at set;
    the coarse profile the reports count (segment, institution category, education, occupation) stays."""

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
    erased_at: datetime | None = None  # identity erased (on request) or anonymised (retention) (0010_privacy)


class GuestBookEntry(SQLModel, table=True):
    """One visit's guest-book line: what the visitor typed on this visit (blank: not typed, the person's record
    was used), why they came, and the consent text (version) they agreed to and when."""

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    visitor_id: int = Field(foreign_key="visitor.id", index=True)
    service_id: int = Field(foreign_key="service.id")
    purpose: str = Field(max_length=32)
    purpose_note: str = Field(default="", max_length=300)
    consent_at: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # As typed on this visit (0010_privacy); the identity part is blanked after [privacy] visit_identity_days.
    name: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=20)
    gender: str = Field(default="", max_length=1)
    birth_year: int | None = None
    education: str = Field(default="", max_length=32)
    occupation: str = Field(default="", max_length=32)
    institution_category: str = Field(default="", max_length=32)
    institution_name: str = Field(default="", max_length=200)
    consent_version: str = Field(default="", max_length=32)
    identity_erased_at: datetime | None = None


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


# ---- supervisor reports (migration 0004_reports) -------------------------------------------------------
# Declared here so the metadata matches the database; see migrations/versions/0004_reports.py for why.
Index("ix_ticket_report_counter", Ticket.office_id, Ticket.counter_id, Ticket.service_date)
Index("ix_ticket_report_officer", Ticket.office_id, Ticket.officer_id, Ticket.service_date)
Index("ix_ticketevent_office_kind_at", TicketEvent.office_id, TicketEvent.kind, TicketEvent.at)
# One index holds every column a report reads of a ticket, in the order the report groups them (day, service,
# counter, officer): a year of tickets is read and aggregated from it alone, without sorting (0006_report_speed).
Index(
    "ix_ticket_report_scan",
    Ticket.office_id,
    Ticket.service_date,
    Ticket.issued_service_id,
    Ticket.counter_id,
    Ticket.officer_id,
    Ticket.status,
    Ticket.transfer_count,
    Ticket.waiting_us,
    Ticket.service_us,
    Ticket.first_call_within,
    Ticket.estimated_wait_minutes,
    Ticket.visitor_id,
    Ticket.guestbook_id,
    Ticket.issued_at,
)
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
    if (
        t.first_call_within is None
        and t.first_called_at is not None
        and t.called_at == t.first_called_at
        and t.deadline_at is not None
    ):
        t.first_call_within = t.first_called_at <= t.deadline_at
