"""Request and response shapes of the printing API (pydantic; they make the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class PrintJobPublic(BaseModel):
    """What anyone may know about a print job: its state, never its content."""

    id: int
    kind: str
    status: str = Field(description="queued, sending, printed, failed (retrying), needs_decision, cancelled")
    attempts: int
    retrying: bool = Field(description="the printer failed and the job will be tried again")
    message: str = Field(description="a sentence for the screen that asked, in its language")
    can_retry: bool = Field(description="the kiosk may offer a reprint button")
    action_label: str = ""


class KioskRetry(BaseModel):
    token: str = Field(description="the ticket's status token (from the ticket response)", max_length=64)


class Decision(BaseModel):
    action: Literal["reprint", "printed", "cancel"]


class PrinterStateOut(BaseModel):
    name: str
    label: str
    backend: str
    where: str
    paper_mm: int | None
    profile: str
    stations: list[str]
    reachable: bool | None
    online: bool | None
    paper: str
    last_error: str
    checked_at: str | None
    last_printed_at: str | None
    queue: int
    failing: int
    needs_decision: int
    state: str


class PrinterList(BaseModel):
    printers: list[PrinterStateOut]


class StaffJob(BaseModel):
    id: int
    kind: str
    station: str
    status: str
    attempts: int
    last_error: str
    created_at: str | None
    printed_at: str | None
    next_attempt_at: str | None


class JobList(BaseModel):
    jobs: list[StaffJob]
