"""Shapes of the kiosk's endpoints: services, the guest book and the ticket, the returning-visitor lookup."""

from __future__ import annotations

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

    name: str | None = Field(default=None, description="blank: a returning visitor's record is used")
    email: str
    phone: str
    gender: str | None = Field(default=None, description="L or P")
    birth_year: int | None = None
    education: str | None = None
    occupation: str | None = None
    institution_category: str | None = None
    institution_name: str = ""
    purpose: str
    purpose_note: str = ""
    service_id: int
    npwp: str = ""
    priority_reason: str = Field(default="", description="disability, elderly, pregnant, infant or empty")
    consent: bool
    consent_version: str = Field(default="", description="the consent text's version the page showed")


class VisitorLookup(BaseModel):
    """Both are needed: a returning visitor is recognised by e-mail and phone together."""

    email: str = Field(max_length=254)
    phone: str = Field(max_length=32)


class LookupOut(BaseModel):
    """Whether a record has both; nothing else about the person."""

    found: bool
