"""axe-core on every screen, in Indonesian and in English: no critical or serious violation.

axe-core (tests/browser/vendor/axe.min.js, MPL-2.0, test-only) is loaded into each window as an init script, which
the pages' CSP does not govern. A screen is one row of SCREENS (see Screen): its name, who signs in, how its address
is found, what to wait for, and optionally what to do first; a new screen (the admin screens, for instance) is one
more row.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest
from playwright.sync_api import expect

from rules import requests as rq
from tests.pages import OFFICE, SCREEN
from tests.phone.conftest import take

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
FAIL_ON = ("critical", "serious")


def _phone(app, api, new_request) -> str:
    return take(api)["status_url"].split("://", 1)[-1].split("/", 1)[1]


def _rating(app, api, new_request) -> str:
    with app.extensions["loket.db"].read() as s:
        return f"rate/{rq.get_request(s, new_request('delivered')).rating_token}"


def _verify(app, api, new_request) -> str:
    req_id = new_request("invoiced")
    with app.extensions["loket.db"].read() as s:
        return f"verify/{rq.active_invoice(s, req_id).verify_token}"


def _visitor_request(app, api, new_request) -> str:
    with app.extensions["loket.db"].read() as s:
        return f"o/{rq.get_request(s, new_request('invoiced')).visitor_token}"


def _serving(app, api, new_request) -> str:
    new_request("invoiced")  # counter 1 serves a visitor whose request waits for payment: the panel is full
    return "counter/1"


def _kiosk_form(page) -> None:
    """The guest book with its on-screen keyboard up, after an empty submit (every error shown)."""
    page.get_by_test_id("start").click()
    page.get_by_test_id("submit").click()
    page.locator(".field-error").first.wait_for()
    page.locator("#name").click()
    page.get_by_test_id("osk").wait_for()


class Screen(NamedTuple):
    name: str
    who: str | None  # who signs in (None: a public screen)
    where: object  # the path, or a function of (app, a kiosk client, new_request) giving it
    ready: str  # what to wait for before the check (the screen's script has drawn it)
    then: object = None  # what to do on the page before the check (a state worth checking too)


SCREENS = [
    Screen(*row)
    for row in [
        ("kiosk", None, f"kiosk/{OFFICE}", "[data-testid=start]"),
        ("kiosk-form", None, f"kiosk/{OFFICE}", "[data-testid=start]", _kiosk_form),
        ("display", None, f"display/{OFFICE}", ".counter-box"),
        ("sign-in", None, "login", "input[name=username]"),
        ("online", None, f"online/{OFFICE}", "main"),
        ("online-request", None, _visitor_request, "main"),
        ("phone", None, _phone, "[data-testid=code]"),
        ("rating", None, _rating, "form"),
        ("verify", None, _verify, "main"),
        ("counter-chooser", "petugas1", "counter/", "[data-testid=counter-1]"),
        ("counter", "petugas1", "counter/1", "[data-testid=counter-status]"),
        ("counter-serving", "petugas1", _serving, "[data-testid=rq-state]"),
        ("treasurer", "bendahara", "treasurer/", "main"),
        ("supervisor", "pengawas", "supervisor/", "main"),
        ("reports", "pengawas", "supervisor/reports", "main"),
        ("printers", "pengawas", "printers/", "main"),
        ("privacy", "pengawas", "privacy/", "main"),
        ("home", "admin", "", "main"),
        *[
            (f"admin-{page}", "admin", f"admin/{page}", "main")
            for page in ("", "office", "hours", "services", "counters", "staff", "printers", "devices", "audit")
        ],
        ("admin-read-only", "pengawas", "admin/services", "main"),
    ]
]


def violations(page) -> list[str]:
    """axe's critical and serious violations on the page as it is now, one line each."""
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    found = []
    for v in result["violations"]:
        if v["impact"] in FAIL_ON:
            for node in v["nodes"]:
                found.append(f"{v['impact']} {v['id']}: {node['target']} {node.get('failureSummary', '')[:200]}")
    return found


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"{username}-demo")
    page.locator("button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def open_checked(browser, base: str, who: str | None):
    from tests.kiosks import pair_browser

    ctx = browser.new_context(**SCREEN)
    ctx.add_init_script(path=str(AXE))
    pair_browser(ctx, base)
    page = ctx.new_page()
    if who:
        sign_in(page, base, who)
    return ctx, page


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_no_critical_or_serious_violation(screen, live_server, browser, app, api, new_request):
    name, who, where, ready, then = screen
    if name == "kiosk-form":
        browser.expect_console_error(r"status of 400 .*/tickets\b")  # the empty guest book, refused on purpose
    path = where(app, api, new_request) if callable(where) else where
    ctx, page = open_checked(browser, live_server.url, who)
    try:
        problems = {}
        for lang in ("id", "en"):
            sep = "&" if "?" in path else "?"
            page.goto(f"{live_server.url}/{path}{sep}lang={lang}")
            page.locator(ready).first.wait_for()
            page.wait_for_load_state("networkidle")
            if then:
                then(page)
            if found := violations(page):
                problems[lang] = found
        assert not problems, f"{name}: {problems}"
    finally:
        ctx.close()
