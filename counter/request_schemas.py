"""Shapes of the counter's request endpoints: tariffs, a request, its lines, documents, invoice and delivery."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class RequestOut(BaseModel):
    """A request as the counter and treasurer screens show it (see rules.requests.staff_view)."""

    id: int
    number: str
    state: str
    state_label: str
    total: int
    lines: list[dict[str, Any]]
    checklist: list[dict[str, Any]]
    invoices: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    receipts: list[dict[str, Any]]
    allowed: list[str]
    actions: dict[str, str]
    steps: list[dict[str, Any]] = Field(
        default=[],
        description="the allowed steps as buttons, in the order they "
        "normally come: name, label (a command), rare (replace/revise/cancel: last)",
    )
    history: list[dict[str, Any]]
    visitor: dict[str, Any]
    links: dict[str, str]

    model_config = {"extra": "allow"}


class RequestList(BaseModel):
    requests: list[dict[str, Any]]
    can_open: bool | None = Field(default=None, description="whether a new request may be opened for this ticket")


class OpenRequest(BaseModel):
    ticket_id: int


class LineIn(BaseModel):
    item_code: str = Field(description="a product code of the tariff schedule, e.g. microdata_raw")
    measure: int | None = Field(default=None, description="pages (publication) or bytes (microdata) of one unit")
    quantity: int = 1
    description: str = Field(default="", max_length=300)


class Quote(BaseModel):
    item_code: str = Field(max_length=64, description="a product code of the tariff sheet (404 when unknown)")
    measure: int | None = Field(
        default=None, ge=0, le=10**13, description="pages or bytes, for products priced by size"
    )
    quantity: int = Field(default=1, ge=1, le=1000)


class QuoteOut(BaseModel):
    item_code: str
    unit_price: int
    amount: int
    rule: str
    schedule: str


class ZeroTariffIn(BaseModel):
    use: str = Field(
        description="government_duties, research_development, community_empowerment or international_commitment"
    )
    letter_ref: str = Field(default="", max_length=120, description="the request letter's number")


class DocumentIn(BaseModel):
    received: bool
    note: str = Field(default="", max_length=300)
    npwp: str = Field(default="", max_length=32, description="for kind npwp: the number shown (checked, kept)")


class BillingIn(BaseModel):
    billing_code: str = Field(description="15 digits beginning with 7, 8 or 9 (SIMPONI)")
    reason: str = Field(default="", max_length=300)
    print: bool = Field(default=True, description="queue the thermal slip at this counter's printer")


class NoteIn(BaseModel):
    note: str = Field(default="", max_length=300)
    how: str = Field(default="counter", description="a signed SPPD: counter (handed over) | post (received by post)")


class DeliverIn(BaseModel):
    download_ref: str = Field(max_length=500)


class ResolveIn(BaseModel):
    result: str = Field(max_length=1000)
    download_ref: str = Field(default="", max_length=500)
    shipped: bool = Field(default=False, description="a corrected hard copy posted at the office's cost (note 2)")


class TariffSheet(BaseModel):
    id: str
    regulation: str
    regulation_short: str
    effective_from: str
    items: list[dict[str, Any]]
    zero_tariff: dict[str, Any]
    partial_blocks: str
    source: str
