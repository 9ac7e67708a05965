"""The treasurer's screen (treasurer only), the public rating form and the document check page."""

from __future__ import annotations

import re

from rules import requests as rq


def test_treasurer_screen_is_for_the_treasurer_only(make_api):
    treasurer, officer, anonymous = make_api(), make_api(), make_api()
    treasurer.login("bendahara")
    officer.login("petugas1")
    page = treasurer.get("/treasurer/")
    assert page.status_code == 200 and b"tr-pending" in page.data and b"treasurer.js" in page.data
    denied = officer.get("/treasurer/")
    assert denied.status_code == 302 and "/forbidden" in denied.headers["Location"] or denied.status_code == 403
    assert officer.get("/api/treasurer/queue").status_code == 403
    assert anonymous.get("/treasurer/").status_code == 302     # to sign-in


def test_rating_form_without_javascript(db, api, new_request):
    req_id = new_request("delivered")
    with db.read() as s:
        token = rq.get_request(s, req_id).rating_token
    page = api.client.get(f"/rate/{token}?lang=en&channel=counter")
    assert page.status_code == 200
    html = page.data.decode()
    assert html.count('type="radio"') == 36 and "Staff behaviour" in html
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    partial = {"csrf_token": csrf, "channel": "counter", **{f"u{i}": "3" for i in range(1, 9)}}
    again = api.client.post(f"/rate/{token}?lang=en", data=partial)
    assert again.status_code == 200 and b"Give every element a score from 1 to 4." in again.data
    full = {**partial, "u9": "4", "comment": "ramah"}
    done = api.client.post(f"/rate/{token}?lang=en", data=full)
    assert done.status_code == 200 and b"Thank you for rating our service." in done.data
    from models import Rating
    from sqlmodel import select
    with db.read() as s:
        r = s.exec(select(Rating)).one()
    assert (r.u1, r.u9, r.channel, r.comment) == (3, 4, "counter", "ramah")
    assert api.client.get("/rate/not-a-token").status_code == 404


def test_rating_not_open_before_delivery(db, api, new_request):
    with db.read() as s:
        token = rq.get_request(s, new_request("invoiced")).rating_token
    page = api.client.get(f"/rate/{token}?lang=en")
    assert b"rating-not-yet" in page.data and b'type="radio"' not in page.data


def test_verify_page_checks_a_printed_invoice_without_personal_data(db, api, new_request):
    req_id = new_request("invoiced", name="Rahmawati Siregar")
    with db.read() as s:
        inv = rq.active_invoice(s, req_id)
    page = api.client.get(f"/verify/{inv.verify_token}?lang=en")
    html = page.data.decode()
    assert page.status_code == 200 and inv.number in html and "Rp 50.020" in html and inv.billing_code in html
    assert "Rahmawati S." in html and "Siregar" not in html
    assert api.client.get("/verify/nope").status_code == 404
