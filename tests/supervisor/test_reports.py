"""Report figures on a hand-made day whose every answer is worked out below by hand.

The day (minutes after 08:00 WIB, limit 10 minutes; counter 1 serves penjualan+konsultasi, counter 2
penjualan; petugas1 at counter 1, petugas2 at counter 2):

  A  penjualan  issued 0 (visitor v1, estimate 0)  called 2 by c1, start 3, finish 9   wait 2  service 6  within
  B  penjualan  issued 1 (visitor v2, estimate 5)  called 3 by c2, start 3, finish 7   wait 2  service 4  within
     (A, ahead of B, was still being served: B's clock had not started)
  C  penjualan  issued 2 (estimate 10)             called 20 by c2, start 21, finish 31 wait 18 service 10
     (B, ahead of C, finished at 7: clock 7, deadline 17, called 20: breach)
  D  penjualan  issued 5 (visitor v1 again)        called 22 by c1, no-show at 24      wait 17  within
  E  penjualan  issued 6 (visitor v3)              called 25 by c1 (clock 24: D ended), started 25,
     transferred to konsultasi 27, called again 28 by c1, start 28, finish 33         wait 19 service 5 within
  F  konsultasi issued 7, cancelled 8
  G  penjualan  issued 30, never called

Waiting [2, 2, 17, 18, 19]: mean 11.6, median 17, p90 = 18 + 0.6 * (19 - 18) = 18.6.
Service [4, 5, 6, 10]: mean 6.25, median 5.5, p90 = 6 + 0.7 * (10 - 6) = 8.8.
Within the limit 4 of 5 called = 80 %. Estimates: errors +2, -3, +8 -> MAE 13/3, bias 7/3, 2 of 3 within 5.
"""

from __future__ import annotations

import math
from datetime import date

from sqlmodel import select

from models import Counter, User
from rules import reports
from rules.reports import Filters, Period, percentile
from tests import factories
from tests.supervisor.timeline import DAY


def _report(db, period=None, **filters):
    with db.read() as s:
        return reports.build_report(s, factories.office(s), period or Period.day(DAY), Filters(**filters))


def test_percentile_method_on_plain_numbers():
    assert percentile([], 50) is None
    assert percentile([5], 90) == 5
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert math.isclose(percentile(list(range(1, 11)), 90), 9.1)
    assert percentile([3, 1, 2], 0) == 1 and percentile([3, 1, 2], 100) == 3


def test_counts(db, day):
    s = _report(db).summary
    assert (s["tickets"], s["visitors"], s["served"], s["no_shows"], s["cancelled"], s["not_served"]) == (
        7,
        3,
        4,
        1,
        1,
        1,
    )
    assert (s["transferred_tickets"], s["transfers"]) == (1, 1)


def test_waiting_times(db, day):
    w = _report(db).summary["waiting"]
    assert w["count"] == 5
    assert math.isclose(w["mean"], 11.6) and w["median"] == 17 and math.isclose(w["p90"], 18.6) and w["max"] == 19


def test_service_times(db, day):
    sv = _report(db).summary["service"]
    assert sv["count"] == 4
    assert sv["mean"] == 6.25 and sv["median"] == 5.5 and math.isclose(sv["p90"], 8.8)


def test_ten_minute_share(db, day):
    lim = _report(db).summary["limit"]
    assert lim == {"called": 5, "within": 4, "breaches": 1, "share": 0.8}


def test_estimate_accuracy(db, day):
    e = _report(db).summary["estimate"]
    assert e["count"] == 3
    assert math.isclose(e["mean_abs_error"], 13 / 3) and math.isclose(e["bias"], 7 / 3)
    assert e["within_tolerance"] == 2 and math.isclose(e["share_within_tolerance"], 2 / 3)


