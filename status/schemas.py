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


class BackIn(BaseModel):
    minutes: int = Field(ge=0, le=BACK_IN_MAX_MINUTES, description="0 means: I am back")
