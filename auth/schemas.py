"""Shapes of the sign-in and account endpoints."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from rules.passwords import MIN_LENGTH
from rules.text import LINE_PATTERN, one_line


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64, json_schema_extra={"pattern": LINE_PATTERN})
    password: str = Field(min_length=1, max_length=200)

    _one_line = field_validator("username")(one_line)


class UserOut(BaseModel):
    id: int
    username: str
    name: str
    role: str
    must_change_password: bool = False


class SessionOut(BaseModel):
    csrf_token: str
    user: UserOut | None
    demo: bool = Field(default=False, description="the demo of ./start.sh (LOKET_DEMO=1): not for real use")


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(
        min_length=MIN_LENGTH,
        max_length=200,
        description="at least security.min_password_length characters, not common or easy to guess, without the "
        "username or office name (400 weak_password)",
    )


class PasswordReset(BaseModel):
    password: str = Field(
        default="", max_length=200, description="the temporary password; empty: one is generated and returned once"
    )


class PasswordResetOut(BaseModel):
    user: UserOut
    temporary_password: str = Field(description="shown once; the user must change it at the next sign-in")


class ActiveIn(BaseModel):
    active: bool


class Ok(BaseModel):
    ok: bool
