"""Helpers for browser tests: the kiosk's guest book, a wall display with a recording voice, signing in at a
counter. One copy each, for every browser test."""

from __future__ import annotations

import re

from playwright.sync_api import expect

OFFICE = "1600"


def fill_guest_book(
    page,
    *,
    name: str = "Siti Aminah",
    email: str = "siti.aminah@contoh.id",
    phone: str = "0812 3456 7890",
    occupation: str = "lecturer_teacher",
    service: str = "penjualan",
    submit: bool = False,
) -> None:
    """Open the form from the welcome screen and answer every question as a university researcher would."""
    page.get_by_test_id("start").click()
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#phone", phone)
    page.check("input[name=gender][value=P]")
    page.fill("#birth_year", "1994")
    page.select_option("#education", "s2")
    page.select_option("#occupation", occupation)
    page.select_option("#institution_category", "domestic_education")
    page.fill("#institution_name", "Universitas Sriwijaya")
    page.select_option("#purpose", "research")
    page.get_by_test_id(f"service-{service}").click()
    page.get_by_test_id("consent").check()
    if submit:
        page.get_by_test_id("submit").click()


SCREEN = {"viewport": {"width": 1280, "height": 800}, "locale": "id-ID"}
# The browser's speech engine, replaced by a voice that takes 400 ms per sentence and writes down when each
# sentence starts and ends (headless Chromium has no voices). Everything else on the page is real.
FAKE_VOICE = """
window.__speech = [];
(function () {
  if (!("speechSynthesis" in window)) return;
  let current = null, timer = null;
  const finish = (how) => {
    if (!current) return;
    const u = current; current = null; clearTimeout(timer);
    window.__speech.push({ event: how, text: u.text, t: performance.now() });
    if (u.onend) u.onend(new Event(how));
  };
  speechSynthesis.speak = function (u) {
    if (current) window.__speech.push({ event: "overlap", text: u.text, t: performance.now() });
    current = u;
    window.__speech.push({ event: "start", text: u.text, lang: u.lang, t: performance.now() });
    timer = setTimeout(() => finish("end"), 400);
  };
  speechSynthesis.cancel = function () { finish("cancel"); };
})();
"""


def open_display(screens, base: str, **kw):
    display = screens(f"{base}/display/{OFFICE}", voice=True, **kw)
    expect(display.get_by_test_id("connection")).not_to_have_class(re.compile("offline"))
    expect(display.locator(".counter-box[data-counter='1']")).to_be_visible()  # the first snapshot is drawn
    return display


def sign_in_at_counter(screens, base: str, username: str, counter: int):
    page = screens(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"{username}-demo")
    page.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/counter/$"))
    page.get_by_test_id(f"counter-{counter}").click()
    expect(page.get_by_test_id("counter-status")).to_have_text("Tutup")  # looking does not open it
    page.get_by_test_id("reopen").click()
    expect(page.get_by_test_id("counter-status")).to_have_text("Buka")
    return page
