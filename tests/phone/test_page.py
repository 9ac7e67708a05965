"""The status page a visitor opens from the QR code: their own ticket only, in Indonesian or English."""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, timedelta

import clock
from clock import day_bounds
from models import Office
from rules import tickets, visitor_status
from rules.offices import office_tz
from tests.phone.conftest import take, ticket_by_code

NOT_FOUND_ID = "Tautan ini tidak berlaku atau sudah kedaluwarsa."


def initial_state(html: str) -> dict:
    m = re.search(r'<script id="initial-state" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def test_the_page_shows_the_visitors_own_ticket_in_indonesian(make_api):
    kiosk = make_api()
    first = take(kiosk, name="Ahmad Fauzi Rahman", email="ahmad.fauzi@example.id", phone="081211112222")
    mine = take(kiosk, name="Siti Aminah Lubis", email="siti.aminah@example.id", phone="081233334444")
    phone = make_api()
    r = phone.get(f"/s/{mine['status_token']}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'lang="id"' in html
    assert mine["code"] in html and "Penjualan Produk Statistik" in html
    assert "Halo, Siti" in html  # the visitor's own first name, nothing more of it
    assert "Orang di depan Anda" in html and "Perkiraan waktu tunggu" in html
    assert "paling lambat 10 menit setelah pengunjung sebelum Anda selesai dilayani" in html
    state = initial_state(html)
    assert state["ahead"] == 1 and state["status"] == "waiting"
    assert state["estimated_wait_minutes"] == mine["estimated_wait_minutes"] >= 1
    assert state["service_limit_minutes"] == 10
    # Nothing of anyone else, and nothing more of the visitor than the first name.
    for leak in (
        first["code"],
        "Ahmad",
        "Fauzi",
        "ahmad.fauzi",
        "08121111",
        "Aminah",
        "Lubis",
        "siti.aminah",
        "08123333",
        first["status_token"],
    ):
        assert leak not in html, leak
    # The page must not be cached by a proxy or leak its address to another site.
    assert r.headers["Cache-Control"] == "no-store" and r.headers["Referrer-Policy"] == "no-referrer"


def test_english_switch_and_the_json_state(make_api):
    kiosk = make_api()
    take(kiosk)
    mine = take(kiosk, service="penjualan")
    phone = make_api()
    html = phone.get(f"/s/{mine['status_token']}?lang=en").get_data(as_text=True)
    assert 'lang="en"' in html
    assert "People ahead of you" in html and "Sale of Statistical Products" in html
    assert "at most 10 minutes after the visitor ahead of you has finished" in html
    state = phone.get(f"/s/{mine['status_token']}/state").get_json()
    # Only what the page needs: no database ids, no token, no names.
    assert set(state) == {
        "code",
        "status",
        "priority",
        "service",
        "ahead",
        "estimated_wait_minutes",
        "service_limit_minutes",
        "deadline_at",
        "counter",
        "called_at",
        "recall",
        "back_in_minutes",
        "back_until",
        "can_cancel",
        "can_step_out",
        "server_time",
        "request",
        "rating",
    }
    assert state["code"] == mine["code"] and state["ahead"] == 1
    assert set(state["service"]) == {"name", "name_en"}


def test_the_head_of_the_line_sees_the_time_it_should_be_called_by(make_api):
    mine = take(make_api())
    state = make_api().get(f"/s/{mine['status_token']}/state").get_json()
    assert state["ahead"] == 0
    # No one ahead today: the 10-minute clock runs from the moment the number was taken.
    issued = clock.utcnow()
    deadline = datetime.fromisoformat(state["deadline_at"])
    assert timedelta(minutes=9) < deadline - issued <= timedelta(minutes=10)


def test_a_guessed_link_is_a_clear_not_found(api):
    take(api)
    guess = secrets.token_urlsafe(24)
    for path in (f"/s/{guess}", f"/s/{guess}/qr.svg", "/s/x", f"/s/{'a' * 300}"):
        r = api.get(path)
        assert r.status_code == 404, path
        assert NOT_FOUND_ID in r.get_data(as_text=True)
    r = api.get(f"/s/{guess}/state")
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"
    r = api.post(f"/s/{guess}/cancel", json={})
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"
    r = api.post(f"/s/{guess}/back", json={"minutes": 5})
    assert r.status_code == 404


def test_the_link_expires_a_set_time_after_the_ticket_ended(make_api, officer, app):
    hours = app.extensions["loket.settings"].app.status_link_hours
    assert hours == 24
    mine = take(make_api())
    phone = make_api()
    desk = officer()
    called = desk.call_next()
    desk.act(called["id"], "finish")
    r = phone.get(f"/s/{mine['status_token']}")
    assert r.status_code == 200 and "Kunjungan Anda sudah selesai" in r.get_data(as_text=True)
    clock.set_offset(timedelta(hours=hours) - timedelta(minutes=1))
    assert phone.get(f"/s/{mine['status_token']}/state").get_json()["status"] == "done"
    clock.set_offset(timedelta(hours=hours) + timedelta(minutes=1))
    r = phone.get(f"/s/{mine['status_token']}")
    assert r.status_code == 404 and NOT_FOUND_ID in r.get_data(as_text=True)
    assert phone.get(f"/s/{mine['status_token']}/state").status_code == 404
    assert phone.get(f"/s/{mine['status_token']}/qr.svg").status_code == 404


def test_a_number_never_called_on_its_day_closes_with_the_day(make_api, db):
    mine = take(make_api())
    ticket = ticket_by_code(db, mine["code"])
    phone = make_api()
    with db.read() as s:
        day_end = day_bounds(ticket.service_date, office_tz(s.get(Office, ticket.office_id)))[1]
    clock.set_offset(day_end - clock.utcnow() + timedelta(hours=1))
    state = phone.get(f"/s/{mine['status_token']}/state").get_json()
    assert state["status"] == "day_over" and state["ahead"] is None and state["can_cancel"] is False
    clock.set_offset(day_end - clock.utcnow() + clock.get_offset() + timedelta(hours=25))
    assert phone.get(f"/s/{mine['status_token']}").status_code == 404


def test_link_life_follows_the_setting(db, make_api):
    mine = take(make_api())
    with db.write() as s:
        t = tickets.get_ticket(s, ticket_by_code(db, mine["code"]).id)
        tickets.cancel(s, ticket_id=t.id)
    later = clock.utcnow() + timedelta(hours=2)
    with db.read() as s:
        assert visitor_status.live_ticket(s, mine["status_token"], keep_hours=3, now=later) is not None
        assert visitor_status.live_ticket(s, mine["status_token"], keep_hours=1, now=later) is None
        assert visitor_status.live_ticket(s, mine["status_token"], keep_hours=0) is None


def test_the_json_api_link_expires_with_the_page(make_api, officer):
    mine = take(make_api())
    phone = make_api()
    assert phone.get(f"/api/tickets/status/{mine['status_token']}").status_code == 200
    desk = officer()
    desk.act(desk.call_next()["id"], "finish")
    clock.set_offset(timedelta(hours=25))
    r = phone.get(f"/api/tickets/status/{mine['status_token']}")
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"


def test_the_visitor_endpoints_are_in_the_openapi_document(api):
    paths = api.get("/api/openapi.json").get_json()["paths"]
    for path in ("/s/{token}/state", "/s/{token}/cancel", "/s/{token}/back"):
        assert path in paths, path
    assert "requestBody" in paths["/s/{token}/back"]["post"]


def test_not_found_in_english_too(api):
    r = api.get(f"/s/{secrets.token_urlsafe(24)}?lang=en")
    assert r.status_code == 404
    html = r.get_data(as_text=True)
    assert "This link is not valid or has expired." in html and 'lang="en"' in html
