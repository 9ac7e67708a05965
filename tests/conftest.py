"""Shared fixtures: a real SQLite database file per test, the app, HTTP clients, a live server, a browser."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from datetime import timedelta

import pytest
from werkzeug.serving import make_server

import clock
from app import create_app
from commands import migrate
from db import Database
from rules import offices, users
from settings import load_settings
from startup import seed_demo
from tests.browser_errors import WatchedBrowser
from tests.kiosks import SERVERS, pair_browser, pair_test_client
from tests.pages import FAKE_VOICE, SCREEN
from tests.postgres import pg_url_or_skip

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Fixtures of a paid-product request (a visitor being served, staff, hand-set clocks): used by the rules' tests
# and by every screen that shows a request (counter, treasurer, phone, verify).
pytest_plugins = ("tests.request_fixtures",)


# Rate limits high enough for tests that issue many tickets from one kiosk; tests/security sets its own.
TEST_RATES = {
    "LOKET_RATE_TICKET": "100000 per minute",
    "LOKET_RATE_PUBLIC": "100000 per minute",
    "LOKET_RATE_SIGNIN": "100000 per minute",
}


def test_settings(**env):
    """The repository's config.toml, open at any hour unless a test says otherwise. Staff sessions outlive the
    tests that move the clock by hours or days (tests/auth/test_sessions.py tests the timeouts themselves)."""
    settings = load_settings(env={"LOKET_ALWAYS_OPEN": "1", **TEST_RATES, **env})
    long_sessions = {"session_idle_minutes": 24 * 60, "session_absolute_hours": 24 * 31}
    return settings.model_copy(update={"security": settings.security.model_copy(update=long_sessions)})


@pytest.fixture
def db_url(tmp_path):
    """A migrated SQLite database file."""
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    migrate(url)
    return url


@pytest.fixture
def settings():
    return test_settings()


def demo_app(db_url: str, settings, **overrides):
    """The app on a migrated database holding the configured office and one demo user per role (./start.sh's own
    seeding, startup.seed_demo)."""
    seed_demo(db_url, settings)
    return create_app({"TESTING": True, "DATABASE_URL": db_url, "SERVER_NAME": None, **overrides}, settings=settings)


@pytest.fixture
def app(db_url, settings):
    app = demo_app(db_url, settings)
    yield app
    app.extensions["loket.db"].dispose()


@pytest.fixture
def db(app) -> Database:
    return app.extensions["loket.db"]


@pytest.fixture(autouse=True)
def _reset_clock():
    clock.set_offset(timedelta(0))
    yield
    clock.set_offset(timedelta(0))


class ApiClient:
    """A Flask test client that carries the CSRF token like the pages do (and, given an app, a paired kiosk's
    device cookie, as the kiosk screen has)."""

    def __init__(self, client, app=None):
        self.client = client
        if app is not None:
            pair_test_client(client, app)
        self.token = client.get("/api/session").get_json()["csrf_token"]

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def post(self, path, json=None, **kw):
        headers = {"X-CSRFToken": self.token, **kw.pop("headers", {})}
        return self.client.post(path, json=json, headers=headers, **kw)

    def login(self, username, password=None):
        r = self.post("/api/login", json={"username": username, "password": password or f"{username}-demo"})
        assert r.status_code == 200, r.get_json()
        self.token = r.get_json()["csrf_token"]
        return r


@pytest.fixture
def api(app):
    """A browser on a paired kiosk (it may also sign in as staff)."""
    return ApiClient(app.test_client(), app)


@pytest.fixture
def make_api(app):
    """Several independent clients (several browsers, each its own paired kiosk)."""
    return lambda: ApiClient(app.test_client(), app)


@pytest.fixture
def unpaired_api(app):
    """A browser that is no registered device."""
    return ApiClient(app.test_client())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        SERVERS[self.url] = self.app
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)
        SERVERS.pop(self.url, None)


@pytest.fixture
def live_server(app):
    """The app served over real HTTP and websockets (Werkzeug + simple-websocket) on a free port."""
    server = LiveServer(app).start()
    yield server
    server.stop()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium through Playwright. Skips locally without Chromium; fails in CI."""
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail("chromium is required in CI (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def browser(chromium):
    """The session's Chromium for one test: the test fails at teardown on any console error or uncaught page
    error in a window it opened (tests/browser_errors.py)."""
    watched = WatchedBrowser(chromium)
    yield watched
    problems = watched.unexpected()
    if problems:
        pytest.fail("errors in the browser:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    p = context.new_page()
    yield p
    context.close()


@pytest.fixture
def ids(db):
    """The ids of the configured office's services, counters and users."""
    from tests.rules.conftest import load_ids

    return load_ids(db)


@pytest.fixture
def screens(browser):
    """New browser windows (each its own cookies), closed after the test; a kiosk's window is a paired kiosk."""
    contexts = []

    def open_screen(url: str, *, voice: bool = False, **kw):
        ctx = browser.new_context(**{**SCREEN, **kw})
        if voice:
            ctx.add_init_script(FAKE_VOICE)
        base = "/".join(url.split("/")[:3])
        if "/kiosk/" in url and "/kiosk/pair" not in url and base in SERVERS:
            pair_browser(ctx, base)
        contexts.append(ctx)
        page = ctx.new_page()
        if url:
            page.goto(url)
        return page

    yield open_screen
    for c in contexts:
        c.close()


@pytest.fixture
def pg_db():
    """A scratch PostgreSQL database, migrated and holding the configured office and the demo users."""
    with pg_url_or_skip() as url:
        migrate(url)
        database = Database(url)
        try:
            with database.write() as s:
                office = offices.sync_from_settings(s, test_settings())
                for username, role in (("petugas1", "officer"), ("petugas2", "officer")):
                    users.create_user(
                        s,
                        office_id=office.id,
                        username=username,
                        name=username,
                        role=role,
                        password=f"{username}-demo",
                        enforce_policy=False,
                    )
            yield database
        finally:
            database.dispose()
