"""Shapes of the device endpoints: a pairing code to make, the code made, a device as staff see it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from rules.text import LINE_PATTERN, one_line


class PairingIn(BaseModel):
    kind: Literal["kiosk", "display"] = "kiosk"
    station: str = Field(
        default="",
        max_length=64,
        description="a [stations] name of config.toml (kiosks; 404 when unknown)",
        json_schema_extra={"pattern": LINE_PATTERN},
    )
    label: str = Field(default="", max_length=80, json_schema_extra={"pattern": LINE_PATTERN})

    _one_line = field_validator("station", "label")(one_line)


class DeviceOut(BaseModel):
    id: int
    kind: str
    label: str
    station: str
    paired_at: str | None
    last_seen_at: str | None
    revoked_at: str | None


class PairingOut(BaseModel):
    device: DeviceOut
    code: str = Field(description="the one-time pairing code, shown once (type it on the device at /kiosk/pair)")
    expires_at: str


class DeviceList(BaseModel):
    devices: list[DeviceOut]
