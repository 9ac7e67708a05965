"""The visitor's phone in a real (headless Chromium) browser at a phone's size, against a real server.

The page follows the queue live over the websocket, falls back to polling when the socket cannot connect,
catches up after the phone slept, and announces the visitor's own call (banner, vibration, sound).
"""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect
from sqlmodel import select

from models import Counter
from security.limits import DEVICE_COOKIE
from tests.factories import guest_form
from tests.kiosks import pair_browser, pair_requests
from tests.pages import fill_guest_book

pytestmark = pytest.mark.browser

OFFICE = "1600"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "id-ID",
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36",
}
# Observe (not replace) what the page asks of the phone: vibrations and the tones it starts.
INSTRUMENT = """
window.__vibrations = [];
Object.defineProperty(Navigator.prototype, "vibrate", { configurable: true,
  value: function (pattern) { window.__vibrations.push(pattern); return true; } });
window.__tones = 0;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__tones += 1; return start.apply(this, args); };
"""


class Http:
    """The kiosk or an officer, over real HTTP with the CSRF token, as their screens do."""

    def __init__(self, base: str):
        self.base, self.s = base, requests.Session()
        self.token = self.s.get(base + "/api/session").json()["csrf_token"]

    def post(self, path, json=None):
        r = self.s.post(self.base + path, json=json, headers={"X-CSRFToken": self.token})
        assert r.status_code in (200, 201), r.text
        return r.json()

    def take(self, **kw) -> dict:
        if DEVICE_COOKIE not in self.s.cookies:
            pair_requests(self.s, self.base)
        services = self.s.get(f"{self.base}/api/offices/{OFFICE}/services").json()["services"]
        sid = next(x["id"] for x in services if x["code"] == "penjualan")
        return self.post(f"/api/offices/{OFFICE}/tickets", guest_form(sid, **kw))

    def officer(self, counter: int, app) -> Http:
        self.token = self.post("/api/login", {"username": "petugas1", "password": "petugas1-demo"})["csrf_token"]
        with app.extensions["loket.db"].read() as s:
            self.cid = s.exec(select(Counter.id).where(Counter.number == counter)).one()
        self.post(f"/api/counters/{self.cid}/open")
        return self

    def call_next(self) -> dict:
        return self.post(f"/api/counters/{self.cid}/call-next")["ticket"]

    def start(self, ticket: dict) -> None:
        self.post(f"/api/counters/{self.cid}/tickets/{ticket['id']}/start")


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    context.add_init_script(INSTRUMENT)
    page = context.new_page()
    yield page
    context.close()


def test_phone_follows_the_queue_live_and_announces_its_own_call(live_server, app, phone):
    app.config["STATUS_POLL_SECONDS"] = 600  # so any update seen here came over the websocket
    kiosk = Http(live_server.url)
    ahead_of_me = kiosk.take(name="Ahmad Fauzi")
    mine = kiosk.take(name="Siti Aminah")

    phone.goto(mine["status_url"])
    expect(phone.get_by_test_id("hello")).to_have_text("Halo, Siti")
    expect(phone.get_by_test_id("code")).to_have_text(mine["code"])
    expect(phone.get_by_test_id("ahead")).to_have_text("1")
    expect(phone.get_by_test_id("wait")).to_contain_text("menit")
    expect(phone.get_by_test_id("promise")).to_contain_text("paling lambat 10 menit")
    expect(phone.locator("#status")).to_have_attribute("data-live", "1")  # the websocket is up
    expect(phone.get_by_test_id("conn")).to_have_text("Langsung")
    # Fits a small phone: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert ahead_of_me["code"] not in phone.content() and "Ahmad" not in phone.content()

    officer = Http(live_server.url).officer(1, app)
    first = officer.call_next()
    assert first["code"] == ahead_of_me["code"]
    # The ticket ahead was called: this phone moves to the front, without reloading.
    expect(phone.get_by_test_id("ahead")).to_have_text("0")
    expect(phone.get_by_test_id("wait")).to_have_text("Anda berikutnya")
    expect(phone.get_by_test_id("call-banner")).to_be_hidden()
    assert phone.evaluate("window.__vibrations.length") == 0

    officer.start(first)
    called = officer.call_next()  # finishes the visitor ahead and calls this one
    assert called["code"] == mine["code"]
    banner = phone.get_by_test_id("call-banner")
    expect(banner).to_be_visible()
    expect(phone.get_by_test_id("call-counter")).to_have_text("Silakan menuju loket 1")
    expect(phone.get_by_test_id("step-out")).to_be_hidden()
    expect(phone.get_by_test_id("cancel-box")).to_be_hidden()
    phone.wait_for_function("window.__vibrations.length === 1 && window.__tones >= 3")
    assert phone.evaluate("window.__vibrations[0]") == [400, 150, 400, 150, 800]
    assert "\U0001f514" in phone.title() and mine["code"] in phone.title()
    assert ahead_of_me["code"] not in phone.content()

    # The officer recalls: a new announcement, marked as a recall.
    officer.post(f"/api/counters/{officer.cid}/tickets/{called['id']}/recall")
    expect(phone.get_by_test_id("call-banner")).to_contain_text("Dipanggil ulang")
    phone.wait_for_function("window.__vibrations.length === 2")


