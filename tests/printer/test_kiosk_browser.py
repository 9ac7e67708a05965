"""The kiosk in headless Chromium: while the kiosk's printer is down the ticket screen says "printing failed —
retrying" and offers a reprint; when the printer is back, the reprint prints the ticket once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from printer.worker import BackgroundWorker
from tests.kiosks import pair_browser
from tests.pages import fill_guest_book
from tests.printer.escpos_parser import parse

pytestmark = pytest.mark.browser


def test_kiosk_shows_printing_failed_and_the_reprint_prints_once(
    live_server, page, worker, fake_printer_factory, browser
):
    # The printer back on, the worker may take the job before the button does: the retry is then refused (409,
    # "being sent" or "already printed") and the page follows the job to "printed" all the same.
    browser.expect_console_error(r"status of 409 .*/print-jobs/\d+/retry\b")
    # Long backoff: the automatic retry waits, so it is the visitor's button that prints.
    worker.backoff_base = worker.backoff_cap = 600
    bg = BackgroundWorker(worker).start()
    pair_browser(page.context, live_server.url)
    try:
        page.goto(f"{live_server.url}/kiosk/1600")
        fill_guest_book(
            page,
            name="Rina Kurniawati",
            email="rina@example.id",
            phone="081234567890",
            occupation="researcher",
            submit=True,
        )
        expect(page.get_by_test_id("ticket-code")).to_have_text("B-001")
        note = page.locator("#ticket-print")
        expect(note).to_have_text("Pencetakan gagal — sedang dicoba ulang.", timeout=15000)
        expect(note).to_have_class("muted error")
        button = page.get_by_test_id("ticket-reprint")
        expect(button).to_have_text("Cetak ulang")

        printer = fake_printer_factory()  # the printer is switched back on
        button.click()
        expect(note).to_have_text("Nomor antrean Anda sudah tercetak. Silakan diambil.", timeout=15000)
        expect(button).to_have_count(0)
    finally:
        bg.stop()
    slip = parse(printer.received)
    assert len(slip.cuts) == 1 and slip.find("B-001")
    assert slip.qrs[0].payload.startswith(live_server.url + "/s/")
