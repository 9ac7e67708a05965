"""Shapes of the kiosk's endpoints: services, the guest book and the ticket, the returning-visitor lookup."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from clock import utcnow
from rules import guestbook
from rules.tickets import PRIORITY_REASONS


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


_THIS_YEAR = utcnow().year


def _choice(values: tuple[str, ...], *extra: str):
    """A field limited to the codes the guest book stores."""
    return Literal[(*values, *extra)]


class TicketRequest(BaseModel):
    """The guest book and the service wanted (see rules.guestbook.GuestBookForm for each field's rule; the
    cross-field ones are: an institution name unless an individual, a note for purpose 'other', a valid NPWP
    when one is given; none is required here: it is asked when a private buyer requests a paid product). A returning visitor (e-mail and phone of one record) may leave the name and
    the profile blank: the record's answers are used, never sent back to the kiosk."""

    name: str | None = Field(default=None, min_length=2, max_length=120, description="blank: the record's")
    email: str = Field(max_length=254)
    phone: str = Field(max_length=32, description="an Indonesian mobile number, e.g. 0812 3456 7890")
    gender: _choice(guestbook.GENDERS) | None = Field(default=None, description="L or P")
    birth_year: int | None = Field(
        default=None, ge=_THIS_YEAR - 110, le=_THIS_YEAR - 10, description="the visitor is 10 to 110 years old"
    )
    education: _choice(guestbook.EDUCATION) | None = None
    occupation: _choice(guestbook.OCCUPATIONS) | None = None
    institution_category: _choice(guestbook.INSTITUTION_CATEGORIES) | None = None
    institution_name: str = Field(default="", max_length=200)
    purpose: _choice(guestbook.PURPOSES, guestbook.LAST_PURPOSE) = Field(
        description="'last': a returning visitor's purpose of their last visit (found by e-mail and phone)"
    )
    purpose_note: str = Field(default="", max_length=300)
    service_id: int = Field(ge=1, le=2**63 - 1)
    npwp: str = Field(default="", max_length=32, description="optional; asked at the counter for a paid product")
    priority_reason: _choice(PRIORITY_REASONS, "") = Field(default="")
    consent: Literal[True] = Field(description="the visitor agrees to the use of their data")
    consent_version: str = Field(default="", max_length=32, description="the consent text's version the page showed")


class VisitorLookup(BaseModel):
    """Both are needed: a returning visitor is recognised by e-mail and phone together."""

    email: str = Field(max_length=254)
    phone: str = Field(max_length=32)


class LookupOut(BaseModel):
    """Whether a record has both; nothing else about the person."""

    found: bool
