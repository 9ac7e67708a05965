"""Paired kiosks for tests: the ticket endpoint only serves a registered device, so every test client, browser and
script that takes tickets gets a device token first, registered straight in the database as staff would have
paired it (tests/devices/ test the pairing itself). The refusal of unpaired browsers is tested with clients that
did not get one.
"""

from __future__ import annotations

from rules import devices, offices
from security.limits import DEVICE_COOKIE

# Live servers started by tests/conftest.py, by URL: a helper given only the URL finds the app's database.
SERVERS: dict[str, object] = {}


def device_token(app_or_db, *, station: str = "kiosk-1", office: str = "1600", kind: str = "kiosk") -> str:
    """Register a paired device of an office (in the app's database) and return its token."""
    db = app_or_db.extensions["loket.db"] if hasattr(app_or_db, "extensions") else app_or_db
    with db.write() as s:
        office_id = offices.get_office(s, office).id
        _device, token = devices.register_paired(
            s, office_id=office_id, kind=kind, station=station, label=f"test {kind} {station}"
        )
    return token


def pair_test_client(client, app, **kw) -> str:
    """Make a Flask test client a paired kiosk (app: the app or its database)."""
    token = device_token(app, **kw)
    client.set_cookie(DEVICE_COOKIE, token)
    return token


def pair_requests(session, base: str, **kw) -> str:
    """Make a requests.Session a paired kiosk of the live server at `base`: through the test's own app, or for a
    server in another process (./start.sh's demo) the demo's way, by opening the kiosk page."""
    if base not in SERVERS:
        session.get(f"{base}/kiosk/1600", timeout=30)
        token = session.cookies.get(DEVICE_COOKIE)
        assert token, "the server is not a demo and the test has no way to pair a kiosk with it"
        return token
    token = device_token(SERVERS[base], **kw)
    session.cookies.set(DEVICE_COOKIE, token)
    return token


def pair_browser(context, base: str, **kw) -> str:
    """Make a Playwright browser context a paired kiosk of the live server at `base`."""
    token = device_token(SERVERS[base], **kw)
    context.add_cookies([{"name": DEVICE_COOKIE, "value": token, "url": base}])
    return token
