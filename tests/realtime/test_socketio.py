"""Live updates with real Socket.IO clients over websockets against a real server.

A wall display must learn of a call as it happens, a display that connects later must find it in its
first snapshot, the staff room must refuse strangers, and a display that lost its server must come back
with the truth rather than with what it saw before.
"""

from __future__ import annotations

import pytest
import socketio

from rules import tickets
from tests.realtime.conftest import OFFICE, Http, RestartableServer, counter_code


def test_display_connected_before_a_call_receives_it(live_server, screens):
    display = screens(live_server.url).connect()
    first = display.wait_until(lambda d: d.named("snapshot"), "the snapshot sent on connect")[0]
    assert first["office"]["code"] == OFFICE
    assert all(c["ticket"] is None for c in first["counters"])

    visitor = Http(live_server.url)
    issued = visitor.take_ticket("penjualan")
    officer = Http(live_server.url).login("petugas1")
    cid = officer.open_counter(1)
    mark = len(display.events)
    called = officer.call_next(cid)
    assert called["code"] == issued["code"]

    call = display.wait_until(lambda d: [c for c in d.named("call") if c["code"] == issued["code"]], "the call event")[
        0
    ]
    assert call["counter"] == 1 and call["recall"] is False
    assert call["counter_name"]
    snap = display.snapshot_where(
        lambda s: counter_code(s, 1) == issued["code"], "a snapshot with the call", after=mark
    )
    assert snap["last_calls"][0]["code"] == issued["code"] and snap["last_calls"][0]["counter"] == 1
    # The call is announced before the snapshot that shows it, so a display can flash the right box.
    names = [n for n, d in display.events[mark:] if n == "call" or (n == "snapshot" and counter_code(d, 1))]
    assert names[0] == "call"
    # Public screens carry codes only: nothing of the visitor's guest book travels to a wall display.
    text = repr(display.events)
    assert "example.id" not in text and "Pengunjung" not in text and "08123" not in text


def test_display_connecting_after_a_call_finds_it_in_its_first_snapshot(live_server, screens):
    visitor = Http(live_server.url)
    issued = visitor.take_ticket("konsultasi")
    officer = Http(live_server.url).login("petugas2")
    cid = officer.open_counter(3)  # counter 3 serves consultations
    officer.call_next(cid)

    late = screens(live_server.url).connect()
    snap = late.wait_until(lambda d: d.named("snapshot"), "the first snapshot")[0]
    assert counter_code(snap, 3) == issued["code"]
    assert snap["last_calls"][0]["code"] == issued["code"]
    assert late.named("call") == []  # an old call is shown, not announced again


def test_a_recall_is_announced_again(live_server, screens):
    display = screens(live_server.url).connect()
    issued = Http(live_server.url).take_ticket("penjualan")
    officer = Http(live_server.url).login("petugas1")
    cid = officer.open_counter(1)
    ticket = officer.call_next(cid)
    r = officer.post(f"/api/counters/{cid}/tickets/{ticket['id']}/recall")
    assert r.status_code == 200, r.text
    calls = display.wait_until(
        lambda d: (
            [c for c in d.named("call") if c["code"] == issued["code"]][1:]
            and [c for c in d.named("call") if c["code"] == issued["code"]]
        ),
        "the recall",
    )
    assert [c["recall"] for c in calls] == [False, True]
    assert calls[0]["at"] != calls[1]["at"]  # two distinct announcements, not a duplicate delivery


