"""Shapes of the treasurer's endpoints: payments, printing papers again, the treasurer's lists."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class PaymentIn(BaseModel):
    ntpn: str = Field(description="16 letters and digits")
    paid_at: str = Field(description="when the visitor paid: ISO 8601; without offset it is office time")
    confirm: bool = Field(default=False, description="treasurer only: confirm at once")


class PrintIn(BaseModel):
    station: str = Field(
        default="",
        max_length=64,
        description="a [stations] name (404 when unknown); default: the user's counter, or 'treasurer'",
    )


class PrintOut(BaseModel):
    print_job_id: int


class TreasurerQueue(BaseModel):
    pending_payments: list[dict[str, Any]]
    unreceipted: list[dict[str, Any]]
    open_invoices: list[dict[str, Any]]
    server_time: str = Field(description="the server's clock (ISO 8601): the screen's 'paid at' default follows it")
