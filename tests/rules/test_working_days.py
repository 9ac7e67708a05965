"""The online channel's 10-working-day clock on hand-made calendars: weekends, holidays, cuti bersama, a
closure, pauses while waiting on the visitor; and the office's calendar built from config and special days."""

from __future__ import annotations

from datetime import date

from rules import special_days
from rules.opening import opening
from rules.working_days import (
    Calendar,
    add_working_days,
    clock_state,
    days_used,
    due_day,
    served_within,
    working_days,
)
from settings import HolidaySettings, load_settings
from tests.rules.conftest import wib

MON = date(2026, 6, 1)  # Monday 1 June 2026 (a public holiday in Indonesia: Pancasila Day; not in hand-made ones)
PLAIN = Calendar()  # Monday to Friday, no holidays


def d(day: int, month: int = 6) -> date:
    return date(2026, month, day)


def test_a_plain_week_counts_from_the_day_after():
    # Clear on Monday 1 June: Tue..Fri are days 1-4, the weekend does not count, Mon 8 is day 5.
    assert working_days(PLAIN, MON, d(1)) == 0
    assert working_days(PLAIN, MON, d(5)) == 4
    assert working_days(PLAIN, MON, d(7)) == 4
    assert working_days(PLAIN, MON, d(8)) == 5
    # The 10th working day after Monday 1 June is Monday 15 June.
    assert add_working_days(PLAIN, MON, 10) == d(15)
    assert due_day(PLAIN, MON) == d(15)


def test_clear_on_a_saturday_starts_counting_on_monday():
    assert add_working_days(PLAIN, d(6), 1) == d(8)
    assert due_day(PLAIN, d(6)) == d(19)


def test_holidays_and_cuti_bersama_are_not_working_days():
    # A public holiday on Wednesday 3 June and cuti bersama on Thursday 4 June push the due day by two.
    cal = Calendar(off_days={d(3): "Hari raya", d(4): "Cuti bersama"})
    assert working_days(cal, MON, d(5)) == 2
    assert due_day(cal, MON) == d(17)
    # An office that works on cuti bersama (its setting) counts that day again.
    works_cuti = Calendar(off_days={d(3): "Hari raya"})
    assert due_day(works_cuti, MON) == d(16)


def test_a_closure_is_not_a_working_day():
    closure = Calendar(off_days={d(10): "Kantor tutup: pemeliharaan"})
    assert due_day(closure, MON) == d(16)
    assert not closure.is_working_day(d(10))
    assert closure.is_working_day(d(11))


def test_a_six_day_week():
    six = Calendar(weekdays=frozenset({1, 2, 3, 4, 5, 6}))
    assert due_day(six, MON) == d(12)  # Tue..Sat (5), Mon..Fri (10)


def test_a_pause_leaves_out_the_days_waiting_on_the_visitor():
    # Invoice sent on Wednesday 3 June, paid on Monday 8 June: Thu 4, Fri 5 and Mon 8 do not count.
    pauses = [(d(3), d(8))]
    assert days_used(PLAIN, MON, d(8), pauses) == 2  # Tue 2, Wed 3
    assert days_used(PLAIN, MON, d(9), pauses) == 3
    assert due_day(PLAIN, MON, pauses) == d(18)  # three working days later than without the pause
    # A pause that begins and ends on one day costs nothing.
    assert due_day(PLAIN, MON, [(d(3), d(3))]) == d(15)


def test_an_open_pause_has_no_due_day_and_the_clock_stands_still():
    state = clock_state(PLAIN, MON, d(10), pauses=[(d(3), None)])
    assert (state.used, state.left, state.due, state.paused, state.overdue) == (2, 8, None, True, False)
    # Days already past the limit stay past it even if the visitor is now being waited on.
    late = clock_state(PLAIN, MON, d(22), pauses=[(d(17), None)])
    assert late.overdue and late.due == d(15) and late.used == 12  # Tue 16 and Wed 17 counted


def test_served_within_counts_the_due_day_itself_as_in_time():
    assert served_within(PLAIN, MON, d(15)) == (10, True)
    assert served_within(PLAIN, MON, d(16)) == (11, False)
    # Holiday, cuti bersama, a closure and a pause together.
    cal = Calendar(off_days={d(3): "Hari raya", d(4): "Cuti bersama", d(10): "Tutup"})
    pauses = [(d(5), d(9))]  # Mon 8 and Tue 9 do not count
    # Tue 2, Fri 5, Thu 11, Fri 12, Mon 15 .. Fri 19, Mon 22: the 10th counted day.
    assert due_day(cal, MON, pauses) == d(22)
    assert served_within(cal, MON, d(22), pauses) == (10, True)
    assert served_within(cal, MON, d(23), pauses) == (11, False)


def test_overdue_state_before_delivery():
    state = clock_state(PLAIN, MON, d(16))
    assert (state.used, state.left, state.due, state.overdue) == (11, -1, d(15), True)


def with_holidays(settings, **kw):
    office = settings.office.model_copy(update={"holidays": HolidaySettings(**kw)})
    return settings.model_copy(update={"office": office})


def test_office_calendar_from_config_holidays_cuti_bersama_and_closures(db):
    settings = load_settings(env={})
    with db.write() as s:
        from models import Office

        office_id = s.exec(__import__("sqlmodel").select(Office.id)).first()
        special_days.set_day(s, office_id=office_id, day=date(2026, 3, 26), note="Tutup", note_en="Closed")
        special_days.set_day(s, office_id=office_id, day=date(2026, 3, 27), closed=False, opens="08:00", closes="12:00")
        span = (date(2026, 3, 1), date(2026, 4, 30))
        cal = special_days.office_calendar(s, settings, office_id, *span)
        no_cuti = special_days.office_calendar(s, with_holidays(settings, observe_cuti_bersama=False), office_id, *span)
        closure = special_days.on(s, office_id, date(2026, 3, 26))
        short = special_days.on(s, office_id, date(2026, 3, 27))
    # Eid al-Fitr 2026: holidays 21-22 March (weekend), cuti bersama 20, 23 and 24 March; a closure on 26 March.
    assert not cal.is_working_day(date(2026, 3, 20)) and not cal.is_working_day(date(2026, 3, 23))
    assert no_cuti.is_working_day(date(2026, 3, 23)) and no_cuti.is_working_day(date(2026, 3, 24))
    assert not cal.is_working_day(date(2026, 3, 26)) and not no_cuti.is_working_day(date(2026, 3, 26))
    assert cal.is_working_day(date(2026, 3, 27))  # shortened hours: still a working day
    # Clear on Thursday 19 March: 20 (cuti), 23, 24 (cuti), 25 counts, 26 closed, 27 counts...
    assert due_day(cal, date(2026, 3, 19)) > due_day(no_cuti, date(2026, 3, 19))
    # The kiosk: closed with the closure's note; open for the shortened hours only.
    settings_open = load_settings(env={})
    state = opening(wib(10, day=date(2026, 3, 26)), settings_open, closure)
    assert (state.open, state.reason, state.holiday_in("en")) == (False, "closure", "Closed")
    assert opening(wib(11, day=date(2026, 3, 27)), settings_open, short).open is True
    after = opening(wib(13, day=date(2026, 3, 27)), settings_open, short)
    assert (after.open, after.reason, after.closes) == (False, "after_hours", "12:00")
