"""Live updates to the phone with real Socket.IO clients over websockets against a real server.

Each phone is in its own ticket's room of the '/status' namespace: it hears about its own ticket only,
never another visitor's call or code, and a guessed or expired token is refused at the door.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import timedelta

import pytest
import requests
import socketio

import clock
from security.limits import DEVICE_COOKIE
from tests.factories import guest_form
from tests.kiosks import pair_requests

OFFICE = "1600"
WAIT = 15  # a ceiling for something that should happen, never an assertion on speed


class Http:
    """The kiosk or an officer over real HTTP, carrying the CSRF token."""

    def __init__(self, base: str):
        self.base, self.s = base, requests.Session()
        self.token = self.s.get(base + "/api/session").json()["csrf_token"]

    def post(self, path, json=None):
        return self.s.post(self.base + path, json=json, headers={"X-CSRFToken": self.token})

    def take(self, service="penjualan", **kw) -> dict:
        if DEVICE_COOKIE not in self.s.cookies:
            pair_requests(self.s, self.base)
        services = self.s.get(f"{self.base}/api/offices/{OFFICE}/services").json()["services"]
        sid = next(x["id"] for x in services if x["code"] == service)
        r = self.post(f"/api/offices/{OFFICE}/tickets", guest_form(sid, **kw))
        assert r.status_code == 201, r.text
        return r.json()

    def login(self, user="petugas1"):
        r = self.post("/api/login", {"username": user, "password": f"{user}-demo"})
        assert r.status_code == 200, r.text
        self.token = r.json()["csrf_token"]
        return self

    def open_counter(self, cid: int):
        assert self.post(f"/api/counters/{cid}/open").status_code == 200

    def call_next(self, cid: int) -> dict:
        r = self.post(f"/api/counters/{cid}/call-next")
        assert r.status_code == 200, r.text
        return r.json()["ticket"]


class Phone:
    """A visitor's phone: a Socket.IO client in the '/status' namespace that records what it receives."""

    def __init__(self, base: str, token: str):
        self.events: list[tuple[str, dict]] = []
        self._cv = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        for name in ("state", "call", "changed", "snapshot", "gone", "ticket_issued"):
            self.client.on(name, self._recorder(name), namespace="/status")
            self.client.on(name, self._recorder("default:" + name))  # the default namespace, never joined
        self.base, self.token = base, token

    def _recorder(self, name):
        def record(data=None):
            with self._cv:
                self.events.append((name, data or {}))
                self._cv.notify_all()

        return record

    def connect(self):
        self.client.connect(
            self.base, namespaces=["/status"], auth={"token": self.token}, transports=["websocket"], wait_timeout=WAIT
        )
        return self

    def named(self, name):
        return [d for n, d in self.events if n == name]

    def wait_until(self, predicate, what):
        deadline = time.monotonic() + WAIT
        with self._cv:
            while True:
                found = predicate(self)
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}; got {self.events!r}")
                self._cv.wait(left)


@pytest.fixture
def phones(live_server):
    made = []

    def make(token):
        p = Phone(live_server.url, token).connect()
        made.append(p)
        return p

    yield make
    for p in made:
        if p.client.connected:
            p.client.disconnect()


def counter_id(live_server, number: int) -> int:
    from sqlmodel import select

    from models import Counter

    with live_server.app.extensions["loket.db"].read() as s:
        return s.exec(select(Counter.id).where(Counter.number == number)).one()


def test_each_phone_hears_only_its_own_ticket(live_server, phones):
    kiosk = Http(live_server.url)
    a = kiosk.take(name="Ahmad Fauzi")
    b = kiosk.take(name="Siti Aminah")
    phone_a, phone_b = phones(a["status_token"]), phones(b["status_token"])
    first_b = phone_b.wait_until(lambda p: p.named("state"), "B's state on connect")[0]
    assert first_b["code"] == b["code"] and first_b["ahead"] == 1
    phone_a.wait_until(lambda p: p.named("state"), "A's state on connect")

    officer = Http(live_server.url).login()
    cid = counter_id(live_server, 1)
    officer.open_counter(cid)
    called = officer.call_next(cid)
    assert called["code"] == a["code"]

    # A's phone: the call, with the counter, and then its state "called".
    call = phone_a.wait_until(lambda p: p.named("call"), "A's call")[0]
    assert call == {
        "code": a["code"],
        "counter": 1,
        "counter_name": call["counter_name"],
        "recall": False,
        "at": call["at"],
    }
    phone_a.wait_until(lambda p: [s for s in p.named("state") if s["status"] == "called"], "A's called state")
    # B's phone: its own new place, and nothing of A.
    phone_b.wait_until(lambda p: [s for s in p.named("state") if s["ahead"] == 0], "B moving up")
    assert phone_b.named("call") == []
    assert all(s["code"] == b["code"] for s in phone_b.named("state"))
    everything_b_got = repr(phone_b.events)
    for leak in (a["code"], a["status_token"], "Ahmad", "Siti", "Fauzi"):
        assert leak not in everything_b_got, leak
    # Neither phone is in an office room: no snapshots, no other visitors' codes.
    for p in (phone_a, phone_b):
        assert not [n for n, _ in p.events if n.startswith("default:") or n == "snapshot"]


