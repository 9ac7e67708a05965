"""Request and response shapes of the printing API (pydantic; they make the OpenAPI document)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class PrintJobPublic(BaseModel):
    """What anyone may know about a print job: its state, never its content."""

    id: int
    kind: str
    status: str = Field(
        description="queued, sending, printed, failed (retrying), unconfirmed (sent, the printer did not confirm"
        " it), needs_decision (interrupted mid-send), cancelled"
    )
    attempts: int
    retrying: bool = Field(description="the printer failed and the job will be tried again")
    message: str = Field(description="a sentence for the screen that asked, in its language")
    can_retry: bool = Field(description="the kiosk may offer a reprint button")
    action_label: str = ""


class KioskRetry(BaseModel):
    token: str = Field(description="the ticket's status token (from the ticket response)", max_length=64)


class Decision(BaseModel):
    """On a job that may or may not be on paper: print it again, it came out (printed), or cancel it."""

    action: Literal["reprint", "printed", "cancel"]


class PrinterStateOut(BaseModel):
    name: str
    label: str
    label_en: str = ""
    backend: str
    where: str
    paper_mm: int | None
    dots: int | None = Field(description="printable dots per line")
    columns: int | None = Field(description="characters per line in font A, as the slips are laid out")
    profile: str
    stations: list[str]
    reachable: bool | None
    responding: bool | None = Field(description="false: takes the connection but does not answer (hung)")
    online: bool | None
    paper: str
    condition: str = Field(description="ready, paper_low, paper_out, offline, hung, unreachable, unknown, none")
    last_error: str
    checked_at: str | None
    failing_since: str | None = Field(description="when the current outage began")
    last_printed_at: str | None
    queue: int
    failing: int
    needs_decision: int = Field(description="jobs waiting for a person: interrupted or unconfirmed")
    unconfirmed: int = Field(description="jobs sent that the printer did not confirm")
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
