"""Shapes of the counter's endpoints: its state, an action's answer, pause and transfer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


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
    reason: str = Field(description="break, prayer, meeting, system or other")
    note: str = ""


class TransferRequest(BaseModel):
    service_id: int