def test_a_phone_cannot_talk_its_way_into_another_room(live_server, phones):
    kiosk = Http(live_server.url)
    mine = kiosk.take()
    phone = phones(mine["status_token"])
    phone.wait_until(lambda p: p.named("state"), "the state on connect")
    # The office's join handler belongs to the default namespace; in '/status' it does not exist.
    phone.client.emit("join", {"office": OFFICE, "screen": "display"}, namespace="/status")
    phone.client.emit("join", {"office": OFFICE, "screen": "staff"}, namespace="/status")
    other = kiosk.take()
    officer = Http(live_server.url).login()
    cid = counter_id(live_server, 1)
    officer.open_counter(cid)
    officer.call_next(cid)  # calls my ticket
    phone.wait_until(lambda p: [s for s in p.named("state") if s["status"] == "called"], "my call")
    assert other["code"] not in repr(phone.events)
    assert phone.named("snapshot") == []


def test_guessed_and_expired_tokens_are_refused(live_server, phones):
    with pytest.raises(socketio.exceptions.ConnectionError):
        phones(secrets.token_urlsafe(24))
    with pytest.raises(socketio.exceptions.ConnectionError):
        phones("")

    kiosk = Http(live_server.url)
    mine = kiosk.take()
    kiosk_page = Http(live_server.url)
    assert kiosk_page.s.get(f"{live_server.url}/s/{mine['status_token']}").status_code == 200
    r = kiosk_page.post(f"/s/{mine['status_token']}/cancel", {})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    phones(mine["status_token"]).client.disconnect()  # still valid within the set time after it ended
    clock.set_offset(timedelta(hours=25))
    with pytest.raises(socketio.exceptions.ConnectionError):
        phones(mine["status_token"])


def test_a_request_step_tells_the_phone_to_fetch_its_state(live_server, phones):
    kiosk = Http(live_server.url)
    mine = kiosk.take()
    other = kiosk.take()
    phone, other_phone = phones(mine["status_token"]), phones(other["status_token"])
    phone.wait_until(lambda p: p.named("state"), "the state on connect")
    officer = Http(live_server.url).login()
    cid = counter_id(live_server, 1)
    officer.open_counter(cid)
    ticket = officer.call_next(cid)
    assert officer.post(f"/api/counters/{cid}/tickets/{ticket['id']}/start").status_code == 200
    r = officer.post("/api/requests", {"ticket_id": ticket["id"]})
    assert r.status_code == 201, r.text
    phone.wait_until(lambda p: p.named("changed"), "the hint that the request moved on")
    # The hint carries nothing; what the visitor may see comes from the state endpoint.
    assert phone.named("changed") == [{}]
    state = requests.get(f"{live_server.url}/s/{mine['status_token']}/state").json()
    assert state["request"]["number"] == r.json()["request"]["number"]
    assert other_phone.named("changed") == []


def test_a_phone_is_updated_when_no_default_service_time_is_given(live_server, phones):
    """push_states without an explicit default falls back to the configured rules' default.

    Before the reorganisation it called an undefined function there; the NameError was swallowed by a broad
    except, so such a phone was never updated. The state must arrive, with its estimate.
    """
    from sqlmodel import select

    from extensions import socketio
    from models import Office
    from phone import live

    kiosk = Http(live_server.url)
    mine = kiosk.take(name="Rina Marlina")
    phone = phones(mine["status_token"])
    phone.wait_until(lambda p: p.named("state"), "the state on connect")
    seen = len(phone.named("state"))
    db = live_server.app.extensions["loket.db"]
    with db.read() as s:
        office_id = s.exec(select(Office.id).where(Office.code == OFFICE)).one()
    live._last_sent.clear()  # whatever was pushed before, this push must send the state again
    live.push_states(socketio, db, office_id)
    pushed = phone.wait_until(lambda p: p.named("state")[seen:], "a pushed state")
    assert pushed[-1]["code"] == mine["code"] and pushed[-1]["estimated_wait_minutes"] is not None
