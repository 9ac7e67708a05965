"""Kiosks are registered devices: staff make a one-time pairing code, the kiosk trades it for a long-lived cookie,
and the server takes the kiosk's station (its printer) from that record, never from a request header."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import clock
from models import PrintJob
from tests.conftest import ApiClient
from tests.factories import TICKETS_URL, guest_form


def _pairing_code(app, station="counter-3", kind="kiosk") -> str:
    admin = ApiClient(app.test_client())
    admin.login("pengawas")
    r = admin.post("/api/devices/pairing", json={"kind": kind, "station": station, "label": "Kios pintu masuk"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["code"]


def _pair(client, code: str):
    page = client.get("/kiosk/pair?lang=en")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    return client.post("/kiosk/pair?lang=en", data={"csrf_token": token, "code": code})


def test_a_kiosk_pairs_with_a_one_time_code_and_its_station_prints_the_ticket(app, db, ids):
    code = _pairing_code(app)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    browser = app.test_client()
    r = _pair(browser, code.lower().replace("-", " "))  # typed loosely
    assert r.status_code == 302 and r.headers["Location"].endswith("/kiosk/1600")
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("loket_device=") and "HttpOnly" in cookie and "Max-Age=" in cookie
    kiosk = ApiClient(browser)
    # The header that used to choose the printer is ignored: the treasurer's printer stays out of reach.
    t = kiosk.post(TICKETS_URL, json=guest_form(ids.service["penjualan"]), headers={"X-Loket-Station": "treasurer"})
    assert t.status_code == 201, t.get_json()
    with db.read() as s:
        assert s.get(PrintJob, t.get_json()["print_job_id"]).station == "counter-3"
    assert browser.get("/kiosk/1600").status_code == 200
    # The code was used once.
    again = _pair(app.test_client(), code)
    assert again.status_code == 400 and "This pairing code is not valid" in again.text


def test_an_unpaired_browser_gets_a_clear_refusal_and_the_kiosk_page_sends_it_to_pairing(app, unpaired_api, db, ids):
    r = unpaired_api.post(TICKETS_URL + "?lang=en", json=guest_form(ids.service["penjualan"]))
    assert r.status_code == 403
    assert r.get_json() == {
        "error": "device_not_paired",
        "message": "This screen is not a paired kiosk. Ask an administrator for a pairing code and open /kiosk/pair.",
    }
    lookup = unpaired_api.post(
        "/api/offices/1600/visitors/lookup", json={"email": "visitor1@example.id", "phone": "081234567890"}
    )
    assert lookup.status_code == 403
    page = unpaired_api.get("/kiosk/1600")
    assert page.status_code == 302 and page.headers["Location"].endswith("/kiosk/pair")
    assert "not a paired kiosk" in unpaired_api.get("/kiosk/pair?lang=en").text


def test_a_forged_or_revoked_device_token_is_refused(app, api, ids):
    browser = app.test_client()
    browser.set_cookie("loket_device", "1.not-the-secret")
    assert ApiClient(browser).post(TICKETS_URL, json=guest_form(ids.service["penjualan"])).status_code == 403
    admin = ApiClient(app.test_client())
    admin.login("admin")
    devices = admin.get("/api/devices").get_json()["devices"]
    assert devices and all("token" not in json.dumps(d) for d in devices)
    mine = devices[-1]["id"]  # the api fixture's kiosk, registered first
    assert admin.post(f"/api/devices/{mine}/revoke").get_json()["revoked_at"]
    r = api.post(TICKETS_URL, json=guest_form(ids.service["penjualan"]))
    assert r.status_code == 403 and r.get_json()["error"] == "device_not_paired"


def test_pairing_codes_expire_and_name_a_configured_station(app):
    code = _pairing_code(app)
    clock.set_offset(timedelta(minutes=16))
    r = _pair(app.test_client(), code)
    assert r.status_code == 400 and "This pairing code has expired" in r.text
    clock.set_offset(timedelta(0))
    staff = ApiClient(app.test_client())
    staff.login("pengawas")
    long_name = "x" * 5000
    r = staff.post("/api/devices/pairing", json={"kind": "kiosk", "station": long_name})
    assert r.status_code == 400  # longer than a station name can be
    r = staff.post("/api/devices/pairing?lang=en", json={"kind": "kiosk", "station": "kiosk-9"})
    assert r.status_code == 404 and r.get_json()["error"] == "unknown_station"
    officer = ApiClient(app.test_client())
    officer.login("petugas1")
    assert officer.post("/api/devices/pairing", json={"station": "kiosk-1"}).status_code == 403


def test_the_command_makes_a_pairing_code(app):
    out = app.test_cli_runner().invoke(args=["pair-device", "--station", "kiosk-1", "--label", "Kios 1"])
    assert out.exit_code == 0, out.output
    code = re.search(r"pairing code (\S+)", out.output).group(1)
    assert _pair(app.test_client(), code).status_code == 302
    bad = app.test_cli_runner().invoke(args=["pair-device", "--station", "nowhere"])
    assert bad.exit_code != 0 and "Unknown station nowhere" in bad.output


def test_in_the_demo_a_new_browser_is_paired_as_a_demo_kiosk(db_url):
    from app import create_app
    from rules import offices
    from tests.conftest import test_settings as loket_settings

    settings = loket_settings(LOKET_DEMO="1")
    app = create_app({"TESTING": True, "DATABASE_URL": db_url}, settings=settings)
    try:
        with app.extensions["loket.db"].write() as s:
            offices.sync_from_settings(s, settings)
        browser = app.test_client()
        page = browser.get("/kiosk/1600?lang=en")
        assert page.status_code == 200 and "loket_device=" in page.headers["Set-Cookie"]
        assert 'data-testid="demo-banner"' in page.text
        kiosk = ApiClient(browser)
        services = kiosk.get("/api/offices/1600/services").get_json()["services"]
        assert kiosk.post(TICKETS_URL, json=guest_form(services[0]["id"])).status_code == 201
    finally:
        app.extensions["loket.db"].dispose()
