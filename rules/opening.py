"""Opening hours and holidays: whether the kiosk may issue tickets now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from clock import to_local
from settings import Settings

# The screens' languages (i18n.LANGUAGES) as the `holidays` package names them for Indonesia
# (holidays.country_holidays("ID").supported_languages). Asked for explicitly: left to itself the package
# picks the language from the process's locale variables (LANG...), i.e. English on a server.
HOLIDAY_LANGUAGES = {"id": "id", "en": "en_US"}


@dataclass(frozen=True)
class Opening:
    open: bool
    reason: str = ""  # "", "closed_day", "before_hours", "after_hours", "holiday", "closure"
    holiday_name: str = ""  # in Indonesian, the office's language
    opens: str = ""  # "HH:MM" today, if any
    closes: str = ""
    holiday_names: tuple[tuple[str, str], ...] = ()  # (screen language, name) for every screen language

    def holiday_in(self, language) -> str:
        """The holiday's name in a screen's language (a code or a babel Locale), Indonesian otherwise."""
        return dict(self.holiday_names).get(str(language), self.holiday_name)


@lru_cache(maxsize=16)
def _calendar(year: int, cuti_bersama: bool, language: str):
    import holidays  # here, not at the top: loading every country's calendars slows every start-up

    categories = ("public", "government") if cuti_bersama else ("public",)
    lang = HOLIDAY_LANGUAGES.get(language, "id")
    try:
        return holidays.country_holidays("ID", years=year, categories=categories, language=lang)
    except NotImplementedError:  # a holidays release without the category
        return holidays.country_holidays("ID", years=year, language=lang)


def holiday_name(day: date, settings: Settings, language: str = "id") -> str:
    """The public holiday (or observed cuti bersama) on a local day, named in a screen language; "" if none."""
    h = settings.office.holidays
    if not h.observe_public_holidays:
        return ""
    return _calendar(day.year, h.observe_cuti_bersama, language).get(day) or ""


def opening(now_utc: datetime, settings: Settings, special=None) -> Opening:
    """Whether the office is open at a UTC moment, and why not.

    `special`: the office's special day on that local day (a models.SpecialDay, read by the caller with
    rules.special_days.on): a closure closes the office with its note; shortened hours replace the day's hours.
    """
    if settings.app.always_open:
        return Opening(open=True)
    local = to_local(now_utc, settings.tz)
    if special is not None and special.closed:
        names = (("id", special.note), ("en", special.note_en or special.note))
        return Opening(open=False, reason="closure", holiday_name=special.note, holiday_names=names)
    # Hours set for the day (shortened hours, or a cuti bersama day the office works) override a holiday.
    open_special = special is not None and bool(special.opens and special.closes)
    name = "" if open_special else holiday_name(local.date(), settings)
    if name:
        names = tuple((lang, holiday_name(local.date(), settings, lang)) for lang in HOLIDAY_LANGUAGES)
        return Opening(open=False, reason="holiday", holiday_name=name, holiday_names=names)
    span = settings.office.hours.get(local.isoweekday())
    if special is not None and special.opens and special.closes:
        span = (time.fromisoformat(special.opens), time.fromisoformat(special.closes))
    if span is None:
        return Opening(open=False, reason="closed_day")
    start, end = span
    fmt = dict(opens=start.strftime("%H:%M"), closes=end.strftime("%H:%M"))
    t = local.time()
    if t < start:
        return Opening(open=False, reason="before_hours", **fmt)
    if t >= end:
        return Opening(open=False, reason="after_hours", **fmt)
    return Opening(open=True, **fmt)
