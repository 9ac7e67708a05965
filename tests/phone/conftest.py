"""Helpers for the visitor-status tests: take numbers through the kiosk API, act as an officer through the API."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import Counter, Ticket
from tests.factories import guest_form

OFFICE = "1600"


def service_id(api, code: str = "penjualan") -> int:
    services = api.get(f"/api/offices/{OFFICE}/services").get_json()["services"]
    return next(s["id"] for s in services if s["code"] == code)


def take(api, service: str = "penjualan", **overrides) -> dict:
    """A visitor signs the guest book at the kiosk and takes a number (the kiosk's JSON answer)."""
    r = api.post(f"/api/offices/{OFFICE}/tickets", json=guest_form(service_id(api, service), **overrides))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def counter_id(db, number: int) -> int:
    with db.read() as s:
        return s.exec(select(Counter.id).where(Counter.number == number)).one()


def ticket_by_code(db, code: str) -> Ticket:
    with db.read() as s:
        return s.exec(select(Ticket).where(Ticket.code == code)).one()


class Officer:
    """An officer at a counter, through the same JSON API the counter screen uses."""

    def __init__(self, api, db, username: str = "petugas1", counter: int = 1):
        self.api, self.db = api, db
        api.login(username)
        self.cid = counter_id(db, counter)
        r = api.post(f"/api/counters/{self.cid}/open")
        assert r.status_code == 200, r.get_json()

    def call_next(self) -> dict | None:
        r = self.api.post(f"/api/counters/{self.cid}/call-next")
        assert r.status_code == 200, r.get_json()
        return r.get_json()["ticket"]

    def act(self, ticket_id: int, action: str) -> dict:
        r = self.api.post(f"/api/counters/{self.cid}/tickets/{ticket_id}/{action}")
        assert r.status_code == 200, r.get_json()
        return r.get_json()["ticket"]

    def state(self) -> dict:
        return self.api.get(f"/api/counters/{self.cid}/state").get_json()


@pytest.fixture
def officer(make_api, db):
    return lambda username="petugas1", counter=1: Officer(make_api(), db, username, counter)
