"""Printing: the durable print queue, what the worker learnt of each printer, its lease, the job trail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from clock import utcnow


class PrintJobStatus(StrEnum):
    queued = "queued"  # waiting for the worker (or for its next retry)
    sending = "sending"  # the worker has claimed it and is sending bytes
    printed = "printed"
    failed = "failed"  # retrying with backoff; see last_error
    needs_decision = "needs_decision"  # interrupted mid-send: an officer decides reprint or not
    unconfirmed = "unconfirmed"  # sent, but the printer did not confirm it: an officer decides reprint or not
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


class PrinterState(SQLModel, table=True):
    """A configured printer as the print worker last found it (the supervisor's printer page)."""

    name: str = Field(primary_key=True, max_length=64)
    reachable: bool | None = None  # None: not checked, or a backend that cannot tell (file, none)
    paper: str = Field(default="", max_length=8)  # "ok", "low", "out", or "" where the printer does not say
    online: bool | None = None
    # False: it takes the connection but does not answer the status query (hung); None: not asked.
    responding: bool | None = None
    # When the current outage began (None while it prints): the supervisor sees how long it has been down.
    failing_since: datetime | None = None
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
