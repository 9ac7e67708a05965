"""Staff sessions live on the server: a forged or copied cookie opens nothing once its session ended (logout,
a password change elsewhere, deactivation, idle and absolute timeouts); cookies are Secure behind HTTPS."""

from __future__ import annotations

from datetime import timedelta

from flask.sessions import SecureCookieSessionInterface
from sqlmodel import select

import clock
from app import create_app
from models import StaffSession
from rules import users
from tests.conftest import ApiClient
from tests.conftest import test_settings as loket_settings


def _cookie(client) -> str:
    return client.get_cookie("loket_session").value


def test_a_cookie_signed_with_the_key_but_naming_a_user_id_opens_nothing(app, api):
    forged = SecureCookieSessionInterface().get_signing_serializer(app).dumps({"_user_id": "5", "_fresh": True})
    client = app.test_client()
    client.set_cookie("loket_session", forged)
    assert client.get("/supervisor/").status_code == 302  # to the sign-in page
    assert client.get("/supervisor/reports.csv?period=day").status_code == 302
    assert client.get("/api/session").get_json()["user"] is None


def test_a_cookie_copied_before_logout_is_dead_after_it(app, make_api):
    officer = make_api()
    officer.login("pengawas")
    stolen = _cookie(officer.client)
    thief = app.test_client()
    thief.set_cookie("loket_session", stolen)
    assert thief.get("/supervisor/").status_code == 200  # the copy works while the session lives
    assert officer.post("/api/logout").status_code == 200
    assert thief.get("/supervisor/").status_code == 302
    assert thief.get("/api/session").get_json()["user"] is None


def test_logout_ends_every_session_of_that_user(make_api, db, ids):
    here, there = make_api(), make_api()
    here.login("petugas1")
    there.login("petugas1")
    here.post("/api/logout")
    assert there.get("/api/session").get_json()["user"] is None
    with db.read() as s:
        rows = s.exec(select(StaffSession).where(StaffSession.user_id == ids.user["petugas1"])).all()
    assert len(rows) == 2 and {r.end_reason for r in rows} == {"logout"}


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(make_api):
    here, there = make_api(), make_api()
    here.login("petugas1")
    there.login("petugas1")
    r = here.post(
        "/api/account/password",
        json={"current_password": "petugas1-demo", "new_password": "kopi tubruk di pagi hari"},
    )
    assert r.status_code == 200, r.get_json()
    here.token = r.get_json()["csrf_token"]
    assert here.get("/api/session").get_json()["user"]["username"] == "petugas1"
    assert there.get("/api/session").get_json()["user"] is None
    assert there.get("/counter/").status_code == 302


def test_deactivation_ends_every_session_at_once(make_api, db):
    officer = make_api()
    officer.login("petugas2")
    admin = make_api()
    admin.login("admin")
    with db.read() as s:
        uid = users.get_user(s, "petugas2").id
    r = admin.post(f"/api/users/{uid}/active", json={"active": False})
    assert r.status_code == 200 and r.get_json()["username"] == "petugas2"
    assert officer.get("/api/session").get_json()["user"] is None
    r = officer.post("/api/login", json={"username": "petugas2", "password": "petugas2-demo"})
    assert r.status_code == 401


def test_idle_and_absolute_timeouts_come_from_the_configuration(db_url):
    settings = loket_settings()
    short = settings.security.model_copy(update={"session_idle_minutes": 30, "session_absolute_hours": 2})
    app = create_app(
        {"TESTING": True, "DATABASE_URL": db_url}, settings=settings.model_copy(update={"security": short})
    )
    db = app.extensions["loket.db"]
    from rules import offices

    with db.write() as s:
        office = offices.sync_from_settings(s, settings)
        users.create_user(
            s, office_id=office.id, username="petugas1", name="P", role="officer", password="x", enforce_policy=False
        )
    try:
        client = ApiClient(app.test_client())
        client.post("/api/login", json={"username": "petugas1", "password": "x"})
        # Busy: a request every 20 minutes keeps it alive ... until 2 hours after sign-in.
        for minutes in (20, 40, 60, 80, 100):
            clock.set_offset(timedelta(minutes=minutes))
            assert client.get("/api/session").get_json()["user"] is not None, minutes
        clock.set_offset(timedelta(minutes=121))
        assert client.get("/api/session").get_json()["user"] is None
        with db.read() as s:
            assert s.exec(select(StaffSession.end_reason)).one() == "expired"
        # Idle: 31 minutes without a request.
        clock.set_offset(timedelta(0))
        client.post("/api/login", json={"username": "petugas1", "password": "x"})
        clock.set_offset(timedelta(minutes=31))
        assert client.get("/api/session").get_json()["user"] is None
        with db.read() as s:
            assert sorted(s.exec(select(StaffSession.end_reason)).all()) == ["expired", "idle"]
    finally:
        db.dispose()


def test_cookies_are_secure_when_the_public_url_is_https(db_url):
    app = create_app(
        {"TESTING": True, "DATABASE_URL": db_url}, settings=loket_settings(LOKET_PUBLIC_URL="https://pst.example.go.id")
    )
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        r = app.test_client().get("/api/session", base_url="https://pst.example.go.id")
        cookie = r.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        app.extensions["loket.db"].dispose()
    plain = create_app({"TESTING": True, "DATABASE_URL": db_url}, settings=loket_settings())
    try:
        assert plain.config["SESSION_COOKIE_SECURE"] is False  # the demo on http://127.0.0.1:5000 keeps working
    finally:
        plain.extensions["loket.db"].dispose()
