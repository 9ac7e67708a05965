"""Shapes several screens' JSON endpoints share: the error answer, and a step taken on a paid-product request."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from rules.text import REASON_MIN, REASON_PATTERN


class Error(BaseModel):
    error: str = Field(description="a stable code, e.g. 'already_called'")
    message: str = Field(description="a sentence for people, in the screen's language")
    fields: dict[str, str] | None = Field(default=None, description="per-field messages for form errors")


ERRORS = {"HTTP_400": Error, "HTTP_404": Error, "HTTP_409": Error}
STAFF_ERRORS = {**ERRORS, "HTTP_401": Error, "HTTP_403": Error}


class ActionOut(BaseModel):
    """The request after a step, and what the step made."""

    request: dict[str, Any]
    invoice: dict[str, Any] | None = None
    payment: dict[str, Any] | None = None
    receipt: dict[str, Any] | None = None
    print_job_id: int | None = None


class ReasonIn(BaseModel):
    reason: str = Field(
        max_length=300,
        description=f"at least {REASON_MIN} characters once trimmed (shorter: 400 no_reason)",
        json_schema_extra={"pattern": REASON_PATTERN},
    )


class TextIn(BaseModel):
    text: str = Field(max_length=1000)


class TicketOut(BaseModel):
    """A ticket as its visitor may see it (the kiosk after issuing it, the phone's status link)."""

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
