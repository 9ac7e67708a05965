"""The kiosk's guest book through the JSON API: each field's bad value is reported on that field, NPWP for
private buyers is checked with python-stdnum, consent is required, and a returning visitor is found."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import Visitor
from tests.factories import NOTHING, TICKETS_URL, guest_form, written

# field, bad values (each alone makes the form invalid), the English message (None: any message).
BAD = [
    ("name", {"name": "12345"}, "Enter your name in letters."),
    ("name", {"name": "A"}, "This field is too short."),
    ("email", {"email": "budi@"}, "Enter a valid email address, e.g. nama@contoh.id."),
    ("email", {"email": "budi santoso@example.id"}, "Enter a valid email address, e.g. nama@contoh.id."),
    ("email", {"email": None}, None),
    ("phone", {"phone": "12345"}, "Enter an Indonesian mobile number, e.g. 0812 3456 7890."),
    ("phone", {"phone": "021 1234 5678"}, "Enter an Indonesian mobile number, e.g. 0812 3456 7890."),
    ("gender", {"gender": "X"}, "Choose a gender."),
    ("birth_year", {"birth_year": 1800}, None),
    ("birth_year", {"birth_year": "tahun"}, "Enter a number."),
    ("education", {"education": "phd"}, "Choose your highest education."),
    ("occupation", {"occupation": "astronaut"}, "Choose your main occupation."),
    ("institution_category", {"institution_category": "alien"}, "Choose the kind of institution."),
    ("institution_name", {"institution_name": ""}, "Enter the name of your institution."),
    ("purpose", {"purpose": "fun"}, "Choose the main purpose of your visit."),
    ("purpose_note", {"purpose": "other", "purpose_note": ""}, "Describe the purpose of your visit."),
    ("service_id", {"service_id": "penjualan"}, "Enter a number."),
    (
        "npwp",
        {"institution_category": "private", "npwp": "01.312.166.1-091.000"},
        "This NPWP is not valid (15 or 16 digits).",
    ),
    ("priority_reason", {"priority_reason": "vip"}, "Choose a priority reason from the list."),
    ("consent", {"consent": False}, "Please agree to the use of your data to continue."),
]


def _post(api, body, lang="en"):
    body = {k: v for k, v in body.items() if v is not None}
    return api.post(f"{TICKETS_URL}?lang={lang}", json=body)


@pytest.mark.parametrize("field,change,message", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_a_bad_field_is_reported_on_that_field_and_nothing_is_issued(api, db, ids, field, change, message):
    body = {**guest_form(ids.service["penjualan"]), **change}
    r = _post(api, body)
    assert r.status_code == 400, r.get_json()
    out = r.get_json()
    assert out["error"] == "invalid" and out["message"]
    assert set(out["fields"]) == {field}
    if message:
        assert out["fields"][field] == message
    else:
        assert out["fields"][field]
    assert written(db) == NOTHING


@pytest.mark.parametrize(
    "field",
    [
        "name",
        "email",
        "phone",
        "gender",
        "birth_year",
        "education",
        "occupation",
        "institution_category",
        "purpose",
        "service_id",
        "consent",
    ],
)
def test_each_required_field_missing_is_named(api, db, ids, field):
    body = guest_form(ids.service["penjualan"])
    body.pop(field)
    r = _post(api, body)
    assert r.status_code == 400
    assert set(r.get_json()["fields"]) == {field}
    assert written(db) == NOTHING


def test_an_unknown_service_is_not_found(api, db, ids):
    r = _post(api, guest_form(99999))
    assert r.status_code == 404 and r.get_json()["error"] == "service_not_found"
    assert written(db) == NOTHING


def test_an_empty_body_names_the_fields_and_a_non_json_body_is_refused(api, db):
    r = api.post(TICKETS_URL + "?lang=en", json={})
    assert r.status_code == 400
    assert {"email", "phone", "purpose", "consent"} <= set(r.get_json()["fields"])
    r = api.post(TICKETS_URL + "?lang=en", data="name=Budi", headers={"Content-Type": "text/plain"})
    assert r.status_code == 400
    assert r.get_json() == {"error": "invalid", "message": "The request body is not valid JSON."}
    assert written(db) == NOTHING


@pytest.mark.parametrize(
    "category,npwp,stored",
    [
        ("private", "01.312.166.0-091.000", "013121660091000"),  # the old 15-digit form
        ("private", "0013121660091000", "0013121660091000"),  # 16 digits: "0" + the old number
        ("state_enterprise", "3171011708450001", "3171011708450001"),  # 16 digits: a resident's NIK
        ("domestic_education", "", ""),  # not private: no NPWP needed
    ],
)
def test_valid_npwp_forms_are_accepted_and_stored_compact(api, db, ids, category, npwp, stored):
    r = _post(api, guest_form(ids.service["penjualan"], institution_category=category, npwp=npwp))
    assert r.status_code == 201, r.get_json()
    if npwp:  # the kiosk's answer never echoes it
        assert stored not in r.get_data(as_text=True)
    with db.read() as s:
        v = s.exec(select(Visitor)).one()
    assert v.npwp == stored
    assert v.segment == ("private" if category in ("private", "state_enterprise") else "education")


@pytest.mark.parametrize("category", ["private", "state_enterprise"])
@pytest.mark.parametrize("service", ["konsultasi", "perpustakaan", "penjualan"])
def test_a_company_visitor_gets_a_number_without_an_npwp(api, db, ids, category, service):
    """Issue 15: the guest book asks no NPWP of anyone; it is asked when a private buyer requests a paid product
    (tests/rules/requests/test_npwp.py)."""
    r = _post(api, guest_form(ids.service[service], institution_category=category, npwp=""))
    assert r.status_code == 201, r.get_json()
    with db.read() as s:
        v = s.exec(select(Visitor)).one()
    assert v.segment == "private" and v.npwp == ""


def test_a_bad_npwp_is_refused_even_when_not_required(api, ids):
    r = _post(api, guest_form(ids.service["penjualan"], npwp="123456789"))
    assert r.status_code == 400 and set(r.get_json()["fields"]) == {"npwp"}


def test_email_is_normalised_and_phone_accepts_plus62(api, db, ids):
    r = _post(api, guest_form(ids.service["penjualan"], email="Siti.Aminah@Example.ID", phone="+62 812-3456-7890"))
    assert r.status_code == 201
    with db.read() as s:
        v = s.exec(select(Visitor)).one()
    assert (v.email, v.phone) == ("siti.aminah@example.id", "081234567890")


def test_a_good_form_issues_a_ticket_with_its_guest_book_line(api, db, ids):
    r = _post(api, guest_form(ids.service["penjualan"], priority_reason="elderly"))
    assert r.status_code == 201
    out = r.get_json()
    assert out["code"] == "B-001" and out["priority"] is True and out["ahead"] == 0
    assert out["service_limit_minutes"] == 10 and out["print_job_id"]
    assert written(db) == {"Ticket": 1, "Visitor": 1, "GuestBookEntry": 1, "DailySequence": 1, "PrintJob": 1}


# ---- a returning visitor (tests/kiosk/test_privacy.py: nothing about them is revealed or changed) ----------

LOOKUP = "/api/offices/1600/visitors/lookup"


@pytest.fixture
def returning(api, ids):
    body = guest_form(
        ids.service["penjualan"],
        name="Rahmat Hidayat",
        email="rahmat@example.id",
        phone="0812-7777-1234",
        institution_category="private",
        institution_name="CV Maju",
        npwp="01.312.166.0-091.000",
    )
    assert _post(api, body).status_code == 201
    return body


@pytest.mark.parametrize(
    "query",
    [
        {"email": "Rahmat@Example.id", "phone": "+62 812 7777 1234"},
        {"email": "rahmat@example.id", "phone": "081277771234"},
    ],
)
def test_a_returning_visitor_is_recognised_by_email_and_phone_together(api, returning, query):
    r = api.post(LOOKUP, json=query)
    assert r.status_code == 200 and r.get_json() == {"found": True}


@pytest.mark.parametrize(
    "query",
    [
        {"email": "rahmat@example.id", "phone": "081299990000"},  # someone who knows the e-mail only
        {"email": "someone@example.id", "phone": "081277771234"},  # ... or the phone only
        {"email": "rahmat@example.id", "phone": ""},
        {"email": "", "phone": "081277771234"},
    ],
)
def test_one_of_email_and_phone_is_not_enough(api, returning, query):
    r = api.post(LOOKUP, json=query)
    assert r.status_code == 200 and r.get_json() == {"found": False}


def test_a_lookup_needs_both_fields(api, returning):
    assert api.post(LOOKUP, json={"email": "rahmat@example.id"}).status_code == 400


def test_returning_visitor_signs_again_with_only_email_phone_and_purpose(api, db, ids, returning):
    again = {
        k: returning[k] for k in ("email", "phone", "purpose", "service_id", "consent")
    }  # no name, no profile, no NPWP: the record's are used
    r = _post(api, again)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["code"] == "B-002"
    with db.read() as s:
        visitors = s.exec(select(Visitor)).all()
    assert len(visitors) == 1 and visitors[0].npwp == "013121660091000" and visitors[0].segment == "private"


def test_a_visitor_not_recognised_must_fill_in_the_profile(api, db, ids, returning):
    # The right e-mail with another phone is somebody else as far as the kiosk knows: a new person's form.
    again = {k: returning[k] for k in ("email", "purpose", "service_id", "consent")}
    r = _post(api, {**again, "phone": "081299990000"})
    assert r.status_code == 400
    assert set(r.get_json()["fields"]) == {
        "name",
        "gender",
        "birth_year",
        "education",
        "occupation",
        "institution_category",
    }
    assert r.get_json()["fields"]["name"] == "This field is required."


def test_as_on_my_last_visit_is_only_for_a_recognised_visitor(api, ids, returning):
    again = {**returning, "purpose": "last", "name": "", "service_id": ids.service["konsultasi"]}
    assert _post(api, again).status_code == 201
    stranger = guest_form(ids.service["konsultasi"], email="baru@example.id", phone="0812 1111 2222", purpose="last")
    r = _post(api, stranger)
    assert r.status_code == 400 and r.get_json()["fields"]["purpose"] == "Choose the main purpose of your visit."
