"""Shapes of the online channel's JSON endpoints."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from spectree.model_adapter.pydantic_adapter import BaseFile


class OnlineRequestIn(BaseModel):
    """The public page's request: the guest book, the products with their fields, the abstract, the terms."""

    visitor: dict[str, Any] = Field(description="the guest-book fields (as on the kiosk; phone may be +country)")
    lines: list[dict[str, Any]] = Field(description="item_code, measure, quantity, description (which data)")
    abstract: str = Field(default="", max_length=2000, description="how the data will be used (microdata, maps)")
    accept_terms: bool = Field(description="the sale terms (format, cost, electronic media) accepted")
    language: str = Field(default="id", description="e-mails in: id | en")


class OnlineRequestOut(BaseModel):
    number: str
    message: str


class OnlineVisitorOut(BaseModel):
    """A request without a ticket as its visitor sees it (see phone.api.visitor_json), with its uploads."""

    number: str
    state: str
    email_confirmed: bool
    uploads: list[dict[str, Any]]
    can_upload: list[str]

    model_config = {"extra": "allow"}


class UploadForm(BaseModel):
    """The visitor's file (multipart/form-data, field 'file'): a PDF, or for a transfer proof also a JPEG or PNG;
    its type is read from its bytes, and it must open (see rules/uploads.py)."""

    file: BaseFile
