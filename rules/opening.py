"""Opening hours and holidays: whether the kiosk may issue tickets now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import holidays

from clock import to_local
from settings import Settings


@dataclass(frozen=True)
class Opening:
    open: bool
    reason: str = ""            # "", "closed_day", "before_hours", "after_hours", "holiday"
    holiday_name: str = ""
    opens: str = ""             # "HH:MM" today, if any
    closes: str = ""


@lru_cache(maxsize=16)
def _calendar(year: int, cuti_bersama: bool):
    categories = ("public", "government") if cuti_bersama else ("public",)
    try:
        return holidays.country_holidays("ID", years=year, categories=categories)
    except NotImplementedError:  # a holidays release without the category
        return holidays.country_holidays("ID", years=year)


def holiday_name(day: date, settings: Settings) -> str:
    h = settings.office.holidays
    if not h.observe_public_holidays:
        return ""
    return _calendar(day.year, h.observe_cuti_bersama).get(day) or ""


def opening(now_utc: datetime, settings: Settings) -> Opening:
    """Whether the office is open at a naive-UTC moment, and why not."""
    if settings.app.always_open:
        return Opening(open=True)
    local = to_local(now_utc, settings.tz)
    name = holiday_name(local.date(), settings)
    if name:
        return Opening(open=False, reason="holiday", holiday_name=name)
    span = settings.office.hours.get(local.isoweekday())
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
