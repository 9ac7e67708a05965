"""The touch kiosk's on-screen keyboard and the guest book's fit on the kiosk's screens, in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.pages import OFFICE

LANDSCAPE = {"width": 1280, "height": 800}
PORTRAIT = {"width": 1080, "height": 1920}
KEY = {" ": "{space}"}


def type_on_screen(kiosk, field: str, text: str) -> None:
    """Touch the field, then touch the keys of the on-screen keyboard one by one (capitals through shift)."""
    kiosk.locator(f"#{field}").click()
    osk = kiosk.get_by_test_id("osk")
    expect(osk).to_be_visible()
    for ch in text:
        if ch.isalpha() and ch.isupper():
            osk.locator('[data-skbtn="{shift}"]').click()
        osk.locator(f'[data-skbtn="{KEY.get(ch, ch)}"]').first.click()
    expect(kiosk.locator(f"#{field}")).to_have_value(text)


def test_the_guest_book_is_filled_with_the_on_screen_keyboard_only(live_server, screens):
    kiosk = screens(f"{live_server.url}/kiosk/{OFFICE}", viewport=LANDSCAPE)
    kiosk.get_by_test_id("start").click()
    osk = kiosk.get_by_test_id("osk")
    kiosk.locator("#email").click()
    expect(osk).to_have_attribute("data-layout", "email")
    type_on_screen(kiosk, "email", "siti.aminah@contoh.id")
    kiosk.locator("#phone").click()
    expect(osk).to_have_attribute("data-layout", "number")
    type_on_screen(kiosk, "phone", "0812 3456 7890")
    kiosk.locator("#name").click()
    expect(osk).to_have_attribute("data-layout", "letters")
    type_on_screen(kiosk, "name", "Siti Aminah")
    type_on_screen(kiosk, "birth_year", "1994")
    expect(osk).to_have_attribute("data-layout", "number")
    osk.locator('[data-skbtn="9"]').click()  # a fifth digit: the field keeps its four
    expect(kiosk.locator("#birth_year")).to_have_value("1994")
    type_on_screen(kiosk, "institution_name", "Universitas Sriwijaya")
    osk.locator('[data-skbtn="{done}"]').click()
    expect(osk).to_be_hidden()
    # The choices are touched, not typed.
    kiosk.check("input[name=gender][value=P]")
    kiosk.select_option("#education", "s2")
    kiosk.select_option("#occupation", "lecturer_teacher")
    kiosk.select_option("#institution_category", "domestic_education")
    kiosk.select_option("#purpose", "research")
    kiosk.get_by_test_id("service-penjualan").click()
    kiosk.get_by_test_id("consent").check()
    kiosk.get_by_test_id("submit").click()
    expect(kiosk.get_by_test_id("ticket-code")).to_have_text("B-001")


@pytest.mark.parametrize("screen", [LANDSCAPE, PORTRAIT], ids=["1280x800", "1080x1920"])
def test_the_guest_book_fits_the_kiosk_screen_without_scrolling(live_server, screens, screen):
    kiosk = screens(f"{live_server.url}/kiosk/{OFFICE}", viewport=screen)
    kiosk.get_by_test_id("start").click()
    expect(kiosk.locator("#guestbook")).to_be_visible()
    height = kiosk.evaluate("document.documentElement.scrollHeight")
    assert height <= screen["height"], f"the guest book is {height} px tall on a {screen['height']} px screen"
    box = kiosk.get_by_test_id("submit").bounding_box()
    assert box["y"] + box["height"] <= screen["height"]
    assert kiosk.evaluate("document.documentElement.scrollWidth") <= screen["width"]


def test_in_portrait_the_submit_stays_in_sight_above_the_keyboard(live_server, screens):
    kiosk = screens(f"{live_server.url}/kiosk/{OFFICE}", viewport=PORTRAIT)
    kiosk.get_by_test_id("start").click()
    kiosk.locator("#name").click()
    keys = kiosk.get_by_test_id("osk").bounding_box()
    submit = kiosk.get_by_test_id("submit").bounding_box()
    assert submit["y"] + submit["height"] <= keys["y"], (submit, keys)


def test_in_landscape_the_submit_can_be_scrolled_clear_of_the_keyboard(live_server, screens):
    kiosk = screens(f"{live_server.url}/kiosk/{OFFICE}", viewport=LANDSCAPE)
    kiosk.get_by_test_id("start").click()
    kiosk.locator("#name").click()
    expect(kiosk.get_by_test_id("osk")).to_be_visible()
    expect(kiosk.locator("#name")).to_be_focused()
    keys = kiosk.get_by_test_id("osk").bounding_box()
    name = kiosk.locator("#name").bounding_box()
    assert name["y"] + name["height"] <= keys["y"]  # the field being typed in is not under the keys
    kiosk.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    submit = kiosk.get_by_test_id("submit").bounding_box()
    assert submit["y"] + submit["height"] <= keys["y"], (submit, keys)
