"""The public kiosk reveals nothing the visitor did not just type and cannot change anyone's stored identity,
NPWP, requests or papers (issue: visitors' personal data under UU 27/2022)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlmodel import select

from models import GuestBookEntry, Invoice, ProductRequest, Receipt, Ticket, Visitor
from tests.factories import TICKETS_URL, guest_form

LOOKUP = "/api/offices/1600/visitors/lookup"

# A stored person with a distinct value in every field (so a value found in an answer is theirs).
STORED = dict(
    name="Wulandari Kusumaningrum",
    email="wulan.kusuma@contoh.id",
    phone="0813-5555-0192",
    gender="P",
    birth_year=1977,
    education="s3",
    occupation="entrepreneur",
    institution_category="private",
    institution_name="PT Sriwijaya Sentosa Abadi",
    npwp="01.312.166.0-091.000",
)


def _row(db, model, row_id) -> dict:
    with db.read() as s:
        return s.get(model, row_id).model_dump()


def _visitor_of(db, email: str) -> Visitor:
    with db.read() as s:
        return s.exec(select(Visitor).where(Visitor.email == email)).one()


@pytest.fixture
def stored(api, ids):
    r = api.post(TICKETS_URL, json=guest_form(ids.service["penjualan"], **STORED))
    assert r.status_code == 201, r.get_json()
    return STORED


def _typed(field: str, value) -> bool:
    """Whether a lookup typed this value (the e-mail and the phone, in any spelling)."""
    return field in ("email", "phone")


@pytest.mark.parametrize("field", [c.key for c in Visitor.__table__.columns])
def test_the_lookup_reveals_no_field_of_the_stored_person(api, db, stored, field):
    """Every column of the person's record, walked from the model: none is in the answer unless it was typed."""
    person = _visitor_of(db, "wulan.kusuma@contoh.id")
    value = getattr(person, field)
    answers = [
        api.post(LOOKUP, json={"email": "Wulan.Kusuma@contoh.id", "phone": "+62 813 5555 0192"}),
        api.post(LOOKUP, json={"email": "wulan.kusuma@contoh.id", "phone": "081399999999"}),
        api.post(LOOKUP, json={"email": "nobody@contoh.id", "phone": "081355550192"}),
    ]
    assert [a.get_json() for a in answers] == [{"found": True}, {"found": False}, {"found": False}]
    for a in answers:
        # The answer is one boolean: no key can carry a field, typed or not.
        assert set(a.get_json()) == {"found"}
        if value not in (None, "") and not _typed(field, value) and field not in ("id", "office_id"):
            assert str(value) not in a.get_data(as_text=True), field


def test_the_kiosk_page_and_the_ticket_answer_carry_nothing_of_a_stored_person(api, db, ids, stored):
    page = api.get("/kiosk/1600?lang=en").get_data(as_text=True)
    r = api.post(
        TICKETS_URL,
        json={
            "email": stored["email"],
            "phone": stored["phone"],
            "purpose": "research",
            "service_id": ids.service["penjualan"],
            "consent": True,
        },
    )
    assert r.status_code == 201, r.get_json()
    for text in (page, r.get_data(as_text=True)):
        for field in ("name", "institution_name", "birth_year", "npwp"):
            assert str(stored[field]) not in text
        assert "013121660091000" not in text and "Kusumaningrum" not in text


def test_lookups_are_throttled_per_kiosk(api, db, stored, app):
    limit = app.extensions["loket.settings"].privacy.lookups_per_minute
    body = {"email": "guess@contoh.id", "phone": "081300000000"}
    answers = [api.post(LOOKUP, json=body).status_code for _ in range(limit + 3)]
    assert answers[:limit] == [200] * limit and answers[limit:] == [429] * 3
    # Still refused with the right pair: guessing stops for everyone at this kiosk until the minute is over.
    r = api.post(LOOKUP, json={"email": stored["email"], "phone": stored["phone"]})
    assert r.status_code == 429 and r.get_json()["error"] == "too_many" and "found" not in r.get_json()


def _papers(db, req_id: int) -> dict:
    with db.read() as s:
        invs = s.exec(select(Invoice).where(Invoice.request_id == req_id)).all()
        recs = s.exec(select(Receipt).where(Receipt.request_id == req_id)).all()
        return {
            "request": s.get(ProductRequest, req_id).model_dump(),
            "invoices": [i.model_dump() for i in invs],
            "receipts": [r.model_dump() for r in recs],
        }