def test_breakdowns_by_service_counter_officer(db, day):
    r = _report(db)
    assert [(x["label"], x["tickets"]) for x in r.by_service] == [
        ("Penjualan Produk Statistik", 6),
        ("Konsultasi Statistik", 1),
    ]
    assert [(x["label"], x["tickets"], x["served"]) for x in r.by_counter] == [
        ("Loket 1", 3, 2),
        ("Loket 2", 2, 2),
        (None, 2, 0),
    ]
    assert [(x["label"], x["tickets"]) for x in r.by_officer] == [("Petugas Dua", 2), ("Petugas Satu", 3), (None, 2)]
    c1 = r.by_counter[0]
    assert c1["waiting"]["median"] == 17 and c1["limit"]["share"] == 1.0


def test_filters_narrow_every_figure(db, day):
    with db.read() as s:
        p2 = s.exec(select(User).where(User.username == "petugas2")).one().id
        c1 = s.exec(select(Counter).where(Counter.number == 1)).one().id
        konsultasi = factories.service(s, "konsultasi").id
    officer = _report(db, officer_id=p2).summary
    # B and C: waiting [2, 18] -> mean 10, median 10, p90 = 2 + 0.9 * 16 = 16.4; C breached
    assert officer["tickets"] == 2 and officer["waiting"]["mean"] == 10 and officer["waiting"]["median"] == 10
    assert math.isclose(officer["waiting"]["p90"], 16.4) and officer["limit"]["share"] == 0.5
    counter = _report(db, counter_id=c1).summary
    assert counter["tickets"] == 3 and counter["no_shows"] == 1 and counter["transfers"] == 1
    svc = _report(db, service_id=konsultasi)
    assert svc.summary["tickets"] == 1 and svc.summary["cancelled"] == 1 and svc.summary["waiting"]["count"] == 0


def test_guestbook_breakdowns(db, day):
    g = _report(db).guestbook
    assert g["segment"] == [("government", 2), ("education", 1), ("individual", 1)]
    assert g["institution_category"] == [("central_government", 2), ("domestic_education", 1), ("individual", 1)]
    assert g["education"] == [("s2", 2), ("d4_s1", 1), ("sma", 1)]
    assert g["occupation"] == [("civil_servant", 2), ("researcher", 1), ("student", 1)]
    assert g["purpose"] == [("government_planning", 2), ("coursework", 1), ("research", 1)]


def test_arrivals_by_hour_and_days(db, day):
    r = _report(db)
    assert r.by_hour == [(8, 7)]
    assert r.time_unit == "day" and len(r.by_time) == 1
    assert r.by_time[0] == {"key": "2026-03-02", "tickets": 7, "served": 4, "limit_share": 0.8, "median_wait": 17}


def test_month_and_long_range(db, day, timeline):
    from tests.supervisor.timeline import Timeline

    next_day = Timeline(db, day_offset=1)
    next_day.issue(0)
    month = _report(db, Period.month(2026, 3))
    assert month.period.start == date(2026, 3, 1) and month.period.end == date(2026, 3, 31)
    assert month.summary["tickets"] == 8 and len(month.by_time) == 31
    assert [x["tickets"] for x in month.by_time[1:3]] == [7, 1]
    assert month.by_time[0]["limit_share"] is None and month.by_time[0]["median_wait"] is None
    long = _report(db, Period.between(date(2026, 1, 15), date(2026, 4, 2)))
    assert long.time_unit == "month" and [x["key"] for x in long.by_time] == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
    ]
    assert [x["tickets"] for x in long.by_time] == [0, 0, 8, 0]
    assert _report(db, Period.day(date(2026, 3, 1))).summary["tickets"] == 0


def test_period_bounds_follow_the_office_day():
    from zoneinfo import ZoneInfo

    start, end = Period.day(DAY).bounds(ZoneInfo("Asia/Jakarta"))
    assert (start.isoformat(), end.isoformat()) == ("2026-03-01T17:00:00+00:00", "2026-03-02T17:00:00+00:00")
    assert Period.between(date(2026, 3, 5), date(2026, 3, 1)).start == date(2026, 3, 1)


def test_empty_period_has_no_figures(db):
    s = _report(db).summary
    assert s["tickets"] == 0 and s["waiting"]["mean"] is None and s["limit"]["share"] is None
