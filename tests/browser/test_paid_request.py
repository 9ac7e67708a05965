"""The paid-product request in a real browser (headless Debian Chromium) against a real server.

An officer serves a ticket, builds a microdata request on the counter screen, records the visitor's agreement,
ticks the documents and issues the invoice; the treasurer, on their own screen, records and confirms the
payment and issues the receipt. The invoice and receipt PDFs are downloaded with each user's session and read
back (pypdf): the numbers, billing code, NTPN and amount are the right ones.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

import clock
from tests.pages import sign_in_at_counter
from tests.realtime.conftest import Http

pytestmark = pytest.mark.browser

BILLING = "820261400000123"
NTPN = "0A1B2C3D4E5F6G7H"


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_officer_invoices_a_microdata_request_treasurer_confirms_payment_and_issues_receipt(
    live_server, screens, browser
):
    # Refused on purpose below: the invoice with a bad billing code.
    browser.expect_console_error(r"status of 400 .*/invoice\b")
    base = live_server.url
    ticket = Http(base).take_ticket("penjualan")

    officer = sign_in_at_counter(screens, base, "petugas1", 1)
    officer.get_by_test_id("call-next").click()
    expect(officer.get_by_test_id("current-code")).to_have_text(ticket["code"])
    officer.get_by_test_id("start-service").click()

    # Step 5: a request from the ticket being served.
    panel = officer.get_by_test_id("request-panel")
    expect(panel.get_by_test_id("rq-new")).to_be_visible()
    panel.get_by_test_id("rq-new").click()
    expect(panel.get_by_test_id("rq-number")).to_have_text(re.compile(r"^PST/1600/\d{4}/00001$"))
    expect(panel.get_by_test_id("rq-state")).to_have_attribute("data-state", "open")
    expect(panel.get_by_test_id("rq-new")).to_be_disabled()  # one open request per ticket: no red refusal later

    # Step 6: the product priced from the tariff, with its rule, before it is added.
    panel.get_by_test_id("rq-item").select_option("microdata_raw")
    panel.get_by_test_id("rq-measure").fill("2500001")
    panel.get_by_test_id("rq-description").fill("Susenas Maret 2025, Sumatera Selatan")
    expect(panel.get_by_test_id("rq-quote")).to_contain_text("Rp 50.020")
    expect(panel.get_by_test_id("rq-quote")).to_contain_text("1.501")
    panel.get_by_test_id("rq-add-line").click()
    expect(panel.get_by_test_id("rq-total")).to_have_text("Rp 50.020")
    # The visitor's list of requests follows (it said Rp 0, the total when the request was opened).
    expect(panel.locator("#rq-visitor-requests")).to_contain_text("Rp 50.020")
    expect(panel.get_by_test_id("rq-lines")).to_contain_text("Susenas Maret 2025")

    # Step 7-8: agreement, the documents the product needs, the check.
    panel.get_by_test_id("rq-step-agree").click()
    expect(panel.get_by_test_id("rq-state")).to_have_attribute("data-state", "agreed")
    checklist = panel.get_by_test_id("rq-checklist")
    expect(checklist.locator("input[data-doc=abstract]")).to_be_visible()
    expect(checklist.locator("input[data-doc=sppd]")).to_be_disabled()  # signed later, before delivery
    # The check would be refused while the abstract is missing: the button says so before it is pressed.
    expect(panel.get_by_test_id("rq-step-check_documents")).to_be_disabled()
    expect(panel.get_by_test_id("rq-why-check_documents")).not_to_be_empty()
    checklist.locator("input[data-doc=abstract]").check()
    expect(checklist.locator("li.done")).to_have_count(1)
    panel.get_by_test_id("rq-step-check_documents").click()
    expect(panel.get_by_test_id("rq-state")).to_have_attribute("data-state", "checked")

    # Step 9: the invoice with the SIMPONI billing code (a bad one is refused with the reason).
    panel.get_by_test_id("rq-issue_invoice-billing_code").fill("12345")
    panel.get_by_test_id("rq-step-issue_invoice").click()
    expect(panel.get_by_test_id("rq-message")).to_contain_text("15")
    panel.get_by_test_id("rq-issue_invoice-billing_code").fill(BILLING)
    panel.get_by_test_id("rq-step-issue_invoice").click()
    expect(panel.get_by_test_id("rq-state")).to_have_attribute("data-state", "invoiced")
    # What normally comes next is offered first, as a command; replacing the invoice or cancelling comes last,
    # set apart under the usual steps.
    steps = panel.get_by_test_id("rq-steps").locator("form[data-step]")
    expect(steps.first).to_have_attribute("data-step", "hand_over_sample")
    expect(panel.get_by_test_id("rq-step-record_payment")).to_have_text("Catat pembayaran")
    rare = panel.get_by_test_id("rq-steps-rare").locator("form[data-step]")
    expect(rare).to_have_count(3)
    assert [rare.nth(i).get_attribute("data-step") for i in range(3)] == ["replace_invoice", "revise", "cancel"]
    expect(panel.get_by_test_id("rq-step-cancel")).to_be_hidden()  # folded away until asked for
    panel.get_by_test_id("rq-steps-rare").locator("summary").click()
    expect(panel.get_by_test_id("rq-step-cancel")).to_be_visible()
    expect(panel.get_by_test_id("rq-step-replace_invoice")).not_to_have_class(re.compile(r"\bprimary\b"))
    invoice_row = panel.locator("[data-invoice]").first
    expect(invoice_row).to_contain_text(BILLING)
    invoice_number = invoice_row.get_attribute("data-invoice")
    assert re.fullmatch(r"INV/1600/\d{4}/00001", invoice_number)
    request_number = panel.get_by_test_id("rq-number").inner_text()

    # The invoice PDF, downloaded with the officer's session, reads back with the right numbers.
    href = panel.get_by_test_id("rq-invoice-pdf").first.get_attribute("href")
    got = officer.request.get(base + href)
    assert got.ok and got.headers["content-type"] == "application/pdf"
    text = pdf_text(got.body())
    for expected in (invoice_number, BILLING, "50.020", "Universitas Sriwijaya"):
        assert expected in text, expected
    # The SPPD and the data-sample handover to print and sign, prefilled from the request (issue 15).
    for kind, title in (("sppd", "SURAT PERJANJIAN PENGGUNAAN DATA"), ("sample", "SERAH TERIMA CONTOH DATA")):
        got = officer.request.get(base + panel.get_by_test_id(f"rq-{kind}-pdf").get_attribute("href"))
        assert got.ok and title in pdf_text(got.body()) and request_number in pdf_text(got.body())

    # Steps 12 and 14: the treasurer's screen. The officer could not have done this (403 over the API).
    # The office's clock is 40 minutes ahead of this computer's: 'paid at' starts at the office's time.
    clock.set_offset(timedelta(minutes=40))
    treasurer = screens(f"{base}/login")
    treasurer.fill("input[name=username]", "bendahara")
    treasurer.fill("input[name=password]", "bendahara-demo")
    treasurer.locator("button[type=submit]").click()
    expect(treasurer).to_have_url(re.compile(r"/treasurer/$"))
    row = treasurer.get_by_test_id("tr-open").locator(f"tr[data-invoice='{invoice_number}']")
    expect(row).to_contain_text(BILLING)
    actions = treasurer.get_by_test_id("tr-open").locator(f"tr[data-for='{invoice_number}']")  # the row under it
    shown = actions.get_by_test_id("tr-paid-at").evaluate("(e) => new Date(e.value).getTime()") / 1000
    assert abs(shown - clock.utcnow().timestamp()) < 120, "the 'paid at' default follows the server's clock"
    actions.get_by_test_id("tr-ntpn").fill(NTPN.lower())
    actions.get_by_test_id("tr-record").click()
    expect(treasurer.get_by_test_id("tr-message")).to_have_class("notice")
    pending_receipt = treasurer.get_by_test_id("tr-unreceipted").locator(f"tr[data-invoice='{invoice_number}']")
    expect(pending_receipt).to_be_visible()
    pending_receipt.get_by_test_id("tr-receipt").click()
    expect(treasurer.get_by_test_id("tr-message")).to_contain_text(re.compile(r"KW/1600/\d{4}/00001"))
    expect(treasurer.get_by_test_id("tr-unreceipted").locator(f"tr[data-invoice='{invoice_number}']")).to_have_count(0)
    receipt_item = treasurer.get_by_test_id("tr-docs").locator("[data-receipt]")
    receipt_number = receipt_item.get_attribute("data-receipt")
    href = receipt_item.get_by_test_id("tr-receipt-pdf").get_attribute("href")
    got = treasurer.request.get(base + href)
    assert got.ok
    text = pdf_text(got.body())
    for expected in (receipt_number, invoice_number, BILLING, NTPN, "50.020"):
        assert expected in text, expected

    # Back at the counter the request shows the confirmed payment and the receipt.
    panel.locator("#rq-refresh").click()
    expect(panel.locator("#rq-docs")).to_contain_text(receipt_number)
    assert request_number.startswith("PST/1600/")
