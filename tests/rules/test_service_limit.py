"""The 10-minute limit on hand-made timelines: when each ticket's clock starts, its deadline, and breaches.

SPEC: a ticket's clock starts at the later of its issue and the moment the ticket ahead of it in the same
queue finished (or otherwise left the line: no-show, transfer); the limit is broken if it has not been
called 10 minutes after that.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from models import Ticket, TicketEvent
from rules import lines, tickets
from rules import service_limit as sl
from tests.rules.conftest import DAY, open_counter, wib

LIMIT = 10


# ---- the pure functions ----------------------------------------------------------------------------


def test_clock_of_the_first_ticket_of_the_day_starts_at_its_issue():
    assert sl.clock_start(wib(8, 5), sl.NO_ONE_AHEAD) == wib(8, 5)
    assert sl.deadline(wib(8, 5), LIMIT) == wib(8, 15)


def test_clock_waits_for_the_ticket_ahead_to_finish():
    assert sl.clock_start(wib(8, 5), sl.Ahead(exists=True, ended_at=None)) is None
    assert sl.deadline(None, LIMIT) is None
    assert sl.seconds_left(None, LIMIT, wib(9)) is None
    assert sl.state(None, LIMIT, wib(9)) == "not_started"


def test_clock_starts_at_the_later_of_issue_and_the_finish_ahead():
    # Issued while the one ahead was served: starts when it finished.
    assert sl.clock_start(wib(8, 5), sl.Ahead(exists=True, ended_at=wib(8, 12))) == wib(8, 12)
    # Issued after the one ahead had finished: starts at issue.
    assert sl.clock_start(wib(8, 20), sl.Ahead(exists=True, ended_at=wib(8, 12))) == wib(8, 20)


def test_only_the_head_of_a_line_has_a_running_clock():
    out = sl.clocks_for_line([wib(8, 0), wib(8, 1), wib(8, 2)], sl.Ahead(True, wib(8, 30)), LIMIT)
    assert out == [(wib(8, 30), wib(8, 40)), (None, None), (None, None)]
    assert sl.clocks_for_line([wib(8, 0)], sl.NO_ONE_AHEAD, LIMIT) == [(wib(8, 0), wib(8, 10))]
    assert sl.clocks_for_line([], sl.NO_ONE_AHEAD, LIMIT) == []


def test_breach_detection_while_waiting_and_once_called():
    start = wib(9, 0)
    assert sl.state(start, LIMIT, wib(9, 6)) == "ok"
    assert sl.state(start, LIMIT, wib(9, 7)) == "amber"  # 70 % of the limit used
    assert sl.state(start, LIMIT, wib(9, 10)) == "amber"  # the deadline itself is still in time
    assert sl.state(start, LIMIT, wib(9, 10, 1)) == "breached"
    assert sl.seconds_left(start, LIMIT, wib(9, 4)) == 360
    assert sl.seconds_left(start, LIMIT, wib(9, 12)) == -120
    # A called ticket is judged by its call time, not by "now".
    assert sl.state(start, LIMIT, wib(11), called_at=wib(9, 10)) == "met"
    assert sl.state(start, LIMIT, wib(9, 5), called_at=wib(9, 10, 1)) == "breached"


def test_the_clock_screens_receive_carries_the_moments_that_decide_its_state():
    """Screens compare their time with amber_at and deadline_at; the state is the one at the time of sending."""
    start = wib(9, 0)
    at = {m: sl.limit_clock(start, LIMIT, wib(9, m)) for m in (6, 7, 10)}
    assert at[6]["clock_started_at"] == wib(9, 0).isoformat()
    assert at[6]["amber_at"] == wib(9, 7).isoformat() and at[6]["deadline_at"] == wib(9, 10).isoformat()
    assert [at[m]["state"] for m in (6, 7, 10)] == ["ok", "amber", "amber"]
    late = sl.limit_clock(start, LIMIT, wib(9, 10, 1))
    assert (late["state"], late["seconds_left"]) == ("breached", -1)
    waiting = sl.limit_clock(None, LIMIT, wib(9, 5))
    assert waiting == {
        "clock_started_at": None,
        "amber_at": None,
        "deadline_at": None,
        "seconds_left": None,
        "state": "not_started",
    }


def test_a_twenty_minute_limit_moves_both_moments():
    start = wib(9, 0)
    clock = sl.limit_clock(start, 20, wib(9, 10))
    assert clock["amber_at"] == wib(9, 14).isoformat() and clock["deadline_at"] == wib(9, 20).isoformat()
    assert clock["state"] == "ok"  # 10 minutes in: amber under a 10-minute limit, not under 20
    assert sl.limit_clock(start, 20, wib(9, 14))["state"] == "amber"
    assert sl.limit_clock(start, 20, wib(9, 20, 1))["state"] == "breached"
    assert sl.amber_at(start, 20) == wib(9, 14) and sl.amber_at(None, 20) is None


def test_recorded_clock_of_a_ticket_called_before_its_clock_started_is_its_call():
    # Called by a second counter while the one ahead was still being served: it waited 0.
    assert sl.recorded_clock(wib(8, 0), sl.Ahead(True, None), wib(8, 30)) == wib(8, 30)
    assert sl.recorded_clock(wib(8, 0), sl.Ahead(True, wib(8, 20)), wib(8, 30)) == wib(8, 20)
    assert sl.recorded_clock(wib(8, 0), sl.NO_ONE_AHEAD, wib(8, 30)) == wib(8, 0)


# ---- stored by call-next, on timelines played through the rules ----------------------------------------


def issue(db, ids, at, code="penjualan"):
    with db.write() as s:
        return tickets.issue_ticket(s, office=ids.office(s), service=ids.svc(s, code), now=at)


def call(db, ids, number, at) -> Ticket:
    with db.write() as s:
        return tickets.call_next(s, counter_id=ids.counter[number], user_id=None, now=at)


def act(db, fn, **kw):
    with db.write() as s:
        return fn(s, **kw)


def within_limit(db, ticket_id) -> bool:
    with db.read() as s:
        ev = s.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "called")
            .order_by(TicketEvent.id.desc())
        ).first()
    return json.loads(ev.detail)["within_limit"]


def test_first_ticket_of_the_day(db, ids):
    open_counter(db, ids, 2)
    b1 = issue(db, ids, wib(8, 5))
    t = call(db, ids, 2, wib(8, 20))
    assert (t.id, t.clock_started_at, t.deadline_at) == (b1.id, wib(8, 5), wib(8, 15))
    assert within_limit(db, b1.id) is False  # called 5 minutes late


def test_ticket_issued_after_the_one_ahead_finished(db, ids):
    open_counter(db, ids, 2)
    b1 = issue(db, ids, wib(8, 0))
    call(db, ids, 2, wib(8, 1))
    act(db, tickets.finish, ticket_id=b1.id, counter_id=ids.counter[2], user_id=None, now=wib(8, 6))
    b2 = issue(db, ids, wib(8, 10))
    t = call(db, ids, 2, wib(8, 19))
    assert (t.id, t.clock_started_at, t.deadline_at) == (b2.id, wib(8, 10), wib(8, 20))
    assert within_limit(db, b2.id) is True


def test_ticket_waiting_while_the_one_ahead_is_served_starts_at_its_finish(db, ids):
    open_counter(db, ids, 2)
    b1 = issue(db, ids, wib(8, 0))
    b2 = issue(db, ids, wib(8, 2))
    call(db, ids, 2, wib(8, 3))
    act(db, tickets.start, ticket_id=b1.id, counter_id=ids.counter[2], user_id=None, now=wib(8, 4))
    # While B-001 is served, B-002's clock has not started: the display shows no deadline for it.
    with db.read() as s:
        ahead = lines.ahead_of_line(
            s, office_id=ids.office_id, service_id=ids.service["penjualan"], day=b2.service_date
        )
    assert sl.clock_start(b2.queued_at, ahead) is None
    act(db, tickets.finish, ticket_id=b1.id, counter_id=ids.counter[2], user_id=None, now=wib(8, 30))
    t = call(db, ids, 2, wib(8, 41))
    assert (t.id, t.clock_started_at, t.deadline_at) == (b2.id, wib(8, 30), wib(8, 40))
    assert within_limit(db, b2.id) is False


def test_call_next_finishing_the_visitor_starts_the_next_clock_at_that_moment(db, ids):
    open_counter(db, ids, 2)
    b1 = issue(db, ids, wib(8, 0))
    issue(db, ids, wib(8, 1))
    call(db, ids, 2, wib(8, 2))
    act(db, tickets.start, ticket_id=b1.id, counter_id=ids.counter[2], user_id=None, now=wib(8, 3))
    t = call(db, ids, 2, wib(8, 25))  # finishes B-001 at 08:25 and calls B-002 at once
    assert (t.code, t.clock_started_at, t.deadline_at) == ("B-002", wib(8, 25), wib(8, 35))
    assert within_limit(db, t.id) is True


def test_no_show_ends_the_stint_of_the_ticket_ahead(db, ids):
    open_counter(db, ids, 2)
    b1 = issue(db, ids, wib(8, 0))
    b2 = issue(db, ids, wib(8, 0, 30))
    call(db, ids, 2, wib(8, 1))
    act(
        db, tickets.no_show, ticket_id=b1.id, counter_id=ids.counter[2], user_id=None, recalls_required=0, now=wib(8, 7)
    )
    t = call(db, ids, 2, wib(8, 20))
    assert (t.id, t.clock_started_at, t.deadline_at) == (b2.id, wib(8, 7), wib(8, 17))
    assert within_limit(db, b2.id) is False


def test_transfer_ends_the_stint_of_the_ticket_ahead(db, ids):
    open_counter(db, ids, 2)
    b1 = issue(db, ids, wib(8, 0))
    b2 = issue(db, ids, wib(8, 1))
    call(db, ids, 2, wib(8, 2))
    act(
        db,
        tickets.transfer,
        ticket_id=b1.id,
        counter_id=ids.counter[2],
        to_service_id=ids.service["konsultasi"],
        user_id=None,
        now=wib(8, 6),
    )
    t = call(db, ids, 2, wib(8, 10))
    assert (t.id, t.clock_started_at, t.deadline_at) == (b2.id, wib(8, 6), wib(8, 16))
    assert within_limit(db, b2.id) is True


def test_transferred_visitor_s_clock_in_the_new_queue_starts_when_they_joined_it(db, ids):
    """The visitor keeps their place in time, but the limit in the new queue cannot have run out while
    they were still being served at the first counter."""
    open_counter(db, ids, 2)
    open_counter(db, ids, 3, "petugas2")
    k1 = issue(db, ids, wib(8, 0), "konsultasi")
    b1 = issue(db, ids, wib(8, 0))
    call(db, ids, 3, wib(8, 1))
    act(db, tickets.finish, ticket_id=k1.id, counter_id=ids.counter[3], user_id=None, now=wib(8, 3))
    call(db, ids, 2, wib(8, 5))
    act(
        db,
        tickets.transfer,
        ticket_id=b1.id,
        counter_id=ids.counter[2],
        to_service_id=ids.service["konsultasi"],
        user_id=None,
        now=wib(8, 30),
    )
    t = call(db, ids, 3, wib(8, 35))
    assert (t.id, t.clock_started_at, t.deadline_at) == (b1.id, wib(8, 30), wib(8, 40))
    assert within_limit(db, b1.id) is True


def test_restored_no_show_s_clock_starts_when_it_was_brought_back(db, ids):
    open_counter(db, ids, 2)
    b1 = issue(db, ids, wib(8, 0))
    call(db, ids, 2, wib(8, 1))
    act(
        db, tickets.no_show, ticket_id=b1.id, counter_id=ids.counter[2], user_id=None, recalls_required=0, now=wib(8, 5)
    )
    act(db, tickets.restore, ticket_id=b1.id, user_id=None, now=wib(9, 0))
    t = call(db, ids, 2, wib(9, 4))
    assert (t.id, t.clock_started_at, t.deadline_at) == (b1.id, wib(9, 0), wib(9, 10))
    assert t.first_called_at == wib(8, 1)
    assert within_limit(db, b1.id) is True


def test_two_counters_on_one_queue(db, ids):
    """B-002 is called at counter 1 while B-001 is still served at counter 2: it waited 0."""
    open_counter(db, ids, 1)
    open_counter(db, ids, 2, "petugas2")
    issue(db, ids, wib(8, 0))
    issue(db, ids, wib(8, 1))
    call(db, ids, 2, wib(8, 2))
    t = call(db, ids, 1, wib(8, 3))
    assert (t.code, t.clock_started_at, t.deadline_at) == ("B-002", wib(8, 3), wib(8, 13))


@pytest.mark.parametrize("minutes", [5, 10, 15])
def test_the_office_s_configured_limit_is_used(db, ids, minutes):
    with db.write() as s:
        o = ids.office(s)
        o.service_limit_minutes = minutes
        s.add(o)
    open_counter(db, ids, 2)
    issue(db, ids, wib(8, 0))
    t = call(db, ids, 2, wib(8, 1))
    assert t.deadline_at - t.clock_started_at == timedelta(minutes=minutes)


def test_the_screens_show_the_clock_call_next_will_store_for_a_transferred_head(db, ids):
    """The display's countdown for the head of a line is the one call-next records, also after a transfer."""
    from rules.snapshot import public_snapshot

    open_counter(db, ids, 2)
    open_counter(db, ids, 3, "petugas2")
    b1 = issue(db, ids, wib(8, 0))
    call(db, ids, 2, wib(8, 5))
    act(
        db,
        tickets.transfer,
        ticket_id=b1.id,
        counter_id=ids.counter[2],
        to_service_id=ids.service["konsultasi"],
        user_id=None,
        now=wib(8, 30),
    )
    with db.read() as s:
        office = ids.office(s)
        clocked = lines.line_with_clocks(s, office=office, service_id=ids.service["konsultasi"], day=DAY)
        snap = public_snapshot(s, office, now=wib(8, 33))
    assert [(t.id, start, end) for t, start, end in clocked] == [(b1.id, wib(8, 30), wib(8, 40))]
    head = next(x["head"] for x in snap["services"] if x["code"] == "konsultasi")
    assert (head["code"], head["seconds_left"], head["state"]) == (b1.code, 7 * 60, "ok")
    t = call(db, ids, 3, wib(8, 35))
    assert (t.clock_started_at, t.deadline_at) == (wib(8, 30), wib(8, 40))
