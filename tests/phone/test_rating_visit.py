"""Issue 15: the satisfaction survey covers every service. A consultation or library visitor (no paid request)
rates from their phone page once the visit is done; the reports give the IKM per service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from clock import utcnow
from models import Office, Rating, Service, Ticket
from rules import ikm
from rules import requests as rq
from tests.phone.conftest import take

SCORES = {f"u{i}": 3 for i in range(1, 10)}


@pytest.mark.parametrize("service", ["konsultasi", "perpustakaan"])
def test_a_visit_without_a_request_is_rated_from_the_phone(make_api, officer, db, service):
    mine = take(make_api(), service)
    token = mine["status_token"]
    phone = make_api()
    desk = officer("petugas2", 3)  # counter 3 serves consultations and the library
    called = desk.call_next()
    # Not yet: the survey opens when the visit is finished.
    assert phone.get(f"/api/ratings/{token}").get_json()["can_rate"] is False
    assert phone.get(f"/s/{token}/state").get_json()["rating"] is None
    refused = phone.post(f"/api/ratings/{token}", json=SCORES)
    assert refused.status_code == 409 and refused.get_json()["error"] == "visit_not_finished"
    desk.act(called["id"], "start")
    desk.act(called["id"], "finish")

    state = phone.get(f"/s/{token}/state?lang=en").get_json()
    assert state["status"] == "done" and state["rating"].startswith(f"/rate/{token}")
    form = phone.get(f"/api/ratings/{token}?lang=en").get_json()
    assert form["kind"] == "visit" and form["can_rate"] is True and form["number"] == mine["code"]
    page = phone.get(state["rating"] + "&lang=en").get_data(as_text=True)
    assert page.count('type="radio"') == 36 and "Ticket " + mine["code"] in page

    ok = phone.post(f"/api/ratings/{token}", json={**SCORES, "u9": 4, "channel": "phone"})
    assert ok.status_code == 200, ok.get_json()
    again = phone.post(f"/api/ratings/{token}", json=SCORES)
    assert again.status_code == 409 and again.get_json()["error"] == "already_rated"
    assert phone.get(f"/s/{token}/state").get_json()["rating"] is None  # rated: the link goes
    with db.read() as s:
        r = s.exec(select(Rating)).one()
        assert r.request_id is None and r.ticket_id == called["id"] and (r.u1, r.u9, r.channel) == (3, 4, "phone")
        assert s.get(Service, r.service_id).code == service


def test_a_visit_with_a_paid_request_is_rated_with_its_request(db, api, new_request):
    req_id = new_request("delivered")
    with db.read() as s:
        req = rq.get_request(s, req_id)
        status_token = s.get(Ticket, req.ticket_id).status_token
    r = api.post(f"/api/ratings/{status_token}", json=SCORES)
    assert r.status_code == 409 and r.get_json()["error"] == "rate_the_request"
    assert api.post(f"/api/ratings/{req.rating_token}", json=SCORES).status_code == 200
    with db.read() as s:
        rating = s.exec(select(Rating)).one()
        assert rating.request_id == req_id and s.get(Service, rating.service_id).code == "penjualan"


def test_ikm_per_service(make_api, officer, db, new_request):
    """Two consultations (all 4, all 2) and a paid request (all 3): the office's IKM and each service's."""
    desk = officer()
    for score in (4, 2):
        mine = take(make_api(), "konsultasi")
        called = desk.call_next()
        desk.act(called["id"], "start")
        desk.act(called["id"], "finish")
        r = make_api().post(f"/api/ratings/{mine['status_token']}", json=dict.fromkeys(SCORES, score))
        assert r.status_code == 200, r.get_json()
    req_id = new_request("delivered")
    with db.write() as s:
        ikm.rate(s, rating_token=rq.get_request(s, req_id).rating_token, scores=SCORES)
    with db.read() as s:
        office = s.exec(select(Office)).one()
        k = ikm.ikm_for(s, office.id, utcnow() - timedelta(days=400), utcnow() + timedelta(days=1))
    assert k["respondents"] == 3 and k["ikm_display"] == "75.00"
    per = {row["code"]: (row["respondents"], row["ikm_display"], row["grade"]) for row in k["by_service"]}
    assert per == {"penjualan": (1, "75.00", "C"), "konsultasi": (2, "75.00", "C")}
