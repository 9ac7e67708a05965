"""Calling the queue: priority then arrival, transfers keep their place, one visitor per counter, recalls,
no-shows and bringing them back, paused and closed counters, only today's tickets."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from clock import day_bounds
from models import CounterEvent, CounterStatus, Ticket, TicketEvent, TicketStatus
from rules import counters as counter_rules
from rules import lines, tickets
from rules.errors import RuleError
from tests.conftest import test_settings as repo_settings
from tests.rules.conftest import open_counter, wib

# config.toml: counter 1 serves penjualan (B) + konsultasi (K); counter 2 penjualan; counter 3 konsultasi + perpustakaan.


def issue(db, ids, code="penjualan", now=None, priority_reason=""):
    with db.write() as s:
        return tickets.issue_ticket(
            s, office=ids.office(s), service=ids.svc(s, code), now=now, priority_reason=priority_reason
        )


def call(db, ids, counter_number, now, user="petugas1"):
    with db.write() as s:
        t = tickets.call_next(s, counter_id=ids.counter[counter_number], user_id=ids.user[user], now=now)
        return None if t is None else t.code


def act(db, fn, **kw):
    with db.write() as s:
        return fn(s, **kw)


def ticket(db, ticket_id) -> Ticket:
    with db.read() as s:
        return s.get(Ticket, ticket_id)


def test_priority_first_then_arrival(db, ids):
    open_counter(db, ids, 2)
    issue(db, ids, now=wib(8, 0))  # B-001
    issue(db, ids, now=wib(8, 1))  # B-002
    issue(db, ids, now=wib(8, 2), priority_reason="pregnant")  # B-003
    issue(db, ids, now=wib(8, 3))  # B-004
    issue(db, ids, now=wib(8, 4), priority_reason="disability")  # B-005
    order = []
    for i in range(6):
        with db.write() as s:
            t = tickets.call_next(s, counter_id=ids.counter[2], user_id=ids.user["petugas1"], now=wib(9, i))
            order.append(t.code if t else None)
            if t:
                tickets.finish(s, ticket_id=t.id, counter_id=ids.counter[2], user_id=None, now=wib(9, i, 30))
    assert order == ["B-003", "B-005", "B-001", "B-002", "B-004", None]


def test_counter_serving_two_services_takes_the_oldest_across_both(db, ids):
    open_counter(db, ids, 1)
    issue(db, ids, "konsultasi", wib(8, 0))  # K-001
    issue(db, ids, "penjualan", wib(8, 1))  # B-001
    issue(db, ids, "perpustakaan", wib(7, 30))  # P-001: counter 1 does not serve the library
    issue(db, ids, "konsultasi", wib(8, 2))  # K-002
    order = []
    for i in range(4):
        with db.write() as s:
            t = tickets.call_next(s, counter_id=ids.counter[1], user_id=None, now=wib(9, i))
            order.append(t and t.code)
            if t:
                tickets.start(s, ticket_id=t.id, counter_id=ids.counter[1], user_id=None, now=wib(9, i, 10))
    assert order == ["K-001", "B-001", "K-002", None]


def test_transferred_visitor_keeps_their_place_in_time(db, ids):
    open_counter(db, ids, 2, "petugas1")
    open_counter(db, ids, 3, "petugas2")
    b1 = issue(db, ids, "penjualan", wib(8, 0))
    k1 = issue(db, ids, "konsultasi", wib(8, 5))
    issue(db, ids, "konsultasi", wib(8, 10))
    assert call(db, ids, 2, wib(8, 20)) == "B-001"
    moved = act(
        db,
        tickets.transfer,
        ticket_id=b1.id,
        counter_id=ids.counter[2],
        to_service_id=ids.service["konsultasi"],
        user_id=ids.user["petugas1"],
        now=wib(8, 25),
    )
    assert (moved.code, moved.status, moved.service_id) == ("B-001", TicketStatus.waiting, ids.service["konsultasi"])
    assert moved.queued_at == b1.queued_at == wib(8, 0)
    assert moved.issued_service_id == ids.service["penjualan"] and moved.transfer_count == 1
    # Arrived at 08:00, before K-001 (08:05): first in the consultation line.
    assert call(db, ids, 3, wib(8, 30), "petugas2") == "B-001"
    with db.read() as s:
        line = lines.waiting_line(
            s, office_id=ids.office_id, service_ids=[ids.service["konsultasi"]], day=date(2026, 3, 2)
        )
        assert [t.id for t in line][:1] == [k1.id]
        kinds = [e.kind for e in tickets.history(s, b1.id)]
    assert kinds == ["issued", "called", "transferred", "called"]
    # Counter 2 no longer has a visitor.
    assert call(db, ids, 2, wib(8, 31)) is None


def test_priority_still_beats_a_transferred_visitor(db, ids):
    open_counter(db, ids, 2)
    open_counter(db, ids, 3, "petugas2")
    b1 = issue(db, ids, "penjualan", wib(8, 0))
    issue(db, ids, "konsultasi", wib(8, 40), priority_reason="infant")
    call(db, ids, 2, wib(8, 20))
    act(
        db,
        tickets.transfer,
        ticket_id=b1.id,
        counter_id=ids.counter[2],
        to_service_id=ids.service["konsultasi"],
        user_id=None,
        now=wib(8, 45),
    )
    assert call(db, ids, 3, wib(8, 50), "petugas2") == "K-001"


def test_transfer_to_the_same_queue_is_refused(db, ids):
    open_counter(db, ids, 2)
    b1 = issue(db, ids, now=wib(8))
    call(db, ids, 2, wib(8, 1))
    with pytest.raises(RuleError) as e:
        act(
            db,
            tickets.transfer,
            ticket_id=b1.id,
            counter_id=ids.counter[2],
            to_service_id=ids.service["penjualan"],
            user_id=None,
            now=wib(8, 2),
        )
    assert e.value.code == "same_service"


def test_a_called_ticket_blocks_a_second_call_and_a_serving_one_is_finished_by_it(db, ids):
    open_counter(db, ids, 2)
    b1 = issue(db, ids, now=wib(8, 0))
    b2 = issue(db, ids, now=wib(8, 1))
    assert call(db, ids, 2, wib(9, 0)) == "B-001"
    # Double click: the visitor has not arrived yet, so nobody else is called and nobody is skipped.
    with pytest.raises(RuleError) as e:
        call(db, ids, 2, wib(9, 0, 1))
    assert e.value.code == "already_called"
    assert ticket(db, b2.id).status == TicketStatus.waiting
    act(db, tickets.start, ticket_id=b1.id, counter_id=ids.counter[2], user_id=None, now=wib(9, 1))
    assert call(db, ids, 2, wib(9, 7)) == "B-002"
    done = ticket(db, b1.id)
    assert (done.status, done.started_at, done.finished_at) == (TicketStatus.done, wib(9, 1), wib(9, 7))


def test_recall_counts_and_no_show_needs_the_configured_recalls(db, ids):
    required = repo_settings().app.recalls_before_no_show
    assert required == 2
    open_counter(db, ids, 2)
    b1 = issue(db, ids, now=wib(8))
    call(db, ids, 2, wib(9))
    for n in range(1, required + 1):
        with pytest.raises(RuleError) as e:
            act(
                db,
                tickets.no_show,
                ticket_id=b1.id,
                counter_id=ids.counter[2],
                user_id=None,
                recalls_required=required,
                now=wib(9, n),
            )
        assert e.value.code == "recall_first"
        t = act(db, tickets.recall, ticket_id=b1.id, counter_id=ids.counter[2], user_id=None, now=wib(9, n, 30))
        assert (t.recall_count, t.called_at, t.status) == (n, wib(9, n, 30), TicketStatus.called)
    t = act(
        db,
        tickets.no_show,
        ticket_id=b1.id,
        counter_id=ids.counter[2],
        user_id=None,
        recalls_required=required,
        now=wib(9, 5),
    )
    assert (t.status, t.ended_at) == (TicketStatus.no_show, wib(9, 5))
    with db.read() as s:
        kinds = [e.kind for e in tickets.history(s, b1.id)]
    assert kinds == ["issued", "called", "recalled", "recalled", "no_show"]


def test_recall_from_another_counter_is_refused(db, ids):
    open_counter(db, ids, 1)
    open_counter(db, ids, 2, "petugas2")
    b1 = issue(db, ids, now=wib(8))
    call(db, ids, 2, wib(9), "petugas2")
    with pytest.raises(RuleError) as e:
        act(db, tickets.recall, ticket_id=b1.id, counter_id=ids.counter[1], user_id=None, now=wib(9, 1))
    assert e.value.code == "other_counter"


def test_restored_no_show_comes_back_at_its_original_place(db, ids):
    open_counter(db, ids, 2)
    b1 = issue(db, ids, now=wib(8, 0))
    issue(db, ids, now=wib(8, 1))
    issue(db, ids, now=wib(8, 2))
    call(db, ids, 2, wib(9))
    act(
        db, tickets.no_show, ticket_id=b1.id, counter_id=ids.counter[2], user_id=None, recalls_required=0, now=wib(9, 1)
    )
    assert call(db, ids, 2, wib(9, 2)) == "B-002"
    # The visitor of B-001 comes back while B-002 is at the counter.
    r = act(db, tickets.restore, ticket_id=b1.id, user_id=None, office_id=ids.office_id, now=wib(9, 3))
    assert (r.status, r.queued_at, r.counter_id, r.recall_count) == (TicketStatus.waiting, wib(8, 0), None, 0)
    act(db, tickets.finish, ticket_id=r.id + 1, counter_id=ids.counter[2], user_id=None, now=wib(9, 4))
    assert call(db, ids, 2, wib(9, 5)) == "B-001"  # before B-003, issued later


def test_restore_refuses_a_ticket_of_another_day_and_a_ticket_that_is_not_set_aside(db, ids):
    open_counter(db, ids, 2)
    b1 = issue(db, ids, now=wib(8))
    with pytest.raises(RuleError) as e:
        act(db, tickets.restore, ticket_id=b1.id, user_id=None, now=wib(8, 1))
    assert e.value.code == "bad_state"
    call(db, ids, 2, wib(9))
    act(
        db, tickets.no_show, ticket_id=b1.id, counter_id=ids.counter[2], user_id=None, recalls_required=0, now=wib(9, 1)
    )
    with pytest.raises(RuleError) as e:
        act(db, tickets.restore, ticket_id=b1.id, user_id=None, now=wib(9, day=date(2026, 3, 3)))
    assert e.value.code == "old_ticket"


def test_paused_and_closed_counters_call_no_one(db, ids):
    b1 = issue(db, ids, now=wib(8))
    with pytest.raises(RuleError) as e:
        call(db, ids, 2, wib(9))
    assert e.value.code == "counter_closed"
    open_counter(db, ids, 2)
    # A pause needs a reason, and "other" needs words.
    for reason, note in (("", ""), ("nap", ""), ("other", "  ")):
        with pytest.raises(RuleError) as e:
            act(db, counter_rules.pause, counter_id=ids.counter[2], user_id=None, reason=reason, note=note)
        assert e.value.code == "bad_reason"
    c = act(
        db,
        counter_rules.pause,
        counter_id=ids.counter[2],
        user_id=ids.user["petugas1"],
        reason="other",
        note="mengambil kertas printer",
        now=wib(9, 1),
    )
    assert (c.status, c.pause_reason) == (CounterStatus.paused, "other: mengambil kertas printer")
    with pytest.raises(RuleError) as e:
        call(db, ids, 2, wib(9, 2))
    assert e.value.code == "counter_paused"
    assert ticket(db, b1.id).status == TicketStatus.waiting
    act(db, counter_rules.resume, counter_id=ids.counter[2], user_id=None, now=wib(9, 3))
    assert call(db, ids, 2, wib(9, 4)) == "B-001"
    with db.read() as s:
        events = [
            (e.kind, e.reason)
            for e in s.exec(
                select(CounterEvent).where(CounterEvent.counter_id == ids.counter[2]).order_by(CounterEvent.id)
            )
        ]
    assert events == [("open", ""), ("pause", "other: mengambil kertas printer"), ("resume", "")]


def test_a_counter_with_a_visitor_cannot_be_paused_or_closed(db, ids):
    open_counter(db, ids, 2)
    issue(db, ids, now=wib(8))
    call(db, ids, 2, wib(9))
    for fn, kw in ((counter_rules.pause, {"reason": "break"}), (counter_rules.close_counter, {})):
        with pytest.raises(RuleError) as e:
            act(db, fn, counter_id=ids.counter[2], user_id=None, **kw)
        assert e.value.code == "busy"


def test_only_todays_tickets_are_called(db, ids):
    open_counter(db, ids, 2)
    yesterday = issue(db, ids, now=wib(15, 0, day=date(2026, 3, 1)))  # left waiting at closing time
    assert call(db, ids, 2, wib(8)) is None
    today = issue(db, ids, now=wib(8, 5))
    assert today.code == "B-001"
    assert call(db, ids, 2, wib(8, 6)) == "B-001"
    with db.read() as s:
        assert s.get(Ticket, today.id).status == TicketStatus.called
        assert s.get(Ticket, yesterday.id).status == TicketStatus.waiting


def test_every_call_is_recorded_with_who_and_where(db, ids):
    open_counter(db, ids, 2)
    b1 = issue(db, ids, now=wib(8))
    call(db, ids, 2, wib(9))
    with db.read() as s:
        ev = s.exec(select(TicketEvent).where(TicketEvent.ticket_id == b1.id, TicketEvent.kind == "called")).one()
        t = s.get(Ticket, b1.id)
    assert (ev.at, ev.counter_id, ev.user_id, ev.service_id) == (
        wib(9),
        ids.counter[2],
        ids.user["petugas1"],
        ids.service["penjualan"],
    )
    assert (t.counter_id, t.officer_id, t.called_at, t.first_called_at) == (
        ids.counter[2],
        ids.user["petugas1"],
        wib(9),
        wib(9),
    )


@pytest.mark.parametrize("left_as", ["called", "serving"])
def test_a_visitor_left_at_the_counter_overnight_does_not_block_the_next_morning(db, ids, left_as):
    """Numbers restart daily: yesterday's forgotten visitor is closed at the end of yesterday, not today."""
    evening = date(2026, 3, 1)
    open_counter(db, ids, 2)
    old = issue(db, ids, now=wib(15, 0, day=evening))
    assert call(db, ids, 2, wib(15, 1, day=evening)) == "B-001"
    if left_as == "serving":
        act(db, tickets.start, ticket_id=old.id, counter_id=ids.counter[2], user_id=None, now=wib(15, 2, day=evening))
    issue(db, ids, now=wib(8, 0))
    assert call(db, ids, 2, wib(8, 1)) == "B-001"  # today's B-001, not refused as 'already called'
    closed = ticket(db, old.id)
    _, midnight = day_bounds(evening, ZoneInfo("Asia/Jakarta"))
    assert (closed.status, closed.finished_at) == (TicketStatus.done, midnight)
    with db.read() as s:
        ev = s.exec(select(TicketEvent).where(TicketEvent.ticket_id == old.id, TicketEvent.kind == "finished")).one()
    assert "overnight" in ev.detail and ev.at == midnight
