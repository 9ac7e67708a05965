"""Security headers on every response: a Content-Security-Policy whose scripts come only from this server (no
page has an inline script: page data travels in JSON data blocks, which never run), no framing,
no MIME sniffing, no referrer (visitors' links carry tokens), no powerful browser features, and no caching of
anything but static files (pages, JSON, PDFs and CSVs carry personal data)."""

from __future__ import annotations

from flask import Flask, Response, request

from settings import Settings

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), fullscreen=(self)"
)


def page_policy() -> str:
    """The CSP of an HTML page: scripts only from this server, never inline."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            # Style attributes set by scripts (progress bars, positions); no script can come through a style.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "media-src 'self' data: blob:",
            # 'self' covers the page's own ws:// and wss:// (Socket.IO).
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


# Anything that is not a page (JSON, CSV, SVG, ...) runs nothing and loads nothing.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


def _is_static(endpoint: str | None) -> bool:
    """Whether the answer is a static file (which browsers may cache)."""
    return bool(endpoint) and (endpoint == "static" or endpoint.endswith(".static"))


def init_app(app: Flask, settings: Settings) -> None:
    """Register the headers for every response."""
    hsts = settings.secure_cookies

    @app.after_request
    def _security_headers(resp: Response) -> Response:
        """Add the headers to one answer."""
        h = resp.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "no-referrer")
        h.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if resp.mimetype == "text/html":
            h.setdefault("Content-Security-Policy", page_policy())
        elif resp.mimetype != "application/pdf":
            # A PDF opens in the browser's own viewer, which a sandbox would block; it runs no script of ours.
            h.setdefault("Content-Security-Policy", DATA_POLICY)
        if not _is_static(request.endpoint):
            h["Cache-Control"] = "no-store"
            h.setdefault("Pragma", "no-cache")
        if hsts and request.is_secure:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return resp
