"""Personal data in the browser: a returning visitor at the kiosk is recognised without anything about them shown,
and the supervisor answers a visitor's request on the rights screen (find, see, correct, erase)."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import select

from models import Visitor
from tests.pages import OFFICE, fill_guest_book


def test_a_returning_visitor_is_recognised_without_their_details_shown(live_server, screens, db):
    kiosk = screens(f"{live_server.url}/kiosk/{OFFICE}")
    fill_guest_book(kiosk, name="Siti Aminah", email="siti.aminah@contoh.id", phone="0812 3456 7890", submit=True)
    expect(kiosk.get_by_test_id("ticket-code")).to_have_text("B-001")
    kiosk.get_by_role("button", name="Selesai").click()

    kiosk.get_by_test_id("start").click()
    kiosk.fill("#email", "siti.aminah@contoh.id")
    kiosk.fill("#phone", "0812 3456 7890")
    kiosk.get_by_test_id("lookup").click()
    expect(kiosk.get_by_test_id("lookup-result")).to_contain_text("Selamat datang kembali")
    # Nothing of hers came back to the screen: the questions stay empty.
    for field in ("#name", "#birth_year", "#institution_name", "#npwp"):
        expect(kiosk.locator(field)).to_have_value("")
    expect(kiosk.locator("#education")).to_have_value("")
    kiosk.select_option("#purpose", "research")
    kiosk.get_by_test_id("service-konsultasi").click()
    kiosk.get_by_test_id("consent").check()
    expect(kiosk.get_by_test_id("consent-text")).to_contain_text("pengawas PST")
    kiosk.get_by_test_id("submit").click()
    expect(kiosk.get_by_test_id("ticket-code")).to_have_text("K-001")
    with db.read() as s:
        assert len(s.exec(select(Visitor)).all()) == 1

    # Only the e-mail: not recognised, and told so.
    kiosk.get_by_role("button", name="Selesai").click()
    kiosk.get_by_test_id("start").click()
    kiosk.fill("#email", "siti.aminah@contoh.id")
    kiosk.fill("#phone", "0812 0000 0000")
    kiosk.get_by_test_id("lookup").click()
    expect(kiosk.get_by_test_id("lookup-result")).to_contain_text("Belum ada kunjungan")


def test_the_supervisor_answers_a_request_on_the_rights_screen(live_server, screens, new_request, db, browser):
    # Refused on purpose below: a correction and an erasure without their reason.
    browser.expect_console_error(r"status of 400 .*/people/\d+/(correct|erase)\b")
    new_request("closed", name="Rahmawati Siregar", email="rahma@unsri.ac.id", phone="0812 3456 2222")
    page = screens(f"{live_server.url}/login?next=/privacy/")
    page.fill("input[name=username]", "pengawas")
    page.fill("input[name=password]", "pengawas-demo")
    page.locator("button[type=submit]").click()
    page.get_by_test_id("pv-q").fill("siregar")
    page.get_by_test_id("pv-find").click()
    page.get_by_test_id("pv-people").locator("a").first.click()
    expect(page.get_by_test_id("pv-record")).to_contain_text("Rahmawati Siregar")
    expect(page.get_by_test_id("pv-table-invoice")).to_contain_text("INV/1600/")
    expect(page.get_by_test_id("pv-kept")).to_contain_text("aturan keuangan negara")

    # A correction without a reason is refused, the form kept; with one it is saved and recorded.
    page.fill("#c-name", "Rahmawati Siregar Lubis")
    page.get_by_test_id("pv-correct-submit").click()
    expect(page.get_by_test_id("pv-message")).to_contain_text("Mohon periksa isian")
    expect(page.get_by_test_id("pv-correct-form").locator(".field-error")).to_contain_text("Tuliskan alasannya")
    expect(page.locator("#c-name")).to_have_value("Rahmawati Siregar Lubis")
    page.get_by_test_id("pv-correct-reason").fill("permintaan lisan di loket, KTP diperiksa")
    page.get_by_test_id("pv-correct-submit").click()
    expect(page.get_by_test_id("pv-record")).to_contain_text("Rahmawati Siregar Lubis")
    expect(page.get_by_test_id("pv-action-list")).to_contain_text("correct")

    # Erasure: the confirmation box first, then everything but the finance rows goes.
    page.get_by_test_id("pv-erase-reason").fill("surat permintaan penghapusan")
    page.get_by_test_id("pv-erase-submit").click()
    expect(page.get_by_test_id("pv-message")).to_contain_text("Centang kotak")
    page.get_by_test_id("pv-erase-confirm").check()
    page.get_by_test_id("pv-erase-submit").click()
    expect(page.get_by_test_id("pv-erased")).to_be_visible()
    expect(page.get_by_test_id("pv-record")).not_to_contain_text("Rahmawati")
    expect(page.get_by_test_id("pv-table-invoice")).to_contain_text("INV/1600/")

    page.get_by_test_id("pv-who-looked").click()
    expect(page.get_by_test_id("al-entries")).to_contain_text("Kepala Seksi PST")


def test_a_returning_visitor_takes_a_number_at_the_first_press_with_last_visits_purpose(live_server, screens, db):
    """'I have been here before' fills the purpose as on the last visit (taken by the server from that visit,
    nothing shown): e-mail, phone, service and consent are all a returning visitor gives."""
    from models import GuestBookEntry

    kiosk = screens(f"{live_server.url}/kiosk/{OFFICE}")
    fill_guest_book(kiosk, submit=True)  # purpose "research"
    expect(kiosk.get_by_test_id("ticket-code")).to_have_text("B-001")
    kiosk.get_by_role("button", name="Selesai").click()

    kiosk.get_by_test_id("start").click()
    kiosk.fill("#email", "siti.aminah@contoh.id")
    kiosk.fill("#phone", "0812 3456 7890")
    kiosk.get_by_test_id("lookup").click()
    expect(kiosk.get_by_test_id("lookup-result")).to_contain_text("Selamat datang kembali")
    expect(kiosk.locator("#purpose")).to_have_value("last")
    expect(kiosk.locator("#purpose option:checked")).to_have_text("Sama seperti kunjungan terakhir")
    kiosk.get_by_test_id("service-konsultasi").click()
    kiosk.get_by_test_id("consent").check()
    kiosk.get_by_test_id("submit").click()
    expect(kiosk.get_by_test_id("ticket-code")).to_have_text("K-001")  # the first press
    with db.read() as s:
        entries = s.exec(select(GuestBookEntry).order_by(GuestBookEntry.id)).all()
    assert [e.purpose for e in entries] == ["research", "research"]
