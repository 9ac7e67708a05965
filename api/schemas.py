"""Request and response shapes of the JSON API (pydantic), which also make the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Error(BaseModel):
    error: str = Field(description="a stable code, e.g. 'already_called'")
    message: str = Field(description="a sentence for people, in the screen's language")
    fields: dict[str, str] | None = Field(default=None, description="per-field messages for form errors")


class Service(BaseModel):
    id: int
    code: str
    prefix: str
    name: str
    name_en: str
    paid: bool


class ServiceList(BaseModel):
    services: list[Service]
    open: bool
    closed_reason: str = ""
    closed_message: str = ""


class TicketRequest(BaseModel):
    """The guest book and the service wanted (see rules.guestbook.GuestBookForm for each field's rule)."""
    name: str
    email: str
    phone: str
    gender: str = Field(description="L or P")
    birth_year: int
    education: str
    occupation: str
    institution_category: str
    institution_name: str = ""
    purpose: str
    purpose_note: str = ""
    service_id: int
    npwp: str = ""
    priority_reason: str = Field(default="", description="disability, elderly, pregnant, infant or empty")
    consent: bool


class TicketOut(BaseModel):
    id: int
    code: str
    status: str
    priority: bool
    service: dict[str, Any]
    issued_at: str | None
    called_at: str | None
    counter: dict[str, Any] | None
    ahead: int
    estimated_wait_minutes: int | None
    service_limit_minutes: int
    status_token: str | None = None
    status_url: str | None = None
    print_job_id: int | None = None


class VisitorLookup(BaseModel):
    email: str = ""
    phone: str = ""


class Prefill(BaseModel):
    found: bool
    visitor: dict[str, Any] | None = None


class Snapshot(BaseModel):
    office: dict[str, Any]
    server_time: str
    day: str
    counters: list[dict[str, Any]]
    services: list[dict[str, Any]]
    last_calls: list[dict[str, Any]]
    complaints: dict[str, Any]


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class SessionOut(BaseModel):
    csrf_token: str
    user: dict[str, Any] | None


class CounterState(BaseModel):
    counter: dict[str, Any]
    current: dict[str, Any] | None
    waiting: list[dict[str, Any]]
    no_shows: list[dict[str, Any]]
    services: list[dict[str, Any]]
    recalls_before_no_show: int


class TicketAction(BaseModel):
    ticket: dict[str, Any] | None
    counter: dict[str, Any]


class PauseRequest(BaseModel):
    reason: str = Field(description="break, prayer, meeting, system or other")
    note: str = ""


class TransferRequest(BaseModel):
    service_id: int
