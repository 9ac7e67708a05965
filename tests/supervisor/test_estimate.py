"""The wait estimate: the pure model on numbers worked by hand, then the same figures read from a timeline."""

from __future__ import annotations

import math

from sqlmodel import select

from models import Ticket
from rules import estimate as est
from rules.estimate import CounterLoad, clearance, expected_wait, whole_minutes
from tests import factories
from tests.supervisor.timeline import Timeline


def test_module_example_three_ahead_one_busy_one_idle():
    # (3 * 6 + 1 * 4) / 2 = 11
    loads = [CounterLoad(1, 1.0, 4.0), CounterLoad(2, 1.0, None)]
    assert expected_wait(3, 6.0, loads) == 11.0


def test_idle_counter_for_everyone_ahead_means_no_wait():
    loads = [CounterLoad(1, 1.0, None), CounterLoad(2, 1.0, None)]
    assert expected_wait(0, 6.0, loads) == 0.0
    assert expected_wait(1, 6.0, loads) == 0.0
    # two ahead and two idle counters: both are called now, the third waits a full service on both counters
    assert expected_wait(2, 6.0, loads) == (2 * 6) / 2


def test_no_one_ahead_but_all_busy_waits_for_the_remaining_work():
    assert expected_wait(0, 8.0, [CounterLoad(1, 1.0, 3.0)]) == 3.0


def test_shared_counter_counts_for_its_share():
    # counter 1 is dedicated (share 1, idle), counter 2 gives this queue a quarter of its time and has
    # 2 minutes left: W = (4 * 5 + 0.25 * 2) / 1.25 = 16.4
    loads = [CounterLoad(1, 1.0, None), CounterLoad(2, 0.25, 2.0)]
    assert math.isclose(expected_wait(4, 5.0, loads), 16.4)


def test_no_open_counter_assumes_one_opens():
    assert expected_wait(3, 7.0, []) == 21.0
    assert expected_wait(0, 7.0, []) == 0.0


def test_whole_minutes_rounds_half_up_and_never_shows_zero_for_a_wait():
    assert whole_minutes(0) == 0
    assert whole_minutes(0.2) == 1
    assert whole_minutes(2.5) == 3
    assert whole_minutes(3.49) == 3
    assert whole_minutes(16.4) == 16


def test_clearance_counts_the_counters_needed():
    # 5 waiting, T = 6, one dedicated busy counter with 4 left: last one has 4 ahead -> (24 + 4) / 1 = 28 > 10
    loads = [CounterLoad(1, 1.0, 4.0)]
    c = clearance(5, 6.0, loads, 10)
    assert c.minutes == 28.0 and not c.in_time
    # +1 idle: (24 + 4) / 2 = 14; +2: 28 / 3 = 9.33 <= 10
    assert c.extra_counters_needed == 2
    assert clearance(1, 6.0, loads, 10).minutes == 4.0
    assert clearance(0, 6.0, loads, 10).extra_counters_needed == 0
    none_open = clearance(2, 6.0, [], 10)
    assert none_open.minutes == math.inf and none_open.extra_counters_needed == 1


def test_estimate_from_a_timeline(db, timeline: Timeline, settings):
    t = timeline
    t.open(0, 1, "petugas1")
    t.open(0, 2, "petugas2")
    for m in (0, 0, 0):
        t.issue(m)
    # service times 4, 6 and 10 minutes -> median 6
    t.serve(1, called=0, started=0, finished=4)
    t.serve(2, called=0, started=0, finished=6)
    t.serve(1, called=4, started=4, finished=14)
    t.issue(15)
    e = t.call(18, 1)
    t.start(18, e)
    for m in (19, 19, 19):
        t.issue(m)
    with db.read() as s:
        svc = factories.service(s, "penjualan")
        office = factories.office(s)
        result = est.estimate(s, office_id=office.id, service_id=svc.id, ahead=3, default_minutes=8, now=t.at(20))
    assert result.per_visitor == 6.0
    by_counter = {c.counter_id: c for c in result.counters}
    assert len(by_counter) == 2
    loads = sorted(result.counters, key=lambda c: c.counter_id)
    # counter 1 (also serves konsultasi, where no one waits): share 1, busy 2 minutes into a 6-minute visit
    assert loads[0].share == 1.0 and loads[0].remaining == 4.0
    assert loads[1].share == 1.0 and loads[1].remaining is None
    assert result.exact == 11.0 and result.minutes == 11


def test_shared_counter_share_from_waiting_counts(db, timeline: Timeline):
    t = timeline
    t.open(0, 1, "petugas1")  # serves penjualan and konsultasi
    t.issue(0, "penjualan")
    for _ in range(3):
        t.issue(0, "konsultasi")
    with db.read() as s:
        office, svc = factories.office(s), factories.service(s, "penjualan")
        loads = est.counter_loads(s, office_id=office.id, service_id=svc.id, per_visitor=6, now=t.at(1))
        result = est.estimate(s, office_id=office.id, service_id=svc.id, ahead=0, default_minutes=6, now=t.at(1))
    assert [c.share for c in loads] == [0.25]  # 1 waiting here / (1 + 3 waiting in konsultasi)
    assert result.minutes == 0  # the counter is idle: no one ahead is called at once


def test_default_service_time_before_any_history(db, timeline: Timeline):
    timeline.issue(0)
    with db.read() as s:
        office, svc = factories.office(s), factories.service(s)
        assert (
            est.recent_service_minutes(s, office_id=office.id, service_id=svc.id, default_minutes=8, now=timeline.at(1))
            == 8
        )
        # no counter open: as if one opens; two ahead -> 2 * 8
        assert (
            est.estimated_wait_minutes(
                s, office_id=office.id, service_id=svc.id, ahead=2, default_minutes=8, now=timeline.at(1)
            )
            == 16
        )


def test_kiosk_stores_the_estimate_it_shows(api, db, settings):
    with db.read() as s:
        svc = factories.service(s)
    shown = []
    for _ in range(3):
        r = api.post("/api/offices/1600/tickets", json=factories.guest_form(svc.id))
        assert r.status_code == 201, r.get_json()
        shown.append(r.get_json()["estimated_wait_minutes"])
    d = settings.app.default_service_minutes
    # nobody ahead -> 0; then 1 and 2 ahead with no open counter and no history: 1 * d, 2 * d
    assert shown == [0, whole_minutes(d), whole_minutes(2 * d)]
    with db.read() as s:
        stored = [t.estimated_wait_minutes for t in s.exec(select(Ticket).order_by(Ticket.id))]
    assert stored == shown
