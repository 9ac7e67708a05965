"""Security headers on every kind of answer: pages (public and staff), JSON, PDFs, CSV, errors; nothing that
carries personal data may be kept by a browser or proxy; pages have no inline script and run under a CSP
without 'unsafe-inline', with no CSP error in the browser's console."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import ApiClient
from tests.factories import guest_form
from tests.kiosks import pair_browser
from tests.pages import OFFICE, sign_in_at_counter

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def _check(r, *, page: bool):
    for name, value in COMMON.items():
        assert r.headers.get(name) == value, (r.request.path, name)
    assert "camera=()" in r.headers["Permissions-Policy"]
    assert r.headers["Cache-Control"] == "no-store", r.request.path
    csp = r.headers.get("Content-Security-Policy", "")
    if page:
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        scripts = re.search(r"script-src ([^;]+)", csp).group(1)
        assert scripts.strip() == "'self'", scripts
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", r.text)
        assert inline == [], inline  # page data travels in JSON data blocks, which never run
    elif r.mimetype != "application/pdf":
        assert "default-src 'none'" in csp


def test_every_kind_of_answer_carries_the_headers(app, api, served, new_request):
    request_id = new_request("invoiced")
    staff = ApiClient(app.test_client())
    staff.login("pengawas")
    visitor = api.post("/api/offices/1600/tickets", json=guest_form(1))
    token = visitor.get_json()["status_token"]
    pages = {
        api: ["/kiosk/1600", "/display/1600", "/login", f"/s/{token}", "/kiosk/pair", "/no-such-page"],
        staff: ["/counter/", "/supervisor/", "/supervisor/reports", "/treasurer/", "/printers/", "/account/password"],
        ApiClient(app.test_client()): ["/counter/"],  # a redirect to the sign-in page
    }
    for client, paths in pages.items():
        for path in paths:
            r = client.get(path)
            assert r.status_code in (200, 302, 404), (path, r.status_code)
            assert r.mimetype == "text/html"
            _check(r, page=True)
    invoice = staff.get(f"/api/requests/{request_id}").get_json()["invoices"][0]["id"]
    data = {
        api: ["/api/session", "/api/offices/1600/queue", f"/api/tickets/status/{token}", "/api/openapi.json"],
        staff: [
            f"/api/requests/{request_id}",
            "/api/requests?q=Pengunjung",
            "/supervisor/reports.csv?period=day",
            "/supervisor/reports.pdf?period=day",
            f"/api/invoices/{invoice}/pdf",
            "/api/counters/999999/state",
        ],
    }
    for client, paths in data.items():
        for path in paths:
            r = client.get(path)
            assert r.status_code in (200, 404), (path, r.status_code)
            _check(r, page=False)
    static = api.get("/static/js/loket.js")
    assert static.headers.get("Cache-Control") != "no-store"  # static files may be cached
    assert static.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.browser
def test_pages_run_their_scripts_under_the_csp_without_console_errors(live_server, screens):
    """The counter (inline data script + scripts), the display, the kiosk and the supervisor's live view."""
    problems: list[str] = []

    def watch(page):
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        return page

    base = live_server.url
    counter = watch(sign_in_at_counter(screens, base, "petugas1", 1))  # its script ran: the counter opened
    display = watch(screens(f"{base}/display/{OFFICE}"))
    expect(display.locator(".counter-box[data-counter='1']")).to_be_visible()  # drawn by its script
    kiosk = screens("")
    pair_browser(kiosk.context, base)
    watch(kiosk).goto(f"{base}/kiosk/{OFFICE}")
    kiosk.get_by_test_id("start").click()
    expect(kiosk.locator("#form-section")).to_be_visible()
    counter.reload()
    expect(counter.get_by_test_id("counter-status")).to_have_text("Buka")
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert not problems, problems
