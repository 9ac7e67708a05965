"""Running the office from the browser (headless Chromium, a real server): the admin's changes reach kiosks and
displays that are already open, new accounts change their temporary password, a deactivated account's open
session stops working, a closure today closes the kiosk with its note, and the audit lists every change."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

import clock
from tests import conftest
from tests.pages import open_display

pytestmark = pytest.mark.browser

OFFICE = "1600"


def sign_in(screens, base: str, username: str, password: str | None = None, *, lands: str = r"/admin/$"):
    page = screens(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password or f"{username}-demo")
    page.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(lands))
    return page


def test_admin_adds_a_service_and_a_counter_and_open_kiosk_and_display_show_them(live_server, screens, browser):
    browser.expect_console_error(r"status of 400 .*/api/admin/counters\b")  # a counter without a service, on purpose
    base = live_server.url
    kiosk = screens(f"{base}/kiosk/{OFFICE}")
    kiosk.get_by_test_id("start").click()
    expect(kiosk.get_by_test_id("service-konsultasi")).to_be_visible()
    display = open_display(screens, base)
    expect(display.locator(".counter-box[data-counter='4']")).to_have_count(0)

    admin = sign_in(screens, base, "admin")  # an admin lands on the admin screens
    admin.get_by_test_id("nav-services").click()
    new = admin.get_by_test_id("service-new")
    new.get_by_label("Nama (Indonesia)").fill("Layanan Data Daerah")
    new.get_by_label("Nama (Inggris)").fill("Regional Data Service")
    new.get_by_label("Prefiks nomor antrean").fill("D")
    admin.get_by_test_id("service-add").click()
    expect(admin.get_by_test_id("service-form-regional-data-service")).to_be_visible()

    # The kiosk, open all along, offers the new service without a reload.
    expect(kiosk.get_by_test_id("service-regional-data-service")).to_have_text("Layanan Data Daerah")
    # A renamed service is renamed there too (its tickets stay its own: tests/admin).
    form = admin.get_by_test_id("service-form-konsultasi")
    form.get_by_label("Nama (Indonesia)").fill("Konsultasi Data Statistik")
    form.get_by_role("button", name="Simpan").click()
    expect(form.locator(".form-message")).to_have_text("Tersimpan.")
    expect(kiosk.get_by_test_id("service-konsultasi")).to_have_text("Konsultasi Data Statistik")

    admin.get_by_test_id("nav-counters").click()
    new = admin.get_by_test_id("counter-new")
    new.get_by_label("Nomor").fill("4")
    new.get_by_label("Nama", exact=True).fill("Loket Data")
    admin.get_by_test_id("counter-add").click()
    # A counter with no service is refused beside the services, and what was typed stays.
    expect(new.locator(".field-error")).to_have_text("Loket harus melayani paling sedikit satu layanan.")
    expect(new.get_by_label("Nama", exact=True)).to_have_value("Loket Data")
    new.get_by_label("D · Layanan Data Daerah").check()
    admin.get_by_test_id("counter-add").click()
    expect(admin.get_by_test_id("counter-form-4")).to_be_visible()

    # The display, open all along, shows the new counter.
    expect(display.locator(".counter-box[data-counter='4']")).to_be_visible()
    expect(display.locator(".counter-box[data-counter='4']")).to_contain_text("Loket Data")

    # The audit lists both changes, by whom.
    admin.get_by_test_id("nav-audit").click()
    rows = admin.get_by_test_id("audit-row")
    expect(rows.filter(has_text="Loket Data")).to_have_count(1)
    expect(rows.filter(has_text="Layanan Data Daerah")).to_have_count(1)
    expect(rows.first).to_contain_text("admin")


def test_a_new_account_signs_in_and_must_change_its_password(live_server, screens):
    base = live_server.url
    admin = sign_in(screens, base, "admin")
    admin.goto(f"{base}/admin/staff?lang=en")
    new = admin.get_by_test_id("staff-new")
    new.get_by_label("Username").fill("rina")
    new.get_by_label("Name", exact=True).fill("Rina Marlina")
    new.get_by_label("Role").select_option("officer")
    admin.get_by_test_id("staff-add").click()
    shown = admin.get_by_test_id("temp-password")
    expect(shown).to_contain_text("rina: Temporary password ")
    temporary = shown.inner_text().rsplit(" ", 1)[1]

    rina = sign_in(screens, base, "rina", temporary, lands=r"/account/password")
    expect(rina.get_by_test_id("forced")).to_be_visible()
    rina.goto(f"{base}/counter/")  # nothing else opens before the password is changed
    expect(rina).to_have_url(re.compile(r"/account/password"))
    rina.fill("input[name=current_password]", temporary)
    rina.fill("input[name=new_password]", "Kopi-Pempek-Ampera-2026")
    rina.fill("input[name=confirm]", "Kopi-Pempek-Ampera-2026")
    rina.get_by_test_id("change-password").click()
    expect(rina).to_have_url(re.compile(r"/counter/$"))

    admin.get_by_test_id("nav-audit").click()
    expect(admin.get_by_test_id("audit-row").filter(has_text="rina")).to_have_count(1)


def test_a_deactivated_accounts_open_session_stops_working(live_server, screens):
    base = live_server.url
    officer = sign_in(screens, base, "petugas2", lands=r"/counter/$")
    admin = sign_in(screens, base, "admin")
    admin.get_by_test_id("nav-staff").click()
    form = admin.get_by_test_id("staff-form-petugas2")
    form.get_by_label("Boleh masuk (aktif)").uncheck()
    admin.once("dialog", lambda d: d.accept())
    admin.get_by_test_id("staff-save-petugas2").click()
    expect(form.locator(".form-message")).to_have_text("Tersimpan.")

    officer.reload()
    expect(officer).to_have_url(re.compile(r"/login"))
    r = officer.request.get(f"{base}/api/counters/1/state")
    assert r.status == 401
    admin.get_by_test_id("nav-audit").click()
    expect(admin.get_by_test_id("audit-row").filter(has_text="petugas2")).to_contain_text("dinonaktifkan")


@pytest.fixture
def hours_server(db_url):
    """A server that keeps the office's hours (no LOKET_ALWAYS_OPEN), at 10:00 WIB on a working Monday."""
    monday = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta")).astimezone(UTC)
    clock.set_offset(monday - datetime.now(UTC))
    app = conftest.demo_app(db_url, conftest.test_settings(LOKET_ALWAYS_OPEN="0"))
    server = conftest.LiveServer(app).start()
    yield server
    server.stop()
    app.extensions["loket.db"].dispose()
    clock.set_offset(timedelta(0))


