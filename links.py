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


def verify_url(settings: Settings, token: str) -> str:
    """The check of a printed invoice or receipt (the QR code on the paper)."""
    return f"{base_url(settings)}/verify/{token}"


def request_links(settings: Settings, req) -> dict[str, str]:
    """The visitor's links of a paid-product request (unguessable tokens): status, correction, rating."""
    root = base_url(settings)
    return {
        "status": f"{root}/api/visitor/requests/{req.visitor_token}",
        "correction": f"{root}/api/visitor/requests/{req.visitor_token}/correction",
        "rating": f"{root}/rate/{req.rating_token}",
    }
