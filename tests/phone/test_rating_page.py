"""The rating page (/rate/<token>) works without JavaScript and opens only once the product is delivered."""

from __future__ import annotations

import re

from sqlmodel import select

from models import Rating
from rules import requests as rq


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
    with db.read() as s:
        r = s.exec(select(Rating)).one()
    assert (r.u1, r.u9, r.channel, r.comment) == (3, 4, "counter", "ramah")
    assert api.client.get("/rate/not-a-token").status_code == 404


def test_rating_not_open_before_delivery(db, api, new_request):
    with db.read() as s:
        token = rq.get_request(s, new_request("invoiced")).rating_token
    page = api.client.get(f"/rate/{token}?lang=en")
    assert b"rating-not-yet" in page.data and b'type="radio"' not in page.data
