"""Shapes of the admin endpoints: the office, hours, special days, services, counters, staff, the audit."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class OfficeIn(BaseModel):
    name: str = Field(max_length=200)
    short_name: str = Field(default="", max_length=80)
    address: str = Field(default="", max_length=300)
    service_limit_minutes: int = Field(default=10, ge=0, le=100000)
    box: str = Field(default="", max_length=200)
    box_en: str = Field(default="", max_length=200)
    lapor: str = Field(default="", max_length=200)
    web: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=200)
    whatsapp: str = Field(default="", max_length=200)


class HoursIn(BaseModel):
    """Opening and closing time per ISO weekday (1 = Monday); both empty: closed that day."""

    opens_1: str = Field(default="", max_length=5)
    closes_1: str = Field(default="", max_length=5)
    opens_2: str = Field(default="", max_length=5)
    closes_2: str = Field(default="", max_length=5)
    opens_3: str = Field(default="", max_length=5)
    closes_3: str = Field(default="", max_length=5)
    opens_4: str = Field(default="", max_length=5)
    closes_4: str = Field(default="", max_length=5)
    opens_5: str = Field(default="", max_length=5)
    closes_5: str = Field(default="", max_length=5)
    opens_6: str = Field(default="", max_length=5)
    closes_6: str = Field(default="", max_length=5)
    opens_7: str = Field(default="", max_length=5)
    closes_7: str = Field(default="", max_length=5)
    observe_public_holidays: bool = True
    observe_cuti_bersama: bool = True


class SpecialDayIn(BaseModel):
    day: str = Field(max_length=10, description="YYYY-MM-DD, local")
    closed: bool = True
    opens: str = Field(default="", max_length=5)
    closes: str = Field(default="", max_length=5)
    note: str = Field(default="", max_length=200)
    note_en: str = Field(default="", max_length=200)


class ServiceIn(BaseModel):
    code: str = Field(default="", max_length=32)
    prefix: str = Field(max_length=2)
    name: str = Field(max_length=120)
    name_en: str = Field(default="", max_length=120)
    paid: bool = False
    active: bool = True
    sort_order: int = Field(default=0, ge=0, le=999)


class CounterIn(BaseModel):
    number: int = Field(ge=0, le=1000)
    name: str = Field(default="", max_length=60)
    service_ids: list[int] = Field(default=[], max_length=50)
    printer: str = Field(default="", max_length=64)
    active: bool = True


class StaffIn(BaseModel):
    username: str = Field(max_length=64)
    name: str = Field(max_length=120)
    role: str = Field(max_length=16)


class StaffChange(BaseModel):
    name: str | None = Field(default=None, max_length=120)
    role: str | None = Field(default=None, max_length=16)
    office: str | None = Field(default=None, max_length=8, description="the office's code")
    active: bool | None = None


class Saved(BaseModel):
    ok: bool
    message: str
    id: int | None = None
    item: dict[str, Any] | None = None


class PasswordOut(BaseModel):
    ok: bool
    message: str
    id: int
    username: str
    password: str = Field(description="the temporary password, shown once; it must be changed at the next sign-in")


class AuditOut(BaseModel):
    entries: list[dict[str, Any]]
