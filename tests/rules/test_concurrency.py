"""Many clicks at the same moment: 16 threads, each with its own write session, on SQLite and PostgreSQL.

No ticket is called twice, none is skipped, each queue is called in its order, one counter gets one
visitor however many tabs click, and 16 simultaneous kiosks get the numbers 1..16.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

import pytest
from sqlalchemy import text
from sqlmodel import select

from models import Ticket, TicketEvent, TicketStatus
from rules import counters as counter_rules
from rules import tickets
from rules.errors import RuleError
from tests.rules.conftest import add_counters, load_ids, open_counter

THREADS = 16


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request):
    """The same tests on the SQLite file and on a scratch PostgreSQL database (skipped when unreachable)."""
    if request.param == "sqlite":
        return request.getfixturevalue("db")
    return request.getfixturevalue("pg_db")


def run_threads(n: int, target) -> list:
    """Start n threads at the same instant (a barrier) and collect what each returned or raised."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        barrier.wait()
        try:
            results[i] = target(i)
        except BaseException as e:  # noqa: BLE001 - reported by the test
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def line_key(t: Ticket):
    return (not t.priority, t.queued_at, t.id)


def test_postgresql_runs_at_read_committed(database):
    """The guarantees below are claimed for PostgreSQL's default isolation, not a stricter one."""
    if database.is_sqlite:
        pytest.skip("isolation levels are a PostgreSQL matter")
    with database.write() as s:
        assert s.execute(text("SHOW transaction_isolation")).scalar_one() == "read committed"


def test_sixteen_kiosks_at_once_get_one_to_sixteen(database):
    ids = load_ids(database)

    def take(i):
        with database.write() as s:
            t = tickets.issue_ticket(s, office=ids.office(s), service=ids.svc(s, "penjualan"))
            return t.number

    results = run_threads(THREADS, take)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(results) == list(range(1, THREADS + 1))
    with database.read() as s:
        codes = sorted(t.code for t in s.exec(select(Ticket)))
    assert codes == [f"B-{n:03d}" for n in range(1, THREADS + 1)]


def test_sixteen_guest_books_signed_at_once_through_the_kiosk_rule(database):
    """The kiosk's whole transaction (visitor, guest-book line, number) from 16 kiosks at once, two queues."""
    from rules import guestbook
    from tests.factories import guest_form

    ids = load_ids(database)

    def sign(i):
        code = "penjualan" if i % 2 else "konsultasi"
        form = guestbook.GuestBookForm.model_validate(guest_form(ids.service[code]))
        with database.write() as s:
            return guestbook.sign_and_take_ticket(s, office=ids.office(s), form=form).code

    results = run_threads(THREADS, sign)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(results) == sorted([f"B-{n:03d}" for n in range(1, 9)] + [f"K-{n:03d}" for n in range(1, 9)])


def test_sixteen_counters_calling_at_once_call_each_ticket_once_in_order(database):
    ids = load_ids(database)
    # 60 tickets in two queues, some priority, issued in a known order.
    with database.write() as s:
        office = ids.office(s)
        for i in range(60):
            code = "penjualan" if i % 3 else "konsultasi"
            tickets.issue_ticket(
                s, office=office, service=ids.svc(s, code), priority_reason="elderly" if i % 11 == 5 else ""
            )
    # Sixteen counters: some for one queue, some for both.
    kinds = [["penjualan"], ["konsultasi"], ["penjualan", "konsultasi"]]
    counter_ids = add_counters(database, ids, [kinds[i % 3] for i in range(THREADS)])
    uid = ids.user["petugas1"]

    spans: dict[int, tuple[float, float]] = {}  # ticket id -> (its call's transaction began, committed)

    def work(i):
        cid, mine = counter_ids[i], []
        while True:
            began = time.monotonic()
            with database.write() as s:
                t = tickets.call_next(s, counter_id=cid, user_id=uid)  # finishes the one being served
                if t is None:
                    return mine
                mine.append(t.id)
            spans[mine[-1]] = (began, time.monotonic())
            with database.write() as s:
                tickets.start(s, ticket_id=mine[-1], counter_id=cid, user_id=uid)

    results = run_threads(THREADS, work)
    assert not [r for r in results if isinstance(r, BaseException)], results
    called = [tid for r in results for tid in r]
    with database.read() as s:
        all_tickets = {t.id: t for t in s.exec(select(Ticket))}
        calls = s.exec(select(TicketEvent).where(TicketEvent.kind == "called").order_by(TicketEvent.id)).all()
    # Every ticket called exactly once, none skipped.
    assert sorted(called) == sorted(all_tickets) and len(called) == len(set(called)) == 60
    assert len(calls) == 60
    assert all(all_tickets[tid].status in (TicketStatus.serving, TicketStatus.done) for tid in called)
    # Each counter took its tickets in line order.
    for mine in results:
        keys = [line_key(all_tickets[tid]) for tid in mine]
        assert keys == sorted(keys)
    # Per queue, each call takes the first ticket no other call holds, so no ticket is taken after one behind
    # it in line was already called and committed: every ticket's call began before the commit of the call
    # of any ticket behind it. (The order of the recorded events is not the order of taking on PostgreSQL:
    # a counter that took a ticket may be descheduled before recording it while others call several.)
    by_service = defaultdict(list)
    for ev in calls:
        by_service[ev.service_id].append(all_tickets[ev.ticket_id])
    for line in by_service.values():
        expected = sorted(line, key=line_key)
        latest_begin_ahead = float("-inf")
        for t in expected:
            began, committed = spans[t.id]
            assert latest_begin_ahead <= committed, f"{t.code} was called before a ticket ahead of it"
            latest_begin_ahead = max(latest_begin_ahead, began)
        if database.is_sqlite:  # one writer at a time: the recorded order is exactly the line order
            assert [t.id for t in line] == [t.id for t in expected]


