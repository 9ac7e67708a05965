"""Personal data (UU 27/2022 PDP): who read whose data, the rights actions taken for a person, the daily purge's
run and the attempt counters that slow down guessing at public endpoints.

None of these rows holds a visitor's name, e-mail or phone: a person is named by the visitor id only, and a
rights action stores which fields changed, never their values (docs/PRIVACY.md).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from clock import utcnow


class AccessLog(SQLModel, table=True):
    """One staff read of personal data: who, when, what kind of read, about whom. No payload."""

    __table_args__ = (
        Index("ix_accesslog_office_at", "office_id", "at"),
        Index("ix_accesslog_visitor_at", "visitor_id", "at"),
        Index("ix_accesslog_user_at", "user_id", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    at: datetime = Field(default_factory=utcnow)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    # request, search, ticket_requests, pdf, treasurer_list, person, person_search, export
    kind: str = Field(max_length=24)
    visitor_id: int | None = Field(default=None, foreign_key="visitor.id")
    # What was read, by id: "request:12", "invoice:4", "receipt:2" (never a name or a search text).
    ref: str = Field(default="", max_length=64)


class PrivacyAction(SQLModel, table=True):
    """A rights action on a person's data, or the retention job's: who, when, why, and what it touched."""

    __table_args__ = (Index("ix_privacyaction_visitor_at", "visitor_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    visitor_id: int | None = Field(default=None, foreign_key="visitor.id")
    # export, correct, merge, erase, retention
    kind: str = Field(max_length=24)
    at: datetime = Field(default_factory=utcnow)
    user_id: int | None = Field(default=None, foreign_key="user.id")  # None: the retention job
    reason: str = Field(default="", max_length=500)
    # JSON: the fields corrected (names only), the rows and files erased or kept per table.
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))


class ScheduledRun(SQLModel, table=True):
    """The last run of a daily job (the personal-data purge): a process claims a day with a compare-and-set, so
    of several server processes one runs it."""

    name: str = Field(primary_key=True, max_length=32)
    day: date | None = None  # the office day last claimed
    holder: str = Field(default="", max_length=200)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class Throttle(SQLModel, table=True):
    """Attempts per key in the current window (a kiosk's look-ups, a request's paper unlocks)."""

    key: str = Field(primary_key=True, max_length=128)
    window_start: datetime = Field(default_factory=utcnow)
    count: int = 0
    blocked_until: datetime | None = None
