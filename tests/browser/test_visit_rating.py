"""Issue 15 in Chromium: a consultation visitor (no paid request) is offered the satisfaction survey on their
phone as soon as the officer finishes the visit (live, no reload), fills it in and is thanked."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from models import Counter, Rating, Service
from security.limits import DEVICE_COOKIE
from tests.browser.test_phone_status import OFFICE, PHONE, Http
from tests.factories import guest_form
from tests.kiosks import pair_requests

pytestmark = pytest.mark.browser


def test_a_consultation_is_rated_from_the_phone(live_server, app, browser):
    app.config["STATUS_POLL_SECONDS"] = 600  # the survey link must come over the websocket's push
    kiosk = Http(live_server.url)
    if DEVICE_COOKIE not in kiosk.s.cookies:
        pair_requests(kiosk.s, kiosk.base)
    services = kiosk.s.get(f"{kiosk.base}/api/offices/{OFFICE}/services").json()["services"]
    sid = next(x["id"] for x in services if x["code"] == "konsultasi")
    mine = kiosk.post(f"/api/offices/{OFFICE}/tickets", guest_form(sid, name="Dewi Lestari"))

    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(mine["status_url"])
        expect(page.locator("#status")).to_have_attribute("data-live", "1")
        expect(page.get_by_test_id("visit-rating")).to_have_count(0)

        officer = Http(live_server.url)
        officer.token = officer.post("/api/login", {"username": "petugas2", "password": "petugas2-demo"})["csrf_token"]
        with app.extensions["loket.db"].read() as s:
            officer.cid = s.exec(select(Counter.id).where(Counter.number == 3)).one()
        officer.post(f"/api/counters/{officer.cid}/open")
        called = officer.call_next()
        assert called["code"] == mine["code"]
        officer.start(called)
        officer.post(f"/api/counters/{officer.cid}/tickets/{called['id']}/finish")

        link = page.get_by_test_id("visit-rating")
        expect(link).to_be_visible()
        link.click()
        expect(page.get_by_test_id("rating")).to_contain_text(mine["code"])
        for i in range(1, 10):
            page.locator(f"input[name=u{i}][value='4']").check()
        page.get_by_test_id("rating-submit").click()
        expect(page.get_by_test_id("rating-thanks")).to_be_visible()
        assert errors == []
    finally:
        context.close()
    with app.extensions["loket.db"].read() as s:
        rating = s.exec(select(Rating)).one()
        assert s.get(Service, rating.service_id).code == "konsultasi" and rating.u9 == 4
