"""Shapes of the rights screen's endpoints: finding a person, their record, a correction, a merge, an erasure, the
access log."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class PersonBrief(BaseModel):
    id: int
    name: str
    email: str
    phone: str
    institution_name: str
    erased: bool
    updated_at: str | None


class PeopleOut(BaseModel):
    people: list[PersonBrief]


class RecordOut(BaseModel):
    """Everything held about a person: the record, each table's rows (every column), files, erasure blockers."""

    person: dict[str, Any]
    tables: list[dict[str, Any]]
    files: list[dict[str, Any]]
    blockers: list[str]
    actions: list[dict[str, Any]]


class ReasonField(BaseModel):
    reason: str = Field(max_length=500, description="why: whose request, how it came (recorded with the action)")


class CorrectIn(ReasonField):
    """The fields to correct (others left out); values as the guest book stores them."""

    name: str | None = Field(default=None, max_length=120)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    gender: str | None = Field(default=None, max_length=1)
    birth_year: int | str | None = None
    education: str | None = Field(default=None, max_length=32)
    occupation: str | None = Field(default=None, max_length=32)
    institution_category: str | None = Field(default=None, max_length=32)
    institution_name: str | None = Field(default=None, max_length=200)
    npwp: str | None = Field(default=None, max_length=24)


class MergeIn(ReasonField):
    other_id: int = Field(description="the other record of the same person; its rows move here and it goes")


class EraseIn(ReasonField):
    confirm: bool = Field(description="true: the supervisor read what goes and what stays")


class ActionDone(BaseModel):
    ok: bool
    action_id: int
    message: str


class AccessRow(BaseModel):
    at: str
    user: str
    username: str
    kind: str
    kind_label: str
    visitor_id: int | None
    person: str
    ref: str


class AccessOut(BaseModel):
    entries: list[AccessRow]
