"""The treasurer's screen is for the treasurer only."""

from __future__ import annotations


def test_treasurer_screen_is_for_the_treasurer_only(make_api):
    treasurer, officer, anonymous = make_api(), make_api(), make_api()
    treasurer.login("bendahara")
    officer.login("petugas1")
    page = treasurer.get("/treasurer/")
    assert page.status_code == 200 and b"tr-pending" in page.data and b"treasurer.js" in page.data
    denied = officer.get("/treasurer/")
    assert denied.status_code == 302 and "/forbidden" in denied.headers["Location"] or denied.status_code == 403
    assert officer.get("/api/treasurer/queue").status_code == 403
    assert anonymous.get("/treasurer/").status_code == 302  # to sign-in
