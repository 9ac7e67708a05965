"""Issue 15, on the phone's page in Chromium: the billing code and the amount to pay once invoiced, the status
past "invoiced" after the receipt, and the download reference as a link."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import clock
from rules import payments as pay_rules
from rules import requests as rq
from tests.phone.test_request_progress import _invoiced
from tests.request_fixtures import advance, ntpn

pytestmark = pytest.mark.browser


def test_the_phone_page_shows_what_to_pay_then_the_link(live_server, browser, db):
    staff, token, req_id, code, total = _invoiced(db)
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{live_server.url}/s/{token}")
        expect(page.get_by_test_id("pay-code")).to_have_text(code)
        expect(page.get_by_test_id("pay-amount")).to_have_text("Rp " + f"{total:,}".replace(",", "."))
        expect(page.get_by_test_id("request-state")).to_contain_text("menunggu pembayaran")
        t = clock.utcnow()
        with db.write() as s:
            inv = rq.active_invoice(s, req_id)
            pay_rules.record_and_confirm(s, invoice_id=inv.id, user_id=staff.treasurer, ntpn=ntpn(), paid_at=t, now=t)
            pay_rules.issue_receipt(s, invoice_id=inv.id, user_id=staff.treasurer, now=t)
        page.reload()
        expect(page.get_by_test_id("request-state")).to_contain_text("kuitansi diterbitkan")
        expect(page.get_by_test_id("request-pay")).to_have_count(0)
        with db.write() as s:
            advance(s, req_id, staff, "delivered", now=t)
        page.reload()
        link = page.get_by_test_id("download-link")
        expect(link).to_have_attribute("href", "https://pst.example/dl/abc")
        assert errors == []
    finally:
        ctx.close()
