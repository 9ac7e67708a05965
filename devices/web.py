"""Which registered device a request comes from: its long-lived token in the `loket_device` cookie.

The server decides a kiosk's office and station from this record; no request header can choose them.
"""

from __future__ import annotations

from flask import Response, request
from sqlmodel import Session

from extensions import get_settings
from models import Device
from rules import devices
from rules.errors import N_, RuleError
from security.limits import DEVICE_COOKIE

# Long-lived: a kiosk stays paired until staff revoke it (the cookie is renewed on every pairing).
COOKIE_DAYS = 5 * 365


class NotPaired(RuleError):
    """A kiosk request from a browser that is not a paired device of this office."""

    status = 403


def current_device(session: Session) -> Device | None:
    """The paired, not revoked device this request comes from, or None."""
    return devices.from_token(session, request.cookies.get(DEVICE_COOKIE, ""))


def require_kiosk(session: Session, office_id: int) -> Device:
    """This request's kiosk, which must be paired with this office; else a clear refusal."""
    device = current_device(session)
    if device is None or device.kind != "kiosk":
        raise NotPaired(
            "device_not_paired",
            N_("This screen is not a paired kiosk. Ask an administrator for a pairing code and open /kiosk/pair."),
        )
    if device.office_id != office_id:
        raise NotPaired("device_other_office", N_("This kiosk is paired with another office."))
    return device


def set_device_cookie(resp: Response, token: str) -> Response:
    """Give the browser its device token (HttpOnly; Secure when the site is served over HTTPS)."""
    resp.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=COOKIE_DAYS * 24 * 3600,
        httponly=True,
        secure=get_settings().secure_cookies,
        samesite="Lax",
        path="/",
    )
    return resp