def test_a_closure_set_for_today_closes_the_open_kiosk_with_its_note(hours_server, screens, browser):
    browser.expect_console_error(r"status of 400 .*/api/admin/special-days\b")  # a day in the past, on purpose
    base = hours_server.url
    kiosk = screens(f"{base}/kiosk/{OFFICE}")
    expect(kiosk.get_by_test_id("start")).to_be_enabled()
    expect(kiosk.get_by_test_id("closed")).to_be_hidden()

    admin = sign_in(screens, base, "admin")
    admin.get_by_test_id("nav-hours").click()
    form = admin.get_by_test_id("special-day-form")
    expect(form.get_by_label("Hari")).to_have_value("2026-03-02")
    # A day in the past is refused beside the day, and the note typed stays.
    form.get_by_label("Catatan (Indonesia, tampil di kios)").fill("Kantor tutup: banjir")
    form.get_by_label("Catatan (Inggris)").fill("Office closed: flood")
    form.get_by_label("Hari").fill("2026-03-01")
    admin.get_by_test_id("special-day-save").click()
    expect(form.locator(".field-error")).to_contain_text("sudah lewat")
    expect(form.get_by_label("Catatan (Indonesia, tampil di kios)")).to_have_value("Kantor tutup: banjir")
    form.get_by_label("Hari").fill("2026-03-02")
    admin.get_by_test_id("special-day-save").click()
    expect(form.locator(".form-message")).to_have_text("Tersimpan.")

    # The kiosk, open all along, closes with the note.
    expect(kiosk.get_by_test_id("closed")).to_have_text("Unit PST tutup hari ini: Kantor tutup: banjir")
    expect(kiosk.get_by_test_id("start")).to_be_disabled()
    admin.reload()
    expect(admin.get_by_test_id("calendar").locator("li[data-day='2026-03-02']")).to_contain_text(
        "Kantor tutup: banjir"
    )
    admin.get_by_test_id("nav-audit").click()
    expect(admin.get_by_test_id("audit-row").filter(has_text="2026-03-02")).to_have_count(1)
