"""Signing in, for the page and the API alike: the throttle first (per account and per address), then the
password; every try recorded. A refusal says what to do and, when waiting helps, for how long."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import ngettext

from auth.roles import client_address
from extensions import get_db, get_settings
from models import User
from rules import signin, users
from rules.errors import RuleError
from rules.users import authenticate

log = logging.getLogger("auth")


@dataclass
class Outcome:
    """A sign-in's result: the user, or a refusal with its HTTP status and Retry-After seconds."""

    user: User | None = None
    error: str = ""
    message: str = ""
    status: int = 200
    retry_after: int = 0


def policy() -> signin.Policy:
    """The throttle's thresholds from config.toml [security]."""
    sec = get_settings().security
    return signin.Policy(
        delay_after=sec.signin_delay_after,
        lockout_after=sec.signin_lockout_after,
        address_lockout_after=sec.signin_address_lockout_after,
        lockout=timedelta(minutes=sec.signin_lockout_minutes),
    )


def _wait_message(v: signin.Verdict) -> str:
    """The refusal's sentence: how long to wait, or that the account or address is locked."""
    if v.reason == "locked":
        minutes = max(1, (v.wait_seconds + 59) // 60)
        if v.scope == "account":
            return ngettext(
                "This account is locked for %(num)s minute after too many failed sign-ins. Try again later or "
                "ask an administrator to reset the password.",
                "This account is locked for %(num)s minutes after too many failed sign-ins. Try again later or "
                "ask an administrator to reset the password.",
                minutes,
            )
        return ngettext(
            "Too many failed sign-ins from this device. Try again in %(num)s minute.",
            "Too many failed sign-ins from this device. Try again in %(num)s minutes.",
            minutes,
        )
    return ngettext(
        "Too many failed sign-ins. Wait %(num)s second and try again.",
        "Too many failed sign-ins. Wait %(num)s seconds and try again.",
        v.wait_seconds,
    )


def attempt(username: str, password: str) -> Outcome:
    """Try to sign in: refused early while throttled, else the password decides; the try is recorded."""
    address = client_address()
    with get_db().write() as s:
        verdict = signin.verdict(s, username=username, address=address, policy=policy())
        if not verdict.allowed:
            signin.record(s, username=username, address=address, outcome="throttled")
    if not verdict.allowed:
        log.warning("sign-in refused for %r from %s: %s (%s)", username, address, verdict.reason, verdict.scope)
        return Outcome(
            error="locked" if verdict.reason == "locked" else "throttled",
            message=_wait_message(verdict),
            status=429,
            retry_after=verdict.wait_seconds,
        )
    with get_db().read() as s:
        user = authenticate(s, username, password)
    with get_db().write() as s:
        signin.record(s, username=username, address=address, outcome="ok" if user else "failed")
    if user is None:
        log.info("failed sign-in for %r from %s", username, address)
        return Outcome(error="bad_credentials", message=_("Wrong username or password."), status=401)
    return Outcome(user=user)


def change_password(user_id: int, current: str, new: str) -> Outcome:
    """A signed-in user changes their own password. A wrong current password counts as a failed sign-in (the
    same throttle), so a stolen session cannot guess its way to the password. Rule refusals are raised."""
    address = client_address()
    with get_db().write() as s:
        username = s.get(User, user_id).username
        verdict = signin.verdict(s, username=username, address=address, policy=policy())
        if not verdict.allowed:
            signin.record(s, username=username, address=address, outcome="throttled")
    if not verdict.allowed:
        return Outcome(error="throttled", message=_wait_message(verdict), status=429, retry_after=verdict.wait_seconds)
    try:
        with get_db().write() as s:
            user = s.get(User, user_id)
            users.change_own_password(
                s, user, current=current, new=new, min_length=get_settings().security.min_password_length
            )
    except RuleError as e:
        if e.code == "wrong_password":
            with get_db().write() as s:
                signin.record(s, username=username, address=address, outcome="failed")
        raise
    return Outcome(user=user)
