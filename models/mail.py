"""E-mail: the durable outbox (one row per message, written in the same transaction as the change that sends it),
its attachments, and the mail worker's lease (one worker sends at a time)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from clock import utcnow


class MailStatus(StrEnum):
    queued = "queued"  # waiting for the worker (or for its next retry: see next_attempt_at)
    sending = "sending"  # claimed by the worker, being handed to the SMTP server
    sent = "sent"  # the SMTP server accepted it
    failed = "failed"  # not accepted (server down, temporary refusal): retried with backoff
    refused = "refused"  # refused for good (e.g. no such mailbox): the supervisor decides
    needs_decision = "needs_decision"  # interrupted mid-send: may or may not have gone out; never resent alone
    cancelled = "cancelled"


class MailMessage(SQLModel, table=True):
    """One e-mail to a visitor, rendered when it was queued (subject, text) in the visitor's language."""

    __table_args__ = (Index("ix_mailmessage_due", "status", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="productrequest.id", index=True)
    kind: str = Field(max_length=32)
    to_addr: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    language: str = Field(default="id", max_length=5)
    # The Message-ID header, fixed when queued: a message handed over twice is recognisable as one.
    message_id: str = Field(max_length=200, unique=True)
    status: str = Field(default=MailStatus.queued, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sending_at: datetime | None = None
    sent_at: datetime | None = None
    decided_by: int | None = Field(default=None, foreign_key="user.id")


class MailAttachment(SQLModel, table=True):
    """A file sent with a message (an invoice or receipt PDF), frozen when the message was queued."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="mailmessage.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class MailWorkerLease(SQLModel, table=True):
    """Only one mail worker sends at a time: the holder renews heartbeat_at; a stale lease may be taken over."""

    id: int = Field(default=1, primary_key=True)
    holder: str = Field(max_length=200)
    started_at: datetime = Field(default_factory=utcnow)
    heartbeat_at: datetime = Field(default_factory=utcnow)
