"""Staff accounts and sign-in: hashed passwords, the same answer for every wrong guess, the sign-in page."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select
from werkzeug.security import check_password_hash

from models import User

BAD_LOGIN = {"error": "bad_credentials", "message": "Wrong username or password."}


def test_passwords_are_stored_hashed(db):
    with db.read() as s:
        everyone = s.exec(select(User)).all()
    assert len(everyone) == 5
    for u in everyone:
        password = f"{u.username}-demo"
        assert password not in u.password_hash
        assert re.match(r"^(scrypt|pbkdf2):", u.password_hash), u.password_hash[:10]
        assert check_password_hash(u.password_hash, password)
    assert len({u.password_hash for u in everyone}) == 5  # salted


@pytest.mark.parametrize(
    "username,password", [("petugas1", "salah-sandi"), ("tidakada", "petugas1-demo"), ("PETUGAS1", "Petugas1-demo")]
)
def test_wrong_password_and_unknown_user_get_the_same_answer(api, username, password):
    r = api.post("/api/login?lang=en", json={"username": username, "password": password})
    assert r.status_code == 401 and r.get_json() == BAD_LOGIN
    assert api.get("/api/session").get_json()["user"] is None


def test_usernames_are_case_insensitive_and_sign_in_returns_a_new_csrf_token(api):
    r = api.post("/api/login", json={"username": " Petugas1 ", "password": "petugas1-demo"})
    assert r.status_code == 200
    out = r.get_json()
    assert out["user"]["username"] == "petugas1" and out["user"]["role"] == "officer" and out["csrf_token"]


def test_an_inactive_user_cannot_sign_in(api, db):
    with db.write() as s:
        u = s.exec(select(User).where(User.username == "petugas2")).one()
        u.active = False
        s.add(u)
    r = api.post("/api/login?lang=en", json={"username": "petugas2", "password": "petugas2-demo"})
    assert r.status_code == 401 and r.get_json() == BAD_LOGIN


def test_sign_out_ends_the_session(api, ids):
    api.login("petugas1")
    assert api.get(f"/api/counters/{ids.counter[1]}/state").status_code == 200
    assert api.post("/api/logout").status_code == 200
    assert api.get(f"/api/counters/{ids.counter[1]}/state").status_code == 401


def _csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html
    )
    assert m, html[:500]
    return m.group(1)


def test_sign_in_page_works_with_its_csrf_token(app):
    client = app.test_client()
    page = client.get("/login")
    assert page.status_code == 200
    token = _csrf_of(page.get_data(as_text=True))
    r = client.post("/login", data={"csrf_token": token, "username": "petugas1", "password": "petugas1-demo"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/counter/")
    assert client.get("/api/session").get_json()["user"]["username"] == "petugas1"


def test_sign_in_page_refuses_a_post_without_token_and_a_wrong_password(app):
    client = app.test_client()
    r = client.post("/login", data={"username": "petugas1", "password": "petugas1-demo"})
    assert r.status_code == 400
    assert client.get("/api/session").get_json()["user"] is None
    token = _csrf_of(client.get("/login").get_data(as_text=True))
    r = client.post("/login?lang=en", data={"csrf_token": token, "username": "petugas1", "password": "nope-nope"})
    assert r.status_code == 401 and "Wrong username or password." in r.get_data(as_text=True)
    assert client.get("/api/session").get_json()["user"] is None


def test_sign_in_page_sends_each_role_home_and_ignores_foreign_next(app):
    client = app.test_client()
    token = _csrf_of(client.get("/login").get_data(as_text=True))
    r = client.post(
        "/login?next=https://evil.example/",
        data={"csrf_token": token, "username": "bendahara", "password": "bendahara-demo"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/treasurer/")
