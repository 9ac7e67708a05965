"""After signing in, a staff member lands back on the page they asked for, exactly as they asked for it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit


def _next_of(location: str) -> str:
    parts = urlsplit(location)
    assert parts.path == "/login"
    return parse_qs(parts.query)["next"][0]


def _sign_in(client, next_path: str, username="petugas1", password="petugas1-demo"):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client.post(
        "/login",
        query_string={"next": next_path},
        data={"csrf_token": token, "username": username, "password": password},
    )


def test_a_page_without_a_query_is_remembered_without_a_stray_question_mark(app):
    client = app.test_client()
    r = client.get("/counter/")
    assert r.status_code == 302
    assert _next_of(r.headers["Location"]) == "/counter/"  # was "/counter/?"
    r = _sign_in(client, "/counter/")
    assert r.status_code == 302 and r.headers["Location"] == "/counter/"
    assert client.get("/counter/").status_code == 200


def test_a_page_with_a_query_keeps_it(app):
    client = app.test_client()
    r = client.get("/counter/?lang=en&x=1")
    assert _next_of(r.headers["Location"]) == "/counter/?lang=en&x=1"
    r = _sign_in(client, "/counter/?lang=en&x=1")
    assert r.headers["Location"] == "/counter/?lang=en&x=1"


def test_an_old_link_ending_in_a_bare_question_mark_to_the_start_page_goes_home(app):
    r = _sign_in(app.test_client(), "/?")
    assert r.status_code == 302 and r.headers["Location"].endswith("/counter/")
