"""A limit configured other than 10 minutes (office.service_limit_minutes) reaches every screen's clocks: the
public snapshot, the counter's line and the supervisor's view carry the moments computed with it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.conftest import test_settings as repo_settings
from tests.factories import TICKETS_URL, guest_form

LIMIT = 20


@pytest.fixture
def settings():
    """config.toml with a 20-minute limit (synced into the office row as at start-up)."""
    s = repo_settings()
    return s.model_copy(update={"office": s.office.model_copy(update={"service_limit_minutes": LIMIT})})


def minutes_between(a: str, b: str) -> float:
    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)) / timedelta(minutes=1)


def assert_moments(clock: dict) -> None:
    assert minutes_between(clock["clock_started_at"], clock["amber_at"]) == LIMIT * 0.7
    assert minutes_between(clock["clock_started_at"], clock["deadline_at"]) == LIMIT
    assert clock["state"] == "ok" and LIMIT * 60 - 5 <= clock["seconds_left"] <= LIMIT * 60


def test_every_screen_gets_the_moments_of_the_configured_limit(api, make_api, ids):
    first = api.post(TICKETS_URL, json=guest_form(ids.service["penjualan"])).get_json()
    second = api.post(TICKETS_URL, json=guest_form(ids.service["penjualan"])).get_json()

    snap = api.get("/api/offices/1600/queue").get_json()
    assert snap["office"]["service_limit_minutes"] == LIMIT
    head = next(s for s in snap["services"] if s["code"] == "penjualan")["head"]
    assert head["code"] == first["code"]
    assert_moments(head)

    officer = make_api()
    officer.login("petugas1")
    state = officer.get(f"/api/counters/{ids.counter[1]}/state").get_json()
    waiting = {t["code"]: t for t in state["waiting"]}
    assert waiting[first["code"]]["head"] and not waiting[second["code"]]["head"]
    assert_moments(waiting[first["code"]])
    assert waiting[first["code"]]["deadline_at"] == head["deadline_at"]
    assert waiting[second["code"]]["amber_at"] is None and waiting[second["code"]]["state"] == "not_started"
    assert state["server_time"]

    supervisor = make_api()
    supervisor.login("pengawas")
    view = supervisor.get("/supervisor/live.json", headers={"Accept": "application/json"}).get_json()
    tickets = next(s for s in view["services"] if s["code"] == "penjualan")["tickets"]
    assert [t["code"] for t in tickets] == [first["code"], second["code"]]
    assert_moments(tickets[0])
    assert tickets[0]["amber_at"] == head["amber_at"] and tickets[1]["deadline_at"] is None
