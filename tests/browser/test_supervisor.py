"""The supervisor's live view in headless Chromium against a real server: a waiting visitor's 10-minute clock
turns amber near the limit and red, with a sound, once it is passed.

The server runs in this process, so clock.set_offset() moves the server's clock; the page learns the
server's time from the snapshots it gets (each carries server_time), here the one that follows the next
ticket taken at the kiosk.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from playwright.sync_api import expect

import clock
from tests.factories import guest_form
from tests.kiosks import pair_requests

pytestmark = pytest.mark.browser

OFFICE = "1600"
# Observe (not replace) the tones the page starts.
COUNT_TONES = """
window.__tones = 0;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__tones += 1; return start.apply(this, args); };
"""
AMBER = "rgb(242, 169, 0)"  # --amber
RED = "rgb(198, 40, 40)"  # --red


class Kiosk:
    """Takes tickets over real HTTP with the CSRF token, as the kiosk screen does."""

    def __init__(self, base: str):
        self.base, self.s = base, requests.Session()
        pair_requests(self.s, base)
        self.token = self.s.get(base + "/api/session").json()["csrf_token"]
        services = self.s.get(f"{base}/api/offices/{OFFICE}/services").json()["services"]
        self.service_ids = {x["code"]: x["id"] for x in services}

    def take(self, service: str = "penjualan") -> dict:
        r = self.s.post(
            f"{self.base}/api/offices/{OFFICE}/tickets",
            json=guest_form(self.service_ids[service]),
            headers={"X-CSRFToken": self.token},
        )
        assert r.status_code == 201, r.text
        return r.json()


def _sign_in(page, base: str) -> None:
    token = page.request.get(base + "/api/session").json()["csrf_token"]
    r = page.request.post(
        base + "/api/login", data={"username": "pengawas", "password": "pengawas-demo"}, headers={"X-CSRFToken": token}
    )
    assert r.ok, r.text()


def test_clock_turns_amber_then_red_with_a_sound(live_server, page):
    base = live_server.url
    kiosk = Kiosk(base)
    first = kiosk.take()["code"]
    page.add_init_script(COUNT_TONES)
    _sign_in(page, base)
    page.goto(base + "/supervisor/?lang=en")

    row = page.get_by_test_id(f"ticket-{first}")
    chip = row.locator(".sv-chip")
    expect(row).to_have_attribute("data-state", "ok")  # no one ahead: the clock runs from the issue
    expect(chip).to_contain_text("left")
    expect(page.get_by_test_id("breaches-today")).to_contain_text("0")
    assert page.evaluate("window.loketAlarms.length") == 0

    clock.set_offset(timedelta(minutes=7, seconds=30))  # 7.5 of 10 minutes gone
    kiosk.take("konsultasi")  # a change: the page gets a snapshot with the time
    expect(row).to_have_attribute("data-state", "amber")
    expect(chip).to_have_css("background-color", AMBER)
    assert page.evaluate("window.loketAlarms.length") == 0

    clock.set_offset(timedelta(minutes=10, seconds=30))  # past the limit
    kiosk.take("konsultasi")
    expect(row).to_have_attribute("data-state", "breached")
    expect(chip).to_have_css("background-color", RED)
    expect(chip).to_contain_text("late by")
    expect(page.get_by_test_id("breaches-today")).to_contain_text("1")
    page.wait_for_function("window.loketAlarms.length === 1")
    alarm = page.evaluate("window.loketAlarms[0]")
    assert alarm["code"] == first and alarm["sound"] is True
    assert page.evaluate("window.__tones") >= 3  # the three beeps were started
    # one alarm per ticket: the next ticks do not sound again
    page.wait_for_timeout(1500)
    assert page.evaluate("window.loketAlarms.length") == 1


def test_live_view_writes_percent_as_the_reports_do_and_draws_its_own_speaker(live_server, page):
    base = live_server.url
    kiosk = Kiosk(base)
    kiosk.take()
    officer = requests.Session()
    token = officer.get(base + "/api/session").json()["csrf_token"]
    token = officer.post(
        base + "/api/login", json={"username": "petugas1", "password": "petugas1-demo"}, headers={"X-CSRFToken": token}
    ).json()["csrf_token"]
    assert officer.post(f"{base}/api/counters/1/open", headers={"X-CSRFToken": token}).ok
    assert officer.post(f"{base}/api/counters/1/call-next", headers={"X-CSRFToken": token}).ok
    _sign_in(page, base)
    page.goto(base + "/supervisor/?lang=id")
    # one visitor called within the limit: 100 %, written as the Indonesian report writes it (Babel, CLDR)
    expect(page.get_by_test_id("share-today")).to_contain_text("100,0%")
    sound = page.locator("#sv-sound")
    expect(sound).to_have_text("Bisukan")
    expect(sound.locator("svg")).to_have_count(1)  # an inline icon, not an emoji
    assert all(ord(ch) < 0x2000 for ch in sound.inner_text())
    sound.click()
    expect(sound).to_have_attribute("aria-pressed", "true")
    expect(sound.locator("svg")).to_have_count(1)
    page.goto(base + "/supervisor/?lang=en")
    expect(page.get_by_test_id("share-today")).to_contain_text("100.0%")


def test_live_view_follows_counters_and_suggests_a_counter(live_server, page, app):
    base = live_server.url
    kiosk = Kiosk(base)
    for _ in range(3):
        kiosk.take("perpustakaan")  # only counter 3 serves it, and it is closed
    _sign_in(page, base)
    page.goto(base + "/supervisor/?lang=en")
    expect(page.get_by_test_id("waiting-perpustakaan")).to_contain_text("3")
    expect(page.get_by_test_id("suggestions")).to_contain_text("Open a counter for Printed & Digital Library")
    expect(page.get_by_test_id("suggestions")).to_contain_text("Counter 3")
    expect(page.get_by_test_id("counter-3")).to_have_attribute("data-state", "closed")

    officer = requests.Session()
    token = officer.get(base + "/api/session").json()["csrf_token"]
    token = officer.post(
        base + "/api/login", json={"username": "petugas2", "password": "petugas2-demo"}, headers={"X-CSRFToken": token}
    ).json()["csrf_token"]
    from sqlmodel import select

    from models import Counter

    with app.extensions["loket.db"].read() as s:
        cid = s.exec(select(Counter.id).where(Counter.number == 3)).one()
    assert officer.post(f"{base}/api/counters/{cid}/open", headers={"X-CSRFToken": token}).ok
    called = officer.post(f"{base}/api/counters/{cid}/call-next", headers={"X-CSRFToken": token}).json()["ticket"]
    expect(page.get_by_test_id("counter-3")).to_have_attribute("data-state", "called")
    expect(page.get_by_test_id("counter-3")).to_contain_text(called["code"])
    expect(page.get_by_test_id("waiting-perpustakaan")).to_contain_text("2")