def block_socketio(page) -> None:
    """A network where Socket.IO gets through neither as a websocket nor as HTTP long-polling."""
    page.route_web_socket("**/socket.io/**", lambda ws: ws.close())
    page.route("**/socket.io/**", lambda route: route.abort())


def test_without_a_websocket_the_client_falls_back_to_long_polling_and_stays_live(live_server, app, phone, browser):
    browser.expect_console_error(r"WebSocket connection to .* failed")  # the server refuses websockets here
    from extensions import socketio

    app.config["STATUS_POLL_SECONDS"] = 600  # so any update seen here came over Socket.IO's own polling
    # A proxy on the way that does not pass websockets: the handshake is answered 400, the browser's
    # WebSocket fails before opening, as it does behind such a proxy.
    socketio.server.eio.transports = ["polling"]
    kiosk = Http(live_server.url)
    kiosk.take()
    mine = kiosk.take()
    with phone.expect_request(lambda r: "/socket.io/" in r.url and "transport=polling" in r.url):
        phone.goto(mine["status_url"])
    expect(phone.locator("#status")).to_have_attribute("data-live", "1")
    expect(phone.get_by_test_id("conn")).to_have_text("Langsung")
    officer = Http(live_server.url).officer(1, app)
    officer.start(officer.call_next())
    assert officer.call_next()["code"] == mine["code"]
    expect(phone.get_by_test_id("call-counter")).to_have_text("Silakan menuju loket 1")
    phone.wait_for_function("window.__vibrations.length === 1")


def test_without_socketio_the_page_polls_and_the_visitor_can_step_out_and_cancel(live_server, app, phone):
    app.config["STATUS_POLL_SECONDS"] = 1
    block_socketio(phone)
    kiosk = Http(live_server.url)
    ahead_of_me = kiosk.take()
    mine = kiosk.take()
    behind_me = kiosk.take()

    phone.goto(mine["status_url"] + "?lang=en")
    expect(phone.get_by_test_id("ahead")).to_have_text("1")
    expect(phone.get_by_test_id("conn")).to_have_text("Updating every few seconds")
    expect(phone.locator("#status")).to_have_attribute("data-live", "0")

    officer = Http(live_server.url).officer(1, app)
    assert officer.call_next()["code"] == ahead_of_me["code"]
    expect(phone.get_by_test_id("wait")).to_have_text("You are next")  # learnt by polling

    # "I'll be back in 10 minutes", then "I'm back".
    phone.get_by_test_id("back-10").tap()
    expect(phone.get_by_test_id("back-note")).to_contain_text("You said you will be back by")
    phone.get_by_test_id("back-0").tap()
    expect(phone.get_by_test_id("back-note")).to_be_hidden()

    # Cancel asks first; "no" keeps the place, "yes" gives it up and the visitor behind moves up.
    behind = requests.get(f"{live_server.url}/s/{behind_me['status_token']}/state").json()
    assert behind["ahead"] == 1
    phone.get_by_test_id("cancel").tap()
    phone.get_by_test_id("cancel-no").tap()
    expect(phone.get_by_test_id("state-line")).to_have_text("Waiting")
    phone.get_by_test_id("cancel").tap()
    phone.get_by_test_id("cancel-yes").tap()
    expect(phone.get_by_test_id("state-line")).to_have_text("This ticket was cancelled.")
    expect(phone.get_by_test_id("cancel-box")).to_be_hidden()
    behind = requests.get(f"{live_server.url}/s/{behind_me['status_token']}/state").json()
    assert behind["ahead"] == 0


