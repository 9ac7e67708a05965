"""The counter screen as an officer finds it on day one: looking does not open a counter, the request panel
follows every change to its visitor's requests live (no polling), and the screen speaks its language."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from models import Counter
from rules import requests as rq
from tests.pages import OFFICE
from tests.request_fixtures import ntpn

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def sign_in(screens, base: str, username: str = "petugas1", lang: str = "id"):
    page = screens(f"{base}/login?lang={lang}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"{username}-demo")
    page.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/counter/"))
    return page


def counter_status(db, number: int) -> str:
    with db.read() as s:
        return s.exec(select(Counter.status).where(Counter.number == number)).one()


def test_looking_at_a_counter_does_not_open_it_to_the_public(live_server, screens, db):
    officer = sign_in(screens, live_server.url)
    officer.get_by_test_id("counter-2").click()
    expect(officer.get_by_test_id("counter-status")).to_have_text("Tutup")
    expect(officer.get_by_test_id("reopen")).to_have_text("Buka loket ini")
    expect(officer.get_by_test_id("call-next")).to_be_disabled()
    officer.wait_for_load_state("networkidle")
    assert counter_status(db, 2) == "closed"
    display = screens(f"{live_server.url}/display/{OFFICE}")
    expect(display.locator(".counter-box[data-counter='2']")).to_be_visible()
    expect(display.locator(".counter-box[data-counter='2']")).to_have_class(re.compile(r"\bis-closed\b"))

    officer.get_by_test_id("reopen").click()  # the officer's own decision
    expect(officer.get_by_test_id("counter-status")).to_have_text("Buka")
    assert counter_status(db, 2) == "open"
    expect(display.locator(".counter-box[data-counter='2']")).not_to_have_class(re.compile(r"\bis-closed\b"))


def test_the_chooser_and_the_units_speak_the_screen_language(live_server, screens):
    officer = sign_in(screens, live_server.url, lang="en")
    expect(officer.locator("main")).to_contain_text("Sale of Statistical Products")
    expect(officer.locator("main")).not_to_contain_text("Penjualan Produk Statistik")
    officer.goto(f"{live_server.url}/counter/1?lang=id")
    officer.get_by_test_id("rq-item").select_option("microdata_raw", force=True)
    unit = officer.locator("#rq-measure-unit")
    expect(unit).to_have_text("(bita per set data)")  # was "(bita per dataset)": half English


def test_the_request_panel_follows_the_treasurer_and_the_phone_live(live_server, screens, new_request, make_api, db):
    req_id = new_request("invoiced")  # the visitor is being served at counter 1 by petugas1
    with db.read() as s:
        req = rq.get_request(s, req_id)
        token, total = req.visitor_token, req.total
    officer = sign_in(screens, live_server.url)
    officer.goto(f"{live_server.url}/counter/1")
    panel = officer.get_by_test_id("request-panel")
    expect(panel.get_by_test_id("rq-state")).to_have_attribute("data-state", "invoiced")
    expect(panel.get_by_test_id("rq-new")).to_be_enabled()  # the open request is invoiced, not "open"
    listed = panel.locator("#rq-visitor-requests li").first
    expect(listed).to_contain_text("Rp 50.020")
    assert total == 50020
    assert not ISO_DATE.search(officer.locator("main").inner_text()), "an ISO date on the counter"
    # The screen no longer polls (every 20 s before): the changes below arrive over Socket.IO within seconds.

    treasurer = make_api()
    treasurer.login("bendahara")
    paid = treasurer.post(
        f"/api/requests/{req_id}/payments", json={"ntpn": ntpn(), "paid_at": "2026-01-14T10:30", "confirm": True}
    )
    assert paid.status_code == 200, paid.get_json()
    number = paid.get_json()["payment"]["ntpn"]
    expect(panel.locator("#rq-docs")).to_contain_text(number, timeout=5000)  # the treasurer's confirmation, live
    receipt = treasurer.post(f"/api/requests/{req_id}/receipt", json={})
    assert receipt.status_code == 200, receipt.get_json()
    expect(panel.locator("#rq-docs")).to_contain_text("Kuitansi", timeout=5000)

    # The visitor asks for a correction from the phone once the product is delivered.
    with db.write() as s:
        from tests.request_fixtures import Staff, advance

        advance(s, req_id, Staff(db), "delivered")
    phone = make_api()
    asked = phone.post(f"/api/visitor/requests/{token}/correction", json={"text": "Tabel 3 kosong"})
    assert asked.status_code == 200, asked.get_json()
    expect(panel.get_by_test_id("rq-state")).to_have_attribute("data-state", "correcting", timeout=5000)


def test_a_disabled_button_looks_disabled(live_server, screens):
    officer = sign_in(screens, live_server.url)
    officer.get_by_test_id("counter-1").click()
    officer.get_by_test_id("reopen").click()
    no_show = officer.get_by_test_id("no-show")
    expect(no_show).to_be_disabled()
    # Compared once the open counter is drawn (the colours were once read before the server had answered).
    expect(officer.get_by_test_id("call-next")).to_be_enabled()
    look = no_show.evaluate("b => getComputedStyle(b).backgroundColor")
    call = officer.get_by_test_id("call-next").evaluate("b => getComputedStyle(b).backgroundColor")
    assert look == "rgb(236, 239, 243)" and look != "rgb(243, 146, 0)", look  # grey, not a faded orange
    assert call != look  # an enabled button keeps its colour
