"""Shapes of the counter's endpoints: its state, an action's answer, pause and transfer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rules.counters import PAUSE_REASONS


class CounterState(BaseModel):
    counter: dict[str, Any]
    current: dict[str, Any] | None
    waiting: list[dict[str, Any]]
    no_shows: list[dict[str, Any]]
    services: list[dict[str, Any]]
    recalls_before_no_show: int
    server_time: str | None = Field(default=None, description="the server's time: the screen's clocks follow it")


class TicketAction(BaseModel):
    ticket: dict[str, Any] | None
    counter: dict[str, Any]


class PauseRequest(BaseModel):
    """Why the counter pauses; 'other' needs a note that says why."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"properties": {"reason": {"enum": [r for r in PAUSE_REASONS if r != "other"]}}},
                {"properties": {"note": {"pattern": "[^\\s]"}}, "required": ["note"]},
            ]
        }
    )
    reason: Literal[PAUSE_REASONS] = Field(description="break, prayer, meeting, system or other")
    note: str = Field(default="", max_length=200)


class TransferRequest(BaseModel):
    service_id: int
