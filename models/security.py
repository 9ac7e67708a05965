"""Security records: staff sessions held on the server, sign-in attempts, and the registered kiosks and displays."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from clock import utcnow


class StaffSession(SQLModel, table=True):
    """A signed-in browser: the signed cookie names this row, so ending the row ends the session."""

    __tablename__ = "staff_session"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    # sha256 of the secret half of the cookie's session token; the secret itself is never stored.
    token_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    # logout, password_changed, password_reset, deactivated, idle, expired
    end_reason: str = Field(default="", max_length=32)
    user_agent: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=45)


class SignInAttempt(SQLModel, table=True):
    """One try to sign in (or a reset that clears an account's failures): the throttle counts these."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (
        Index("ix_sign_in_attempt_username_at", "username", "at"),
        Index("ix_sign_in_attempt_address_at", "address", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    username: str = Field(max_length=64)
    address: str = Field(default="", max_length=45)
    # ok, failed, throttled (refused before the password was checked), reset (an admin's reset clears failures)
    outcome: str = Field(max_length=16)


class DeviceKind(StrEnum):
    kiosk = "kiosk"
    display = "display"


class Device(SQLModel, table=True):
    """A kiosk or wall display registered by staff: a one-time pairing code, then a long-lived device token."""

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    kind: str = Field(max_length=16)
    label: str = Field(default="", max_length=80)
    # The [stations] name whose printer its paper goes to (kiosk-1, ...).
    station: str = Field(default="", max_length=64)
    # sha256 of the pairing code while it is unused, and when it stops working.
    pairing_code_hash: str | None = Field(default=None, max_length=64, unique=True)
    pairing_expires_at: datetime | None = None
    # sha256 of the device token's secret half, set when the device pairs.
    token_hash: str | None = Field(default=None, max_length=64)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    paired_at: datetime | None = None
    last_seen_at: datetime | None = None
    revoked_at: datetime | None = None
