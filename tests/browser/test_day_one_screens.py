"""Day-one findings on the public and supervisor screens, each seen in Chromium: the display's sound controls,
landmark and clock; the verify page on a phone; the reports form; the kiosk's errors after an empty submit."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from rules import requests as rq
from tests.pages import OFFICE


def test_a_display_without_autoplay_offers_to_enable_sound_and_does_not_claim_it_is_on(live_server, chromium):
    from tests.browser_errors import WatchedBrowser

    # A browser started without --autoplay-policy: audio stays suspended until someone taps the screen.
    ctx = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    errors: list[str] = []
    from tests.browser_errors import watch

    watch(ctx, errors)
    page = ctx.new_page()
    page.add_init_script("""
      const Real = window.AudioContext;
      window.AudioContext = class extends Real { get state() { return this.__on ? 'running' : 'suspended'; }
        resume() { this.__on = true; if (this.onstatechange) this.onstatechange(); return Promise.resolve(); } };
    """)
    page.goto(f"{live_server.url}/display/{OFFICE}")
    expect(page.locator("#enable-audio")).to_be_visible()
    expect(page.get_by_test_id("mute")).to_be_hidden()  # no "Sound is on" beside "Tap to enable sound"
    page.locator("#enable-audio").click()
    expect(page.get_by_test_id("mute")).to_be_visible()
    expect(page.locator("#enable-audio")).to_be_hidden()
    assert page.locator("[role=main], main").count() == 1
    ctx.close()
    assert not errors and WatchedBrowser  # this window is watched by hand (it bypasses the fixture's browser)


def test_the_display_and_the_supervisor_show_the_same_clock(live_server, screens):
    display = screens(f"{live_server.url}/display/{OFFICE}")
    supervisor = screens(f"{live_server.url}/login?next=/supervisor/")
    supervisor.fill("input[name=username]", "pengawas")
    supervisor.fill("input[name=password]", "pengawas-demo")
    supervisor.locator("button[type=submit]").click()
    shape = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")  # Indonesian: 09.30.15 on both
    expect(display.get_by_test_id("clock")).to_have_text(shape)
    expect(supervisor.get_by_test_id("clock")).to_have_text(shape)
    assert supervisor.get_by_test_id("clock").get_attribute("title") == display.locator("#date").inner_text()


def test_the_verify_page_fits_a_phone_and_shows_the_number_whole(live_server, screens, new_request, db):
    req_id = new_request("invoiced")
    with db.read() as s:
        inv = rq.active_invoice(s, req_id)
    phone = screens(f"{live_server.url}/verify/{inv.verify_token}", viewport={"width": 390, "height": 844})
    number = phone.get_by_test_id("verify-number")
    expect(number).to_have_text(inv.number)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    box = number.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # Every character is inside the box the reader sees (nothing clipped by an overflow).
    assert number.evaluate("n => n.scrollWidth <= n.clientWidth + 1")


def test_the_reports_form_shows_only_the_fields_of_the_chosen_period(live_server, screens):
    page = screens(f"{live_server.url}/login?next=/supervisor/reports")
    page.fill("input[name=username]", "pengawas")
    page.fill("input[name=password]", "pengawas-demo")
    page.locator("button[type=submit]").click()
    form = page.get_by_test_id("report-form")
    visible = lambda: [i for i in ("day", "month", "start", "end") if form.locator(f"#{i}").is_visible()]  # noqa: E731
    page.select_option("#period", "day")
    assert visible() == ["day"]
    page.select_option("#period", "month")
    assert visible() == ["month"]
    page.select_option("#period", "range")
    assert visible() == ["start", "end"]
    page.fill("#start", "2026-01-01")
    page.fill("#end", "2026-01-31")
    page.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"period=range"))
    assert "day=" not in page.url and "month=" not in page.url
    assert visible() == ["start", "end"]


def test_an_empty_guest_book_focuses_the_first_wrong_field_and_names_the_missing_service(live_server, screens, browser):
    browser.expect_console_error(r"status of 400 .*/tickets\b")  # the empty form is refused by the server
    kiosk = screens(f"{live_server.url}/kiosk/{OFFICE}")
    kiosk.get_by_test_id("start").click()
    kiosk.get_by_test_id("submit").click()
    expect(kiosk.locator("[data-error-for=service_id]")).to_have_text("Pilih layanan.")
    first_wrong = kiosk.evaluate(
        "() => [...document.querySelectorAll('#guestbook input, #guestbook select')]"
        ".find(f => f.closest('.invalid') || f.classList.contains('invalid')).id"
    )
    assert first_wrong != "birth_year"
    expect(kiosk.locator(f"#{first_wrong}")).to_be_focused()


def test_the_guest_books_errors_stay_when_the_services_are_drawn_again(live_server, screens, browser):
    """The kiosk draws its service buttons again whenever the office's set-up changes (or its socket
    reconnects); a visitor who was just told to choose a service keeps being told (CI once lost the message
    to a redraw that landed right after the refusal)."""
    from tests.realtime.conftest import Http

    browser.expect_console_error(r"status of 400 .*/tickets\b")  # the empty form is refused by the server
    kiosk = screens(f"{live_server.url}/kiosk/{OFFICE}")
    kiosk.get_by_test_id("start").click()
    kiosk.get_by_test_id("submit").click()
    expect(kiosk.locator("[data-error-for=service_id]")).to_have_text("Pilih layanan.")

    admin = Http(live_server.url).login("admin")
    services = admin.s.get(f"{live_server.url}/api/offices/{OFFICE}/services", timeout=15).json()["services"]
    konsultasi = next(s for s in services if s["code"] == "konsultasi")
    renamed = admin.post(
        f"/api/admin/services/{konsultasi['id']}",
        json={"code": "konsultasi", "prefix": konsultasi["prefix"], "name": "Konsultasi Data", "name_en": "Data"},
    )
    assert renamed.status_code == 200, renamed.text
    expect(kiosk.get_by_test_id("service-konsultasi")).to_have_text("Konsultasi Data")  # drawn again, live
    expect(kiosk.locator("[data-error-for=service_id]")).to_have_text("Pilih layanan.")
    expect(kiosk.locator("[data-field=service_id]")).to_have_class(re.compile(r"\binvalid\b"))
