"""Rate limits on the public edges: tickets per kiosk, visitors' pages per address, sign-in per address; over the
limit the answer is 429 with Retry-After (config.toml [security] rate_*)."""

from __future__ import annotations

import pytest

from app import create_app
from rules import offices, users
from tests.conftest import ApiClient
from tests.conftest import test_settings as loket_settings
from tests.factories import TICKETS_URL, guest_form


@pytest.fixture
def strict_app(db_url):
    settings = loket_settings(
        LOKET_RATE_TICKET="5 per minute", LOKET_RATE_PUBLIC="8 per minute", LOKET_RATE_SIGNIN="4 per minute"
    )
    app = create_app({"TESTING": True, "DATABASE_URL": db_url}, settings=settings)
    with app.extensions["loket.db"].write() as s:
        office = offices.sync_from_settings(s, settings)
        users.create_user(
            s, office_id=office.id, username="petugas1", name="P", role="officer", password="x", enforce_policy=False
        )
    yield app
    app.extensions["loket.db"].dispose()


def test_tickets_are_limited_per_kiosk_with_retry_after(strict_app):
    one, two = ApiClient(strict_app.test_client(), strict_app), ApiClient(strict_app.test_client(), strict_app)
    service = one.get("/api/offices/1600/services").get_json()["services"][0]["id"]
    codes = [one.post(TICKETS_URL, json=guest_form(service)).status_code for _ in range(6)]
    assert codes == [201] * 5 + [429]
    r = one.post(TICKETS_URL + "?lang=en", json=guest_form(service))
    assert r.get_json() == {"error": "rate_limited", "message": "Too many requests. Wait a moment and try again."}
    assert 1 <= int(r.headers["Retry-After"]) <= 61
    assert two.post(TICKETS_URL, json=guest_form(service)).status_code == 201  # another kiosk is not held up


def test_visitor_pages_and_sign_in_are_limited_per_address(strict_app):
    browser = strict_app.test_client()
    codes = [browser.get("/s/not-a-real-token-at-all").status_code for _ in range(9)]
    assert codes == [404] * 8 + [429]
    codes = [browser.get("/api/tickets/status/not-a-real-token-at-all").status_code for _ in range(9)]
    assert codes == [404] * 8 + [429]  # each public endpoint counts on its own
    other = strict_app.test_client()
    assert other.get("/s/x", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 404  # another address
    api = ApiClient(strict_app.test_client())
    codes = [api.post("/api/login", json={"username": "petugas1", "password": "x"}).status_code for _ in range(5)]
    assert codes == [200] * 4 + [429]


def test_the_counts_live_in_redis_when_the_message_queue_does(db_url):
    from security.limits import storage_uri

    assert storage_uri(loket_settings()) == "memory://"
    assert storage_uri(loket_settings(LOKET_MESSAGE_QUEUE="redis://127.0.0.1:6379/0")) == "redis://127.0.0.1:6379/0"
    assert storage_uri(loket_settings(LOKET_RATE_LIMIT_STORAGE="memory://")) == "memory://"