def _pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("knows_phone", [False, True], ids=["email-only", "email-and-phone"])
def test_taking_a_ticket_with_someone_elses_email_changes_nothing_of_theirs(
    api, make_api, db, ids, new_request, knows_phone
):
    """The issue's intruder: a ticket taken with the victim's e-mail (and even the phone) and another name,
    institution and no NPWP. The victim's record, requests and papers stay exactly as they were."""
    req_id = new_request("delivered", **STORED)  # the victim paid; invoice and receipt issued
    victim = _visitor_of(db, "wulan.kusuma@contoh.id")
    before_person, before_papers = _row(db, Visitor, victim.id), _papers(db, req_id)
    with db.read() as s:
        verify_token = s.exec(select(Receipt.verify_token).where(Receipt.request_id == req_id)).one()
        invoice_id = s.exec(select(Invoice.id).where(Invoice.request_id == req_id)).one()

    intruder = guest_form(
        ids.service["penjualan"],
        name="Bambang Penyusup",
        email="WULAN.KUSUMA@contoh.id",
        phone=STORED["phone"] if knows_phone else "081211112222",
        institution_category="private",
        institution_name="CV Penyusup",
        npwp="",
        education="sma",
    )
    if not knows_phone:
        # Not recognised: a new person, with the NPWP they typed themselves (none is reused).
        intruder["npwp"] = "0013000666091000"
    r = api.post(TICKETS_URL, json=intruder)
    assert r.status_code == 201, r.get_json()
    assert "Wulandari" not in r.get_data(as_text=True)

    after_person = _row(db, Visitor, victim.id)
    changed = {k for k in before_person if before_person[k] != after_person[k]}
    if knows_phone:
        # Recognised (both match): only the coarse choices typed now are recorded, as the reports count them.
        assert changed <= {"education", "occupation", "institution_category", "segment", "updated_at"}
        assert "education" in changed
    else:
        assert changed == set()
    for field in ("name", "email", "phone", "institution_name", "npwp", "birth_year", "gender"):
        assert after_person[field] == before_person[field], field
    assert _papers(db, req_id) == before_papers

    with db.read() as s:
        ticket = s.exec(select(Ticket).where(Ticket.status_token == r.get_json()["status_token"])).one()
        entry = s.get(GuestBookEntry, ticket.guestbook_id)
        assert entry.name == "Bambang Penyusup" and entry.institution_name == "CV Penyusup"  # the visit as typed
        if knows_phone:
            assert ticket.visitor_id == victim.id
            # The officer serving this ticket sees the record's name and, beside it, the other name typed today.
            from models import Office
            from rules import snapshot

            seen = snapshot.staff_ticket(s, ticket, s.get(Office, ticket.office_id))["visitor"]
            assert (seen["name"], seen["typed_name"]) == ("Wulandari Kusumaningrum", "Bambang Penyusup")
        else:
            newcomer = s.get(Visitor, ticket.visitor_id)
            assert newcomer.id != victim.id and newcomer.name == "Bambang Penyusup"
            assert newcomer.npwp == "0013000666091000"

    # The public check of the receipt still names the victim (masked), never the intruder.
    html = api.client.get(f"/verify/{verify_token}?lang=en").get_data(as_text=True)
    assert "Wulandari K." in html and "Bambang" not in html
    # The invoice PDF (staff) still names the victim and her institution.
    staff = make_api()
    staff.login("bendahara")
    text = _pdf_text(staff.get(f"/api/invoices/{invoice_id}/pdf").data)
    assert "Wulandari Kusumaningrum" in text and "PT Sriwijaya Sentosa Abadi" in text and "Bambang" not in text


def test_each_visit_stores_the_consent_version_and_time_it_agreed_to(api, db, ids):
    from rules import consent

    page = api.get("/kiosk/1600?lang=en").get_data(as_text=True)
    shown = consent.current()
    assert shown.text_en in page and f'value="{shown.version}"' in page
    assert "see, correct or ask to delete my data at the counter" not in page  # the old promise is gone
    r = api.post(TICKETS_URL, json=guest_form(ids.service["penjualan"], consent_version="pdp-1"))
    assert r.status_code == 201
    r = api.post(TICKETS_URL, json=guest_form(ids.service["penjualan"], consent_version="made-up"))
    assert r.status_code == 201
    r = api.post(TICKETS_URL, json=guest_form(ids.service["penjualan"]))  # a client that sends none
    assert r.status_code == 201
    with db.read() as s:
        entries = s.exec(select(GuestBookEntry).order_by(GuestBookEntry.id)).all()
    # The version the page showed is kept; an unknown or missing one is stored as the current text's.
    assert [e.consent_version for e in entries] == ["pdp-1", shown.version, shown.version]
    assert all(e.consent_at == e.created_at for e in entries)
