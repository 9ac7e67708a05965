"""Shapes of the wall display's endpoint: the public queue snapshot."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Snapshot(BaseModel):
    office: dict[str, Any]
    server_time: str
    day: str
    counters: list[dict[str, Any]]
    services: list[dict[str, Any]]
    last_calls: list[dict[str, Any]]
    complaints: dict[str, Any]
