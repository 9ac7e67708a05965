"""Opening hours and holidays as rules.opening decides them, in the office's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import holidays
import pytest

from i18n import LANGUAGES
from rules.opening import HOLIDAY_LANGUAGES, _calendar, holiday_name, opening
from settings import HolidaySettings, load_settings
from tests.rules.conftest import wib


@pytest.fixture(scope="module")
def real():
    return load_settings(env={})


def with_holidays(settings, **kw):
    office = settings.office.model_copy(update={"holidays": HolidaySettings(**kw)})
    return settings.model_copy(update={"office": office})


def test_hours_are_read_in_local_time(real):
    # 01:00 UTC is 08:00 WIB on Monday 2 March 2026: open. 00:59 UTC is 07:59 WIB: not yet.
    assert opening(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), real).open is True
    state = opening(datetime(2026, 3, 2, 0, 59, tzinfo=UTC), real)
    assert (state.open, state.reason, state.opens, state.closes) == (False, "before_hours", "08:00", "15:30")


def test_a_public_holiday_closes_the_office(real):
    state = opening(wib(10, day=datetime(2026, 8, 17).date()), real)
    assert (state.open, state.reason) == (False, "holiday")
    # Named in the screen's language, whatever the server's locale variables say (the package's own default).
    assert state.holiday_name == state.holiday_in("id") == "Hari Kemerdekaan Republik Indonesia"
    assert state.holiday_in("en") == "Independence Day"
    assert state.holiday_in("xx") == state.holiday_name  # an unknown language: the office's own


def test_holiday_names_do_not_follow_the_server_locale(real, monkeypatch):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.setenv(var, "en_US.UTF-8")
    _calendar.cache_clear()
    try:
        day = datetime(2026, 3, 23).date()  # cuti bersama of Eid al-Fitr
        assert holiday_name(day, real) == holiday_name(day, real, "id")
        assert "Cuti Bersama" in holiday_name(day, real, "id") and "Joint Holiday" in holiday_name(day, real, "en")
    finally:
        _calendar.cache_clear()


def test_the_screen_languages_are_languages_the_holidays_package_has_for_indonesia():
    supported = holidays.country_holidays("ID").supported_languages
    assert set(HOLIDAY_LANGUAGES) == set(LANGUAGES)
    assert all(code in supported for code in HOLIDAY_LANGUAGES.values()), supported


def test_cuti_bersama_closes_only_when_the_office_observes_it(real):
    day = datetime(2026, 3, 23).date()  # Eid al-Fitr joint holiday (cuti bersama), a Monday
    assert opening(wib(10, day=day), real).reason == "holiday"
    assert opening(wib(10, day=day), with_holidays(real, observe_cuti_bersama=False)).open is True
    # A public holiday stays closed either way, unless holidays are not observed at all.
    independence = datetime(2026, 8, 17).date()
    assert opening(wib(10, day=independence), with_holidays(real, observe_cuti_bersama=False)).open is False
    assert holiday_name(independence, with_holidays(real, observe_public_holidays=False)) == ""
    assert opening(wib(10, day=independence), with_holidays(real, observe_public_holidays=False)).open is True


def test_weekend_is_a_closed_day(real):
    assert opening(wib(10, day=datetime(2026, 3, 7).date()), real).reason == "closed_day"  # Saturday


def test_always_open_overrides_everything():
    s = load_settings(env={"LOKET_ALWAYS_OPEN": "1"})
    assert opening(wib(3, day=datetime(2026, 8, 17).date()), s).open is True
    assert load_settings(env={"LOKET_ALWAYS_OPEN": "0"}).app.always_open is False
