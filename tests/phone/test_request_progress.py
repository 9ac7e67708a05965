"""Issue 15: the phone shows the billing code and the amount to pay once invoiced, the status goes on past
"invoiced" (paid, receipt issued, ready, delivered) and a download reference that is a web address is a link."""

from __future__ import annotations

from sqlmodel import select

import clock
from models import Invoice
from rules import payments as pay_rules
from rules import requests as rq
from tests.phone.test_page import initial_state
from tests.request_fixtures import Staff, advance, billing_code, ntpn, serve_visitor


def _invoiced(db):
    staff = Staff(db)
    now = clock.utcnow()
    with db.write() as s:
        ticket = serve_visitor(s, officer_id=staff.officer, now=now)
        req = rq.open_request(s, ticket_id=ticket.id, user_id=staff.officer, now=now)
        rq.add_line(s, request_id=req.id, user_id=staff.officer, item_code="microdata_raw", measure=2_500_001, now=now)
        advance(s, req.id, staff, "checked", now=now)
        from rules import invoices as inv_rules

        code = "720261400000777"  # a PNBP code beginning with 7 (SIMPONI)
        inv_rules.issue_invoice(s, request_id=req.id, user_id=staff.officer, billing_code=code, now=now)
        return staff, ticket.status_token, req.id, code, req.total


def test_the_phone_follows_the_money_past_invoiced(make_api, db):
    staff, token, req_id, code, total = _invoiced(db)
    phone = make_api()
    part = phone.get(f"/s/{token}/state?lang=en").get_json()["request"]
    assert (part["state"], part["progress"], part["state_label"]) == (
        "invoiced",
        "awaiting_payment",
        "invoiced, waiting for payment",
    )
    assert part["pay"]["billing_code"] == code and part["pay"]["amount"] == total and total > 0
    with db.read() as s:
        last_day = rq.invoice_json(s, s.exec(select(Invoice)).one(), clock.utcnow())["last_valid_day"]
    year, month, day = (int(x) for x in last_day.split("-"))
    assert part["pay"]["until"].endswith(str(year)) and str(day) in part["pay"]["until"]
    # The page carries the same (its script renders it): Indonesian by default, the long date in Indonesian.
    html = make_api().get(f"/s/{token}").get_data(as_text=True)  # a new browser: the language chosen is kept
    page_part = initial_state(html)["request"]
    assert page_part["pay"]["billing_code"] == code and page_part["state_label"] == "ditagih, menunggu pembayaran"

    t = clock.utcnow()
    with db.write() as s:
        inv = rq.active_invoice(s, req_id)
        pay = pay_rules.record_payment(s, invoice_id=inv.id, user_id=staff.treasurer, ntpn=ntpn(), paid_at=t, now=t)
    part = phone.get(f"/s/{token}/state?lang=en").get_json()["request"]
    assert part["progress"] == "payment_recorded" and part["pay"] is None
    with db.write() as s:
        pay_rules.confirm_payment(s, payment_id=pay.id, user_id=staff.treasurer, now=t)
    assert phone.get(f"/s/{token}/state?lang=en").get_json()["request"]["state_label"] == "paid"
    with db.write() as s:
        pay_rules.issue_receipt(s, invoice_id=inv.id, user_id=staff.treasurer, now=t)
    part = phone.get(f"/s/{token}/state?lang=en").get_json()["request"]
    assert (part["progress"], part["state_label"]) == ("receipted", "paid, receipt issued")
    with db.write() as s:
        advance(s, req_id, staff, "ready", now=t)
    assert phone.get(f"/s/{token}/state?lang=en").get_json()["request"]["progress"] == "ready"
    with db.write() as s:
        advance(s, req_id, staff, "delivered", now=t)
    part = phone.get(f"/s/{token}/state?lang=en").get_json()["request"]
    assert (part["progress"], part["state_label"]) == ("delivered", "delivered")
    assert part["download_ref"].startswith("https://") and part["download_link"] is True
    # The visitor's own request API says the same.
    with db.read() as s:
        vtoken = rq.get_request(s, req_id).visitor_token
    assert phone.get(f"/api/visitor/requests/{vtoken}?lang=en").get_json()["progress"] == "delivered"
    assert billing_code()  # the fixtures' codes still pass the rule (they begin with 8)
