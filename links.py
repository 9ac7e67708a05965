"""Links handed to visitors (QR codes on tickets, status pages): one place builds them."""

from __future__ import annotations

from flask import has_request_context, request

from settings import Settings


def base_url(settings: Settings) -> str:
    """The configured public URL, else the address this request came in on."""
    if settings.app.public_url:
        return settings.app.public_url.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return "http://127.0.0.1:5000"


def ticket_status_url(settings: Settings, token: str) -> str:
    """The visitor's own live status page for a ticket (issue: the visitor's phone)."""
    return f"{base_url(settings)}/s/{token}"
