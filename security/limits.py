"""Rate limits on the public edges (Flask-Limiter): tickets and visitor lookups per kiosk, the visitors' pages and
the pairing page per address, sign-in requests per address. Over the limit: 429 with Retry-After.

The counts live in memory for one process, or in the message queue's Redis when one is configured (every
process of a deployment then shares them); `security.rate_limit_storage` overrides both. The rates are settings
([security] rate_*), so the load benchmark can let its kiosks issue hundreds of tickets a second.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter

from settings import Settings

DEVICE_COOKIE = "loket_device"
# endpoint -> (the [security] setting with its rate, how requests are told apart)
DEVICE = "device"
ADDRESS = "address"
LIMITED = {
    "kiosk_api.issue_ticket": ("rate_ticket", DEVICE),
    "kiosk_api.lookup_visitor": ("rate_ticket", DEVICE),
    "printer.kiosk_retry": ("rate_public", DEVICE),
    "kiosk_api.list_services": ("rate_public", ADDRESS),
    "display_api.queue_snapshot": ("rate_public", ADDRESS),
    "devices.pair": ("rate_signin", ADDRESS),
    "auth.login": ("rate_signin", ADDRESS),
    "auth_api.api_login": ("rate_signin", ADDRESS),
    "verify.verify": ("rate_public", ADDRESS),
    "rating.rate": ("rate_public", ADDRESS),
}
# Every endpoint of these blueprints (the visitor's phone and its JSON) is limited per address.
PUBLIC_BLUEPRINTS = ("phone", "phone_api")


def is_limited(endpoint: str) -> bool:
    """Whether an endpoint has a rate limit (and may answer 429)."""
    blueprint = endpoint.rpartition(".")[0]
    return endpoint in LIMITED or (blueprint in PUBLIC_BLUEPRINTS and not endpoint.endswith(".static"))


def client_address() -> str:
    """The caller's address (after the trusted proxies, see security.configure)."""
    return request.remote_addr or "unknown"


def device_or_address() -> str:
    """A kiosk's device id from its cookie (checked by the endpoint itself), else the address."""
    sid = (request.cookies.get(DEVICE_COOKIE) or "").partition(".")[0]
    return f"device:{sid}" if sid.isdigit() and len(sid) <= 18 else f"address:{client_address()}"


def storage_uri(settings: Settings) -> str:
    """Where the counts are kept."""
    if settings.security.rate_limit_storage:
        return settings.security.rate_limit_storage
    if settings.message_queue.startswith(("redis://", "rediss://")):
        return settings.message_queue
    return "memory://"


def retry_after() -> int:
    """Seconds until the limit this request hit lets a request through again."""
    import time

    limit = current_app.extensions["loket.limiter"].current_limit
    return max(1, int(limit.reset_at - time.time()) + 1) if limit is not None else 60


def _rate(name: str):
    """The configured rate, read when a request comes (the app's own settings)."""
    return lambda: getattr(current_app.extensions["loket.settings"].security, name)


def init_app(app: Flask, settings: Settings) -> None:
    """A limiter for this app, wrapped around the public endpoints already registered."""
    limiter = Limiter(
        key_func=client_address,
        app=app,
        storage_uri=storage_uri(settings),
        strategy="moving-window",
        # Retry-After is set by the 429 answer (app.py): header injection would overwrite the sign-in
        # throttle's own Retry-After with this limiter's window.
        headers_enabled=False,
        # A Redis hiccup must not stop the kiosks: count in memory meanwhile.
        in_memory_fallback_enabled=True,
        enabled=app.config.get("RATELIMIT_ENABLED", True),
    )
    app.extensions["loket.limiter"] = limiter
    for endpoint, view in list(app.view_functions.items()):
        if not is_limited(endpoint):
            continue
        name, key = LIMITED.get(endpoint, ("rate_public", ADDRESS))
        key_func = device_or_address if key == DEVICE else client_address
        # Only the methods that do the work count (a GET of the sign-in page is free).
        methods = ["POST"] if endpoint in ("auth.login", "devices.pair") else None
        app.view_functions[endpoint] = limiter.limit(_rate(name), key_func=key_func, methods=methods)(view)