def test_sixteen_tabs_on_one_counter_call_exactly_one_visitor(database):
    ids = load_ids(database)
    with database.write() as s:
        for _ in range(5):
            tickets.issue_ticket(s, office=ids.office(s), service=ids.svc(s, "penjualan"))
    cid = open_counter(database, ids, 2)

    def click(i):
        with database.write() as s:
            return tickets.call_next(s, counter_id=cid, user_id=ids.user["petugas1"]).code

    results = run_threads(THREADS, click)
    called = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, RuleError)]
    assert called == ["B-001"]
    assert len(refused) == THREADS - 1 and {e.code for e in refused} == {"already_called"}
    with database.read() as s:
        statuses = [t.status for t in s.exec(select(Ticket).order_by(Ticket.number))]
    assert statuses == [TicketStatus.called] + [TicketStatus.waiting] * 4


def test_two_officers_on_two_counters_never_share_a_ticket(database):
    """The classic race: the queue has one visitor and two counters click at once."""
    ids = load_ids(database)
    with database.write() as s:
        tickets.issue_ticket(s, office=ids.office(s), service=ids.svc(s, "penjualan"))
    c1 = open_counter(database, ids, 1, "petugas1")
    c2 = open_counter(database, ids, 2, "petugas2")
    for _ in range(10):
        results = run_threads(2, lambda i: _call_code(database, [c1, c2][i]))
        assert sorted(map(str, results)) == ["B-001", "None"]
        # Put it back for the next round: whoever got it sets it aside and restores it.
        with database.write() as s:
            t = s.exec(select(Ticket)).one()
            tickets.no_show(s, ticket_id=t.id, counter_id=t.counter_id, user_id=None, recalls_required=0)
            tickets.restore(s, ticket_id=t.id, user_id=None)


def _call_code(database, counter_id):
    with database.write() as s:
        t = tickets.call_next(s, counter_id=counter_id, user_id=None)
        return None if t is None else t.code


def test_a_counter_paused_by_another_session_is_not_called_from_a_stale_read(database):
    """A route reads the counter first (is it yours?) and calls next in the same transaction; if the counter
    was paused in between by another session, call-next must see the pause, not its stale copy."""
    if database.is_sqlite:
        pytest.skip("on SQLite a write transaction holds the database lock from its first statement")
    ids = load_ids(database)
    with database.write() as s:
        tickets.issue_ticket(s, office=ids.office(s), service=ids.svc(s, "penjualan"))
    cid = open_counter(database, ids, 2)
    from models import Counter

    with pytest.raises(RuleError) as e:
        with database.write() as s:
            assert s.get(Counter, cid).status == "open"  # the route's ownership check
            with database.write() as other:
                counter_rules.pause(other, counter_id=cid, user_id=None, reason="break")
            tickets.call_next(s, counter_id=cid, user_id=None)
    assert e.value.code == "counter_paused"
