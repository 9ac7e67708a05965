"""The supervisor finds a person, corrects their record and merges two records of one person; each action is
recorded with who, when and why, and names which fields changed, never their values."""

from __future__ import annotations

import json

from sqlmodel import select

from models import GuestBookEntry, Invoice, PrivacyAction, ProductRequest, Receipt, Ticket, Visitor
from tests.factories import TICKETS_URL, guest_form


def _person(db, req_id: int) -> int:
    with db.read() as s:
        return s.get(ProductRequest, req_id).visitor_id


def test_find_a_person_by_what_they_typed_or_their_papers(db, supervisor, new_request, api, ids):
    req_id = new_request("invoiced", name="Rahmawati Siregar", email="rahma@unsri.ac.id", phone="0812 3456 1111")
    vid = _person(db, req_id)
    # A later visit typed another name with her e-mail and phone (recognised): found by that name too.
    typed = guest_form(ids.service["konsultasi"], name="Rahma S.", email="rahma@unsri.ac.id", phone="081234561111")
    assert api.post(TICKETS_URL, json=typed).status_code == 201
    with db.read() as s:
        inv = s.exec(select(Invoice).where(Invoice.request_id == req_id)).one()
        number = s.get(ProductRequest, req_id).number
    for q in ("siregar", "RAHMA@unsri", "+62 812-3456-1111", inv.number, number, f"#{vid}", "Rahma S."):
        people = supervisor.get("/api/privacy/people", query_string={"q": q}).get_json()["people"]
        assert [p["id"] for p in people] == [vid], q
    assert supervisor.get("/api/privacy/people?q=nobody-here").get_json() == {"people": []}
    page = supervisor.get("/privacy/?q=siregar&lang=en").get_data(as_text=True)
    assert f'href="/privacy/people/{vid}"' in page and "Rahmawati Siregar" in page
    person = supervisor.get(f"/privacy/people/{vid}?lang=en").get_data(as_text=True)
    assert "Rahmawati Siregar" in person and "Rahma S." in person  # the record, and the visit as typed
    assert "Kept: state-finance rules" in person  # why the invoice would stay after an erasure


def test_a_correction_is_validated_recorded_without_values_and_reaches_the_papers(db, supervisor, new_request):
    req_id = new_request("delivered", name="Rahmawati Siregar", phone="0812 3456 2222")
    vid = _person(db, req_id)
    url = f"/api/privacy/people/{vid}/correct?lang=en"
    bad = supervisor.post(url, json={"email": "not-an-address", "phone": "12", "education": "phd", "reason": "x"})
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"reason"}
    bad = supervisor.post(url, json={"email": "nope", "phone": "12", "education": "phd", "reason": "her letter"})
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"email", "phone", "education"}
    same = supervisor.post(url, json={"name": "Rahmawati Siregar", "reason": "her letter"})
    assert same.status_code == 400 and same.get_json()["error"] == "nothing_changed"

    ok = supervisor.post(
        url,
        json={
            "name": "Rahmawati Siregar-Lubis",
            "phone": "+62 813 0000 1111",
            "institution_category": "regional_government",
            "reason": "her letter of 3 March",
        },
    )
    assert ok.status_code == 200, ok.get_json()
    with db.read() as s:
        v = s.get(Visitor, vid)
        assert (v.name, v.phone, v.segment) == ("Rahmawati Siregar-Lubis", "081300001111", "government")
        action = s.exec(select(PrivacyAction).where(PrivacyAction.visitor_id == vid)).one()
        inv = s.exec(select(Invoice).where(Invoice.request_id == req_id)).one()
        rec = s.exec(select(Receipt).where(Receipt.request_id == req_id)).one()
    assert action.kind == "correct" and action.reason == "her letter of 3 March"
    assert json.loads(action.detail) == {
        "fields": ["institution_category", "name", "phone"],
        "invoices_rewritten": 1,
    }
    assert "Lubis" not in action.detail and "0813" not in action.detail  # names the fields, not the values
    assert json.loads(inv.snapshot)["buyer"]["name"] == "Rahmawati Siregar-Lubis"
    html = supervisor.client.get(f"/verify/{rec.verify_token}?lang=en").get_data(as_text=True)
    assert "Rahmawati S." in html
    listed = supervisor.get(f"/api/privacy/people/{vid}").get_json()["actions"]
    assert listed[0]["kind"] == "correct" and listed[0]["by"] == "Kepala Seksi PST"


def test_merging_two_records_of_one_person_moves_everything_and_is_recorded(db, supervisor, api, ids, new_request):
    req_id = new_request("open", name="Rahmawati Siregar", email="rahma@unsri.ac.id", phone="081234563333")
    keep = _person(db, req_id)
    # She came back with a new phone: the kiosk made a second record (it cannot know it is her).
    again = guest_form(ids.service["konsultasi"], name="Rahmawati Siregar", email="rahma@unsri.ac.id")
    assert api.post(TICKETS_URL, json=again).status_code == 201
    with db.read() as s:
        other = s.exec(select(Visitor.id).where(Visitor.id != keep)).one()
    assert supervisor.get(f"/api/privacy/people/{other}").status_code == 200  # a read of the other, logged
    url = f"/api/privacy/people/{keep}/merge"
    assert supervisor.post(url, json={"other_id": keep, "reason": "same person"}).status_code == 400
    r = supervisor.post(url, json={"other_id": other, "reason": "same person, new phone (she said so)"})
    assert r.status_code == 200, r.get_json()
    with db.read() as s:
        assert s.get(Visitor, other) is None
        assert {e.visitor_id for e in s.exec(select(GuestBookEntry))} == {keep}
        assert {t.visitor_id for t in s.exec(select(Ticket))} == {keep}
        action = s.exec(select(PrivacyAction).where(PrivacyAction.kind == "merge")).one()
    detail = json.loads(action.detail)
    assert action.visitor_id == keep and detail["merged_person"] == other
    assert detail["moved"] == {"guestbookentry.visitor_id": 1, "ticket.visitor_id": 1, "accesslog.visitor_id": 1}
    assert supervisor.get(f"/api/privacy/people/{other}").status_code == 404
