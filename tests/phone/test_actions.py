"""What the visitor can do from the phone: cancel (which frees the place) and "I'll be back in N minutes"."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

import clock
from models import Office
from rules import lines, tickets, visitor_status
from tests.phone.conftest import take, ticket_by_code


def ahead(phone, token: str) -> int:
    return phone.get(f"/s/{token}/state").get_json()["ahead"]


def test_cancelling_frees_the_place_in_the_queue(make_api, officer, db):
    kiosk = make_api()
    a, b, c = take(kiosk), take(kiosk), take(kiosk)
    phone_b, phone_c = make_api(), make_api()
    assert phone_b.get(f"/s/{b['status_token']}").status_code == 200  # the page gives the phone its CSRF token
    assert ahead(phone_c, c["status_token"]) == 2

    r = phone_b.post(f"/s/{b['status_token']}/cancel", json={})
    assert r.status_code == 200, r.get_json()
    state = r.get_json()
    assert state["status"] == "cancelled" and state["can_cancel"] is False and state["ahead"] is None
    # The visitor behind moves up at once...
    assert ahead(phone_c, c["status_token"]) == 1
    with db.read() as s:
        assert lines.people_ahead(s, ticket_by_code(db, c["code"])) == 1
        assert tickets.history(s, ticket_by_code(db, b["code"]).id)[-1].kind == "cancelled"

    # ...and call-next skips the cancelled number.
    desk = officer()
    first = desk.call_next()
    assert first["code"] == a["code"]
    desk.act(first["id"], "start")
    second = desk.call_next()  # finishes A, calls the next one still waiting
    assert second["code"] == c["code"]
    desk.act(second["id"], "start")
    assert desk.call_next() is None  # nothing else waits: B is gone from the line
    # The cancelled page says so and offers nothing more; a second cancel is refused with a sentence.
    assert phone_b.get(f"/s/{b['status_token']}/state").get_json()["status"] == "cancelled"
    r = phone_b.post(f"/s/{b['status_token']}/cancel", json={})
    assert r.status_code == 409 and r.get_json()["error"] == "bad_state" and r.get_json()["message"]


def test_cancel_needs_the_pages_csrf_token(make_api, app, db):
    mine = take(make_api())
    stranger = app.test_client()  # no page load, no token: as a cross-site form post would be
    r = stranger.post(f"/s/{mine['status_token']}/cancel", json={})
    assert r.status_code == 400 and r.get_json()["error"] == "csrf"
    assert ticket_by_code(db, mine["code"]).status == "waiting"


def test_a_called_ticket_can_no_longer_be_cancelled_from_the_phone(make_api, officer):
    mine = take(make_api())
    phone = make_api()
    officer().call_next()
    r = phone.post(f"/s/{mine['status_token']}/cancel", json={})
    assert r.status_code == 409
    state = phone.get(f"/s/{mine['status_token']}/state").get_json()
    assert state["status"] == "called" and state["counter"]["number"] == 1


def test_back_in_n_minutes_keeps_the_place_and_the_officer_sees_it(make_api, officer, db):
    kiosk = make_api()
    a, b = take(kiosk), take(kiosk)
    phone = make_api()
    before = clock.utcnow()
    r = phone.post(f"/s/{b['status_token']}/back", json={"minutes": 15})
    assert r.status_code == 200, r.get_json()
    state = r.get_json()
    back = datetime.fromisoformat(state["back_until"])
    assert timedelta(minutes=15) <= back - before < timedelta(minutes=16)
    assert state["back_in_minutes"] == 15 and state["ahead"] == 1  # still in its place

    # Recorded as an event of the ticket, by the visitor.
    with db.read() as s:
        ev = [e for e in tickets.history(s, ticket_by_code(db, b["code"]).id) if e.kind == "back_in"]
    assert len(ev) == 1 and json.loads(ev[0].detail) == {"by": "visitor", "minutes": 15}

    # The officer sees when the visitor means to be back, in the waiting line.
    desk = officer()
    waiting = {w["code"]: w for w in desk.state()["waiting"]}
    assert waiting[b["code"]]["back_until"] == state["back_until"]
    assert waiting[b["code"]]["back_by"] == back.astimezone(ZoneInfo("Asia/Jakarta")).strftime("%H:%M")
    assert waiting[a["code"]]["back_until"] is None

    # Call-next keeps the order: A first, then B in its turn (it is not skipped or pushed back).
    first = desk.call_next()
    assert first["code"] == a["code"]
    desk.act(first["id"], "start")
    called = desk.call_next()
    assert called["code"] == b["code"]
    # Once called, "back in" no longer applies; the call shows on the phone.
    state = phone.get(f"/s/{b['status_token']}/state").get_json()
    assert state["status"] == "called" and state["back_until"] is None


def test_im_back_clears_it_and_bad_minutes_are_refused(make_api, db):
    mine = take(make_api())
    phone = make_api()
    assert phone.post(f"/s/{mine['status_token']}/back", json={"minutes": 10}).get_json()["back_until"]
    r = phone.post(f"/s/{mine['status_token']}/back", json={"minutes": 0})
    assert r.status_code == 200 and r.get_json()["back_until"] is None
    assert ticket_by_code(db, mine["code"]).back_in_minutes is None
    for bad in (-1, 61, "soon"):
        r = phone.post(f"/s/{mine['status_token']}/back", json={"minutes": bad})
        assert r.status_code == 400, bad
        assert r.get_json()["error"] == "invalid" and "minutes" in r.get_json()["fields"]


def test_phone_pushes_match_the_per_ticket_answer(make_api, officer, db):
    """office_views() (pushed after every change) computes positions and waits in one pass; it must agree
    with people_ahead() and the estimate the page itself shows, priority visitors included."""
    kiosk = make_api()
    taken = [
        take(kiosk),
        take(kiosk),
        take(kiosk, priority_reason="elderly"),
        take(kiosk, service="konsultasi"),
        take(kiosk),
        take(kiosk, service="konsultasi", priority_reason="pregnant"),
    ]
    desk = officer()
    desk.call_next()  # the priority visitor goes first
    phone = make_api()
    phone.post(f"/s/{taken[4]['status_token']}/back", json={"minutes": 5})
    settings_minutes = 8
    with db.read() as s:
        office = s.exec(select(Office)).first()
        batch = visitor_status.office_views(s, office, default_service_minutes=settings_minutes)
        for t in taken:
            ticket = ticket_by_code(db, t["code"])
            one = visitor_status.visitor_view(s, ticket, default_service_minutes=settings_minutes)
            pushed = batch[t["status_token"]]
            for key in ("status", "ahead", "estimated_wait_minutes", "deadline_at", "counter", "back_until"):
                assert pushed[key] == one[key], (t["code"], key)
    assert [batch[t["status_token"]]["status"] for t in taken].count("called") == 1
