"""Shapes of the kiosk's endpoints: services, the guest book and the ticket, the returning-visitor lookup."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


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


class VisitorLookup(BaseModel):
    email: str = ""
    phone: str = ""


class Prefill(BaseModel):
    found: bool
    visitor: dict[str, Any] | None = None