def test_a_phone_that_slept_through_its_call_shows_it_when_it_wakes(live_server, app, phone):
    app.config["STATUS_POLL_SECONDS"] = 600
    block_socketio(phone)  # nothing arrives while it sleeps
    kiosk = Http(live_server.url)
    mine = kiosk.take()
    phone.goto(mine["status_url"])
    expect(phone.get_by_test_id("wait")).to_have_text("Anda berikutnya")

    # Headless Chromium has no screen to switch off, so the page is told what a phone's browser tells it:
    # the document became hidden (screen off) and, later, visible again (screen on).
    phone.evaluate("""Object.defineProperty(document, "visibilityState", { configurable: true,
                        get: () => window.__visibility || "visible" });
                      window.__visibility = "hidden"; document.dispatchEvent(new Event("visibilitychange"));""")
    officer = Http(live_server.url).officer(1, app)
    assert officer.call_next()["code"] == mine["code"]  # called while the screen was off: nothing arrives
    phone.wait_for_timeout(500)
    expect(phone.get_by_test_id("call-banner")).to_be_hidden()
    phone.evaluate("""window.__visibility = "visible"; document.dispatchEvent(new Event("visibilitychange"));""")

    expect(phone.get_by_test_id("call-banner")).to_be_visible()
    expect(phone.get_by_test_id("call-counter")).to_have_text("Silakan menuju loket 1")
    phone.wait_for_function("window.__vibrations.length === 1")


def test_a_link_that_expires_while_open_turns_into_not_found_when_the_socket_is_refused(
    live_server, app, phone, browser
):
    browser.expect_console_error(r"status of 404 .*/s/")  # the expired link is not found, on purpose
    from datetime import timedelta

    import clock
    from extensions import socketio
    from phone.live import NAMESPACE, ticket_room

    app.config["STATUS_POLL_SECONDS"] = 600  # no JSON poll: the refused reconnect is what notices
    mine = Http(live_server.url).take()
    phone.goto(mine["status_url"])
    expect(phone.locator("#status")).to_have_attribute("data-live", "1")
    phone.get_by_test_id("cancel").tap()
    phone.get_by_test_id("cancel-yes").tap()
    expect(phone.get_by_test_id("state-line")).to_have_text("Antrean ini sudah dibatalkan.")
    clock.set_offset(timedelta(hours=25))  # long after the visit ended: the link has expired
    # This phone's connection drops (a server restart, a network change), without waiting for the phone to read
    # the goodbye: Engine.IO's own disconnect waits until the socket's queue is read, and a socket still on
    # long-polling between two polls never is (its next poll finds it closed). The run hung there twice.
    token = mine["status_url"].rstrip("/").rsplit("/", 1)[1]
    phones = dict(socketio.server.manager.rooms.get(NAMESPACE, {}).get(ticket_room(token), {}))
    assert len(phones) == 1, phones
    socketio.server.eio.sockets[next(iter(phones.values()))].close(wait=False)
    # The client reconnects by itself, the server refuses the expired token, the page asks /state: 404.
    expect(phone.get_by_test_id("not-found")).to_be_visible(timeout=15000)


