"""Counter ownership under a real race on PostgreSQL: the API checks "is this your counter?" and acts in one
transaction; a takeover committed in between must be seen, not a stale copy of the counter."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlmodel import select

from app import create_app
from models import Ticket, TicketStatus
from rules import counters as counter_rules
from rules import tickets
from tests.conftest import ApiClient
from tests.conftest import test_settings as repo_settings
from tests.rules.conftest import load_ids

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(pg_db):
    app = create_app({"TESTING": True, "DATABASE_URL": pg_db.url, "SERVER_NAME": None}, settings=repo_settings())
    yield app
    app.extensions["loket.db"].dispose()


def wait_until_blocked(database, timeout=30.0) -> None:
    """Until some session of this database waits on a row lock (the API request reached the counter)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with database.read() as s:
            n = s.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        if n:
            return
        time.sleep(0.02)
    raise AssertionError("the API request never waited for the counter's lock")


def test_call_next_sees_a_takeover_committed_while_it_waited(pg_app):
    database = pg_app.extensions["loket.db"]
    ids = load_ids(database)
    cid = ids.counter[2]
    with database.write() as s:
        tickets.issue_ticket(s, office=ids.office(s), service=ids.svc(s, "penjualan"))
        counter_rules.open_counter(s, counter_id=cid, user_id=ids.user["petugas1"])
    first = ApiClient(pg_app.test_client())
    first.login("petugas1")

    answer = {}
    with database.write() as takeover:
        # petugas2 takes counter 2 over; the transaction is still open, so the counter row is locked.
        counter_rules.open_counter(takeover, counter_id=cid, user_id=ids.user["petugas2"])
        worker = threading.Thread(target=lambda: answer.setdefault("r", first.post(f"/api/counters/{cid}/call-next")))
        worker.start()
        wait_until_blocked(database)
    worker.join(timeout=60)
    r = answer["r"]
    assert r.status_code == 409 and r.get_json()["error"] == "not_your_counter", r.get_json()
    with database.read() as s:
        assert [t.status for t in s.exec(select(Ticket))] == [TicketStatus.waiting]
