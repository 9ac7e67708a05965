"""Shapes of the status page's small JSON endpoints (they appear in /api/openapi.json under 'visitor')."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from rules.tickets import BACK_IN_MAX_MINUTES


class VisitorState(BaseModel):
    code: str
    status: str = Field(description="waiting, called, serving, done, no_show, cancelled or day_over")
    priority: bool
    service: dict[str, Any]
    ahead: int | None = Field(description="waiting tickets of the same queue called before this one")
    estimated_wait_minutes: int | None
    service_limit_minutes: int
    deadline_at: str | None = Field(description="the latest time the visitor should be called, once the clock runs")
    counter: dict[str, Any] | None
    called_at: str | None
    recall: int
    back_in_minutes: int | None
    back_until: str | None
    can_cancel: bool
    can_step_out: bool
    server_time: str
    request: dict[str, Any] | None = None
    rating: str | None = Field(default=None, description="the survey of a visit without a paid request, once done")


class BackIn(BaseModel):
    minutes: int = Field(ge=0, le=BACK_IN_MAX_MINUTES, description="0 means: I am back")


class VisitorRequestOut(BaseModel):
    number: str
    state: str
    progress: str = Field(
        description="where it stands for the visitor: the state, or awaiting_payment, payment_recorded, paid, "
        "receipted, ready once invoiced"
    )
    state_label: str
    total: int
    lines: list[dict[str, Any]]
    invoices: list[dict[str, Any]]
    receipts: list[dict[str, Any]]
    history: list[dict[str, Any]]
    download_ref: str
    can_ask_correction: bool
    can_rate: bool
    links: dict[str, str]
    papers_open: bool = Field(description="whether this browser may download the PDFs now")
    agreements: list[dict[str, str]] = Field(
        default=[], description="the SPPD (sppd) and the data-sample handover (sample) to sign, as PDFs"
    )
    papers_unlock: str = Field(description="POST the last 4 phone digits here to open the PDFs")


class PapersIn(BaseModel):
    digits: str = Field(max_length=8, description="the last 4 digits of the phone number given at the kiosk")


class PapersOut(BaseModel):
    ok: bool


class RatingForm(BaseModel):
    number: str
    kind: str = Field(description="request (a paid-product request) or visit (a ticket without one)")
    office: str
    can_rate: bool
    rated: bool
    elements: list[dict[str, str]]
    scale: list[dict[str, Any]]


class RatingIn(BaseModel):
    u1: int
    u2: int
    u3: int
    u4: int
    u5: int
    u6: int
    u7: int
    u8: int
    u9: int
    comment: str = Field(default="", max_length=1000)
    channel: str = Field(default="", description="counter or phone")


class RatingOut(BaseModel):
    ok: bool
    message: str
