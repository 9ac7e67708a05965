"""What guards every public edge of the web app: response headers (CSP, framing,
caching), rate limits, input guards (ids in range, control characters, JSON bodies), cookies, the proxy in front,
the Socket.IO origin check, and the checks the production start runs. docs/SECURITY.md says what each is for.

`init_app(app)` is called by create_app after the screens are registered (the limits wrap their views).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from security import headers, inputs, limits
from settings import Settings


def configure(app: Flask, settings: Settings) -> None:
    """Cookie flags and the integer converter, before any blueprint is registered."""
    sec = settings.security
    app.config.update(
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="loket_session",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        # The cookie's own lifetime; the server-side session record decides (rules/sessions.py).
        PERMANENT_SESSION_LIFETIME=timedelta(hours=sec.session_absolute_hours),
    )
    inputs.bound_integers(app)
    if sec.trusted_proxies:
        n = sec.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)


def init_app(app: Flask, settings: Settings) -> None:
    """Headers, input guards and rate limits for every route of this app."""
    headers.init_app(app, settings)
    inputs.init_app(app)
    limits.init_app(app, settings)


def guard_sockets(server) -> None:
    """Close connections that send what is not the Socket.IO protocol, without a traceback (security/sockets.py)."""
    from security.sockets import guard_packets

    guard_packets(server)


def socketio_origins(settings: Settings):
    """Flask-SocketIO's origin check: the configured public URL(s); without one, the page's own origin.

    A browser always sends Origin with a websocket or a cross-origin request; a script without one (a kiosk's
    test client, the benchmark) is not a browser page another site could have opened."""
    allowed = set(settings.origins)

    def check(origin: str | None, environ: dict | None = None) -> bool:
        """Whether a page of this origin may connect."""
        if not origin:
            return True
        if allowed:
            return origin in allowed
        env = environ or {}
        host = env.get("HTTP_HOST", "")
        return bool(host) and origin == f"{env.get('wsgi.url_scheme', 'http')}://{host}"

    return check
