"""The office and how it is set up: services (queues), counters, the services each serves, staff accounts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from clock import utcnow


class Role(StrEnum):
    officer = "officer"
    treasurer = "treasurer"
    supervisor = "supervisor"
    admin = "admin"


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
    # The fingerprint of the config.toml sections this office was last brought in line with
    # (Settings.office_fingerprint): a restart with the same file skips the sync without loading the app.
    config_sha: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    # Set up in the browser (admin/), seeded from config.toml: the complaint channels ({"box": {"id", "en"}, ...}),
    # the opening hours per ISO weekday ({"1": ["08:00", "15:30"], ...}) and which holidays close the office.
    # Empty JSON: config.toml's values hold (an office synced before these columns existed).
    complaints_json: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    hours_json: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    observe_public_holidays: bool = True
    observe_cuti_bersama: bool = True
    # Raised by every change of the office's set-up: each server process lays the office's values over its
    # settings again when it sees a new number (rules/office_setup.py).
    setup_version: int = 0


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
    # Set by an administrator's reset: the user must choose a new password before anything else.
    must_change_password: bool = False
    password_changed_at: datetime | None = None


class SpecialDay(SQLModel, table=True):
    """A day the office does not keep its usual hours: closed (a closure) or open for shortened hours, with a
    note in Indonesian and English. The kiosk (rules.opening) and the working-day clock read it."""

    __table_args__ = (UniqueConstraint("office_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    day: date
    closed: bool = True
    opens: str = Field(default="", max_length=5)  # "HH:MM" when open for shortened hours
    closes: str = Field(default="", max_length=5)
    note: str = Field(default="", max_length=200)  # Indonesian
    note_en: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """One change of the office's set-up made in the browser or by a command: who, when, what, before, after.

    Holds staff names (who changed what, a staff account's name and role) and the set-up's values, never a
    visitor's data (rules/personal_registry.py)."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_office_at", "office_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id")
    at: datetime = Field(default_factory=utcnow)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    username: str = Field(default="", max_length=64)  # kept as it was then (a command: "manage.py")
    # service, counter, office, hours, special_day, user, device, config
    entity: str = Field(max_length=24)
    entity_id: int | None = None
    # created, changed, deactivated, activated, removed, password_reset, imported
    action: str = Field(max_length=24)
    summary: str = Field(default="", max_length=200)  # what it is: "service K", "counter 4", "user budi"
    before: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    after: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