def test_staff_room_refuses_a_connection_without_sign_in(live_server, screens):
    stranger = screens(live_server.url, screen="staff", reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        stranger.connect()
    assert stranger.named("snapshot") == []

    # The same request with an officer's session cookie is let in and gets the snapshot.
    officer = Http(live_server.url).login("petugas1")
    staff = screens(live_server.url, screen="staff", cookies=officer.cookie_header()).connect()
    assert staff.wait_until(lambda d: d.named("snapshot"), "the staff snapshot")[0]["office"]["code"] == OFFICE


def test_staff_room_receives_new_tickets_and_display_room_does_not_leak_them(live_server, screens):
    officer = Http(live_server.url).login("petugas1")
    staff = screens(live_server.url, screen="staff", cookies=officer.cookie_header()).connect()
    display = screens(live_server.url).connect()
    issued = Http(live_server.url).take_ticket("penjualan")
    event = staff.wait_until(
        lambda d: [e for e in d.named("ticket_issued") if e["code"] == issued["code"]],
        "ticket_issued on the staff screen",
    )[0]
    assert set(event) <= {"code", "service_id"}
    display.snapshot_where(lambda s: any(v["waiting"] == 1 for v in s["services"]), "the waiting count")
    assert display.named("ticket_issued") == []  # a wall display gets the count, not an event per ticket


def test_unknown_office_is_refused(live_server, screens):
    with pytest.raises(socketio.exceptions.ConnectionError):
        screens(live_server.url, office="9999", reconnection=False).connect()


def test_display_reconnecting_after_a_server_restart_gets_a_fresh_snapshot(app, db, screens):
    from tests.conftest import free_port

    port = free_port()
    server = RestartableServer(app, port).start()
    new_app = None
    new_server = None
    try:
        visitor = Http(server.url)
        first_ticket = visitor.take_ticket("penjualan")
        second_ticket = visitor.take_ticket("penjualan")
        officer = Http(server.url).login("petugas1")
        cid = officer.open_counter(1)
        officer.call_next(cid)

        display = screens(server.url).connect()
        before = display.wait_until(lambda d: d.named("snapshot"), "the first snapshot")[0]
        assert counter_code(before, 1) == first_ticket["code"]

        server.stop()
        display.wait_until(lambda d: d.disconnects >= 1, "the display to notice the server is gone")

        # While the server is down the queue moves on (another worker, a script, the next server):
        # the first visitor is finished and the second one called, straight in the database file.
        with db.write() as s:
            tickets.finish(s, ticket_id=first_ticket["id"], counter_id=cid, user_id=None)
            moved = tickets.call_next(s, counter_id=cid, user_id=None)
            assert moved.code == second_ticket["code"]
            moved_id = moved.id
        mark = len(display.events)

        from app import create_app

        new_app = create_app(
            {"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"], "SERVER_NAME": None},
            settings=app.extensions["loket.settings"],
        )
        new_server = RestartableServer(new_app, port).start()

        display.wait_until(lambda d: d.connects >= 2, "the display to reconnect")
        fresh = display.snapshot_where(lambda s: True, "a snapshot after reconnecting", after=mark)
        assert counter_code(fresh, 1) == second_ticket["code"], "the display still shows the old call"
        assert fresh["last_calls"][0]["code"] == second_ticket["code"]
        assert fresh["server_time"] > before["server_time"]
        assert next(v for v in fresh["services"] if v["code"] == "penjualan")["waiting"] == 0

        # And it is back in its room: a call made through the new server reaches it live.
        third = Http(new_server.url).take_ticket("penjualan")
        officer2 = Http(new_server.url).login("petugas1")
        cid = officer2.open_counter(1)
        r = officer2.post(f"/api/counters/{cid}/tickets/{moved_id}/finish")
        assert r.status_code == 200, r.text
        officer2.call_next(cid)
        display.wait_until(
            lambda d: [c for c in d.named("call") if c["code"] == third["code"]], "a live call after the restart"
        )
    finally:
        if new_server is not None:
            new_server.stop()
        if new_app is not None:
            new_app.extensions["loket.db"].dispose()
        try:
            server.stop()
        except Exception:  # noqa: BLE001 - already stopped
            pass


def test_snapshot_request_answers_with_current_state(live_server, screens):
    """A display that was hidden asks again ('snapshot' with an ack) and gets the current state."""
    display = screens(live_server.url).connect()
    issued = Http(live_server.url).take_ticket("penjualan")
    answer = display.client.call("snapshot", {"office": OFFICE}, timeout=15)
    assert next(v for v in answer["services"] if v["code"] == "penjualan")["next"] == [issued["code"]]
    assert display.client.call("snapshot", {"office": "nope"}, timeout=15) == {"ok": False}


def test_clock_fields_for_the_ten_minute_limit(live_server, screens):
    """The snapshot carries what the display needs to show the time left for the head of each line."""
    Http(live_server.url).take_ticket("penjualan")
    display = screens(live_server.url).connect()
    snap = display.wait_until(lambda d: d.named("snapshot"), "the first snapshot")[0]
    head = next(v for v in snap["services"] if v["code"] == "penjualan")["head"]
    assert head["deadline_at"] and head["clock_started_at"]
    assert 0 < head["seconds_left"] <= snap["office"]["service_limit_minutes"] * 60
    assert head["deadline_at"] > snap["server_time"] >= head["clock_started_at"]


def test_a_screen_that_hangs_up_before_its_join_is_handled_is_let_go_quietly(live_server, screens, monkeypatch):
    """A page closed right after asking for the live view: the server leaves it, nothing raises.

    Reproduces CI's failure deterministically: the supervisor's request is handled after its connection left
    the namespace (here: the server drops it just before joining), and python-socketio refuses the join.
    """
    import threading

    from flask import request

    import supervisor.events
    from extensions import socketio as server

    crashed: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: crashed.append(args.exc_value))
    built: list[str] = []
    monkeypatch.setattr(supervisor.events.live, "supervisor_snapshot", lambda *a, **k: built.append("built"))
    real_room = supervisor.events.staff_room

    def room_of_a_screen_gone(code):
        server.server.disconnect(request.sid, namespace="/")  # the tab closed while the event was in flight
        return real_room(code)

    monkeypatch.setattr(supervisor.events, "staff_room", room_of_a_screen_gone)
    boss = Http(live_server.url).login("pengawas")
    screen = screens(live_server.url, screen="staff", cookies=boss.cookie_header()).connect()
    screen.wait_until(lambda d: d.named("snapshot"), "the staff snapshot")
    screen.client.emit("supervisor", {})
    screen.wait_until(lambda d: d.disconnects, "the server letting the screen go")
    assert crashed == []
    assert built == []  # nothing built for a screen that is gone

    # The server is none the worse: the next supervisor screen gets its live view.
    monkeypatch.undo()
    again = screens(live_server.url, screen="staff", cookies=boss.cookie_header()).connect()
    answer = again.client.call("supervisor", {}, timeout=15)
    assert answer["ok"] is True and answer["snapshot"]