def test_an_expired_or_guessed_link_shows_not_found_on_the_phone(live_server, phone, browser):
    browser.expect_console_error(r"status of 404 .*/s/not-a-real-ticket-link")
    phone.goto(f"{live_server.url}/s/not-a-real-ticket-link")
    expect(phone.get_by_test_id("not-found")).to_contain_text("Tautan ini tidak berlaku atau sudah kedaluwarsa")


def test_the_paid_product_request_shows_step_by_step(live_server, app, phone, browser):
    browser.expect_console_error(r"status of 403 .*/papers\b")  # the papers refused a wrong phone ending
    from tests.phone.test_request import delivered_request, last4

    token, number = delivered_request(app.extensions["loket.db"], name="Siti Aminah")
    phone.goto(f"{live_server.url}/s/{token}")
    box = phone.get_by_test_id("request-box")
    expect(box).to_be_visible()
    expect(box.locator("h2")).to_have_text(f"Permintaan Anda {number}")
    expect(phone.get_by_test_id("request-steps").locator("li").last).to_contain_text("Produk diserahkan")
    # The papers name the buyer: they open with the last 4 digits of the phone typed at the kiosk.
    expect(phone.get_by_test_id("request-invoice-pdf")).to_have_count(0)
    phone.get_by_test_id("papers-digits").fill("0000")
    phone.get_by_test_id("papers-open").tap()
    expect(phone.get_by_test_id("message")).to_contain_text("Ini bukan 4 angka terakhir")
    phone.get_by_test_id("papers-digits").fill(last4(app.extensions["loket.db"], number))
    phone.get_by_test_id("papers-open").tap()
    expect(phone.get_by_test_id("request-invoice-pdf")).to_contain_text("dibayar")
    expect(phone.get_by_test_id("request-receipt-pdf")).to_contain_text("Kuitansi")
    expect(phone.get_by_test_id("request-rating")).to_have_text("Nilai layanan kami")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # The receipt downloads as a PDF.
    with phone.expect_download() as dl:
        phone.get_by_test_id("request-receipt-pdf").click()
    assert open(dl.value.path(), "rb").read(5) == b"%PDF-"
    # Asking for a correction from the phone.
    phone.get_by_test_id("correction-open").tap()
    phone.get_by_test_id("correction-text").fill("Tahun data pada berkas salah")
    phone.get_by_test_id("correction-send").tap()
    expect(phone.get_by_test_id("notice")).to_contain_text("Permintaan koreksi Anda sudah terkirim")
    # (the helper dated the earlier steps a few minutes ahead, so the new step is not necessarily last)
    expect(phone.get_by_test_id("request-steps").locator("li", has_text="Koreksi")).to_have_count(1)
    expect(phone.get_by_test_id("correction-open")).to_have_count(0)


def test_scanning_the_kiosk_screens_qr_code_opens_the_status_page(live_server, page, phone):
    import io

    import zxingcpp
    from PIL import Image

    pair_browser(page.context, live_server.url)
    page.goto(f"{live_server.url}/kiosk/1600")
    fill_guest_book(
        page,
        name="Rina Kurniawati",
        email="rina@example.id",
        phone="081234567890",
        occupation="researcher",
        submit=True,
    )
    code = page.get_by_test_id("ticket-code")
    expect(code).to_have_text("B-001")
    qr = page.get_by_test_id("ticket-qr-img")
    expect(qr).to_be_visible()
    page.wait_for_function("() => document.querySelector('[data-testid=ticket-qr-img]').naturalWidth > 0")
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())).convert("L"))
    assert len(found) == 1 and found[0].text.startswith(live_server.url + "/s/")
    # The phone's camera app opens the link.
    phone.goto(found[0].text)
    expect(phone.get_by_test_id("code")).to_have_text("B-001")
    expect(phone.get_by_test_id("hello")).to_have_text("Halo, Rina")
