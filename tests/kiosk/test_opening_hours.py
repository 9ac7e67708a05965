"""Outside opening hours and on Indonesian public holidays the kiosk says so and issues nothing.

These tests use the repository's config.toml WITHOUT LOKET_ALWAYS_OPEN and shift the one clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

import clock
from settings import load_settings
from tests.factories import NOTHING, TICKETS_URL, guest_form, written

WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def settings():
    """Overrides tests/conftest.py's always-open settings: the real hours and holidays apply."""
    s = load_settings(env={})
    assert s.app.always_open is False
    return s


def set_clock(*args):
    """Make utcnow() read the given Palembang wall-clock time."""
    target = datetime(*args, tzinfo=WIB).astimezone(UTC)
    clock.set_offset(target - datetime.now(UTC))


@pytest.mark.parametrize(
    "moment,reason,says",
    [
        ((2026, 8, 17, 10, 0), "holiday", "Independence Day"),  # Monday, Hari Kemerdekaan
        ((2026, 6, 1, 10, 0), "holiday", "Pancasila"),  # Monday, Hari Lahir Pancasila
        ((2026, 3, 23, 10, 0), "holiday", "Eid al-Fitr"),  # Monday, cuti bersama (observed)
        ((2026, 3, 1, 10, 0), "closed_day", "closed today"),  # Sunday
        ((2026, 3, 2, 7, 59), "before_hours", "08:00"),  # Monday before opening
        ((2026, 3, 2, 15, 30), "after_hours", "15:30"),  # Monday at closing time
        ((2026, 3, 6, 16, 0), "after_hours", "16:00"),  # Friday closes later
    ],
)
def test_kiosk_closed_answers_409_with_a_message_and_issues_nothing(api, db, ids, moment, reason, says):
    set_clock(*moment)
    services = api.get("/api/offices/1600/services?lang=en").get_json()
    assert services["open"] is False and services["closed_reason"] == reason
    assert says in services["closed_message"]
    r = api.post(TICKETS_URL + "?lang=en", json=guest_form(ids.service["penjualan"]))
    assert r.status_code == 409
    out = r.get_json()
    assert out["error"] == "closed" and says in out["message"]
    assert written(db) == NOTHING


@pytest.mark.parametrize(
    "lang,says",
    [
        ("id", "Unit PST tutup hari ini (Hari Kemerdekaan Republik Indonesia)."),
        ("en", "The PST unit is closed today (Independence Day)."),
    ],
)
def test_the_holiday_is_named_in_the_screens_language(api, lang, says):
    set_clock(2026, 8, 17, 10, 0)
    services = api.get(f"/api/offices/1600/services?lang={lang}").get_json()
    assert services["closed_message"] == says


@pytest.mark.parametrize("moment", [(2026, 3, 2, 8, 0), (2026, 3, 2, 15, 29), (2026, 3, 6, 15, 45)])
def test_kiosk_open_within_hours_issues(api, db, ids, moment):
    set_clock(*moment)
    assert api.get("/api/offices/1600/services").get_json()["open"] is True
    r = api.post(TICKETS_URL, json=guest_form(ids.service["penjualan"]))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["code"] == "B-001"
