"""A 20-minute limit in a real browser: the display and the counter turn amber and red at the moments the server
sends (amber_at at 70 %, deadline_at), not at a number of their own.

The server runs in this process, so clock.set_offset() moves the server's clock; the pages learn the server's
time from the messages they get (each carries server_time), here the ones that follow a ticket taken at the
kiosk. Under the 10-minute default, 11 minutes would already be late and 15 minutes long past the limit.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

import clock
from tests.conftest import test_settings as repo_settings
from tests.pages import open_display, sign_in_at_counter
from tests.realtime.conftest import Http

pytestmark = pytest.mark.browser

LIMIT = 20


@pytest.fixture
def settings():
    """config.toml with office.service_limit_minutes = 20 (synced into the office row as at start-up)."""
    s = repo_settings()
    return s.model_copy(update={"office": s.office.model_copy(update={"service_limit_minutes": LIMIT})})


def test_display_and_counter_follow_the_servers_moments_under_a_twenty_minute_limit(live_server, screens):
    base = live_server.url
    display = open_display(screens, base)
    officer = sign_in_at_counter(screens, base, "petugas1", 1)
    code = Http(base).take_ticket("penjualan")["code"]
    on_display = display.get_by_test_id("time-left-penjualan")
    at_counter = officer.get_by_test_id(f"left-{code}")
    expect(on_display).to_have_text(re.compile(r"^(19:[0-5]\d|20:00)$"))
    expect(at_counter).to_have_text(re.compile(r"^(19:[0-5]\d|20:00)$"))

    def after(minutes: float) -> None:
        clock.set_offset(timedelta(minutes=minutes))
        Http(base).take_ticket("konsultasi")  # any change sends both screens a message with the new server time

    after(11)  # 9 minutes left: fine under 20 minutes
    expect(on_display).to_have_text(re.compile(r"^[89]:[0-5]\d$"))
    expect(at_counter).to_have_text(re.compile(r"^[89]:[0-5]\d$"))
    for cell in (on_display, at_counter):
        expect(cell).to_have_class(re.compile(r"\bok\b"))
        expect(cell).to_have_attribute("data-state", "ok")

    after(15)  # past amber_at (14 minutes in), 5 minutes left: a fixed "under 3 minutes" would still say ok
    expect(on_display).to_have_text(re.compile(r"^[45]:[0-5]\d$"))
    for cell in (on_display, at_counter):
        expect(cell).to_have_class(re.compile(r"\bamber\b"))
        expect(cell).to_have_attribute("data-state", "amber")
    expect(officer.get_by_test_id("head-clock")).to_contain_text(f"{code} harus dipanggil dalam")

    after(21)  # past deadline_at
    expect(on_display).to_have_text(re.compile(r"^terlambat [01]:[0-5]\d$"))
    for cell in (on_display, at_counter):
        expect(cell).to_have_class(re.compile(r"\bbreached\b"))
        expect(cell).to_have_attribute("data-state", "breached")
