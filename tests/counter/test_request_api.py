"""The request over HTTP: an officer builds and invoices it, the treasurer alone confirms and issues the receipt,
the PDFs read back with the right numbers, and the visitor's token routes show history, documents and rating."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader

from clock import utcnow
from models import PrintJob
from tests import factories
from tests.request_fixtures import billing_code, ntpn


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def officer(make_api):
    c = make_api()
    c.login("petugas1")
    return c


@pytest.fixture
def treasurer(make_api):
    c = make_api()
    c.login("bendahara")
    return c


def serve_at_counter(api_kiosk, officer, db, **form):
    """A visitor takes a number at the kiosk; counter 1 calls and starts serving them."""
    with db.read() as s:
        svc = factories.service(s, "penjualan")
    r = api_kiosk.post("/api/offices/1600/tickets", json=factories.guest_form(svc.id, **form))
    assert r.status_code == 201, r.get_json()
    assert officer.post("/api/counters/1/open").status_code == 200
    called = officer.post("/api/counters/1/call-next").get_json()["ticket"]
    assert officer.post(f"/api/counters/1/tickets/{called['id']}/start").status_code == 200
    return called


def ok(r, status=200):
    assert r.status_code == status, r.get_json()
    return r.get_json()


def test_microdata_request_from_ticket_to_receipt_over_http(db, api, officer, treasurer):
    ticket = serve_at_counter(
        api, officer, db, name="Rahmawati Siregar", email="rahma@unsri.ac.id", phone="0812 7777 8888"
    )
    req = ok(officer.post("/api/requests", json={"ticket_id": ticket["id"]}), 201)["request"]
    rid = req["id"]
    assert req["state"] == "open" and req["visitor"]["name"] == "Rahmawati Siregar" and req["ticket"] == ticket["code"]
    quote = ok(officer.post("/api/tariffs/quote", json={"item_code": "microdata_raw", "measure": 2_500_001}))
    assert quote["amount"] == 50_020 and "1.501 x" in quote["rule"]
    out = ok(
        officer.post(
            f"/api/requests/{rid}/lines",
            json={"item_code": "microdata_raw", "measure": 2_500_001, "description": "Susenas Maret 2025"},
        )
    )["request"]
    assert out["total"] == 50_020 and out["lines"][0]["unit_price"] == 50_020
    assert [d["kind"] for d in out["checklist"]] == ["abstract", "sppd"]
    ok(officer.post(f"/api/requests/{rid}/agree"))
    r = officer.post(f"/api/requests/{rid}/check-documents")
    assert r.status_code == 409 and r.get_json()["error"] == "documents_missing"
    assert "abstrak" in r.get_json()["message"].lower() or "abstract" in r.get_json()["message"].lower()
    ok(officer.post(f"/api/requests/{rid}/documents/abstract", json={"received": True}))
    ok(officer.post(f"/api/requests/{rid}/check-documents"))
    bad = officer.post(f"/api/requests/{rid}/invoice", json={"billing_code": "12345"})
    assert bad.status_code == 400 and bad.get_json()["error"] == "bad_billing_code"
    code = billing_code()
    issued = ok(officer.post(f"/api/requests/{rid}/invoice", json={"billing_code": code}))
    inv = issued["invoice"]
    assert inv["number"] == "INV/1600/2026/00001" or inv["number"].startswith("INV/1600/")
    assert inv["billing_code"] == code and inv["status"] == "issued"
    with db.read() as s:
        job = s.get(PrintJob, issued["print_job_id"])
        assert job.kind == "invoice" and job.station == "counter-1"
        assert json.loads(job.payload)["billing_code"] == code
    ok(officer.post(f"/api/requests/{rid}/sample", json={"note": "100 rows"}))

    # The officer may record what the visitor shows, but never confirm it or issue the receipt.
    paid_at = utcnow().isoformat()
    pay = ok(officer.post(f"/api/requests/{rid}/payments", json={"ntpn": ntpn(), "paid_at": paid_at}))["payment"]
    r = officer.post(f"/api/payments/{pay['id']}/confirm")
    assert r.status_code == 403 and r.get_json()["error"] == "forbidden"
    r = officer.post(f"/api/payments/{pay['id']}/confirm", json={"confirm": True})
    assert r.status_code == 403
    ok(treasurer.post(f"/api/payments/{pay['id']}/confirm"))
    r = officer.post(f"/api/requests/{rid}/receipt", json={})
    assert r.status_code == 403
    got = ok(treasurer.post(f"/api/requests/{rid}/receipt", json={}))
    rec = got["receipt"]
    assert rec["number"].startswith("KW/1600/") and rec["total"] == 50_020
    with db.read() as s:
        job = s.get(PrintJob, got["print_job_id"])
        assert job.kind == "receipt" and job.station == "treasurer"

    inv_pdf = officer.get(f"/api/invoices/{inv['id']}/pdf")
    assert inv_pdf.status_code == 200 and inv_pdf.mimetype == "application/pdf"
    text = pdf_text(inv_pdf.data)
    for expected in (inv["number"], code, "50.020", "Rahmawati Siregar"):
        assert expected in text, expected
    rec_pdf = treasurer.get(f"/api/receipts/{rec['id']}/pdf")
    text = pdf_text(rec_pdf.data)
    for expected in (rec["number"], inv["number"], pay["ntpn"], "50.020"):
        assert expected in text, expected

    # Delivery and the visitor's side.
    ok(officer.post(f"/api/requests/{rid}/prepare"))
    ok(officer.post(f"/api/requests/{rid}/ready"))
    r = officer.post(f"/api/requests/{rid}/deliver", json={"download_ref": "https://pst.example/dl/x"})
    assert r.status_code == 409 and r.get_json()["error"] == "sppd_missing"
    ok(officer.post(f"/api/requests/{rid}/sppd-signed", json={}))
    final = ok(officer.post(f"/api/requests/{rid}/deliver", json={"download_ref": "https://pst.example/dl/x"}))
    links = final["request"]["links"]
    token = final["request"]["visitor_token"]
    visitor = api.get(f"/api/visitor/requests/{token}").get_json()
    assert visitor["state"] == "delivered" and visitor["download_ref"] == "https://pst.example/dl/x"
    kinds = [h["kind"] for h in visitor["history"]]
    assert kinds[0] == "open" and "issue_receipt" in kinds and "add_line" not in kinds
    assert "petugas" not in json.dumps(visitor).lower()  # no staff names
    assert links["status"].endswith(f"/api/visitor/requests/{token}")
    assert api.get(visitor["receipts"][0]["pdf"]).status_code == 403  # not before the last 4 phone digits
    ok(api.post(visitor["papers_unlock"], json={"digits": "8888"}))
    vpdf = api.get(visitor["receipts"][0]["pdf"])
    assert vpdf.status_code == 200 and rec["number"] in pdf_text(vpdf.data)
    assert api.get(f"/api/visitor/requests/{token}x").status_code == 404
    assert api.get(f"/api/visitor/requests/{token}/invoices/{inv['id'] + 999}/pdf").status_code == 404
    assert api.get(f"/api/invoices/{inv['id']}/pdf").status_code == 401  # staff route, not signed in

    rating_token = links["rating"].rsplit("/", 1)[1]
    form = api.get(f"/api/ratings/{rating_token}").get_json()
    assert form["can_rate"] and len(form["elements"]) == 9 and [x["value"] for x in form["scale"]] == [1, 2, 3, 4]
    scores = {f"u{i}": 4 for i in range(1, 10)}
    assert api.post(f"/api/ratings/{rating_token}", json={**scores, "channel": "phone"}).status_code == 200
    again = api.post(f"/api/ratings/{rating_token}", json=scores)
    assert again.status_code == 409 and again.get_json()["error"] == "already_rated"
    corr = api.post(f"/api/visitor/requests/{token}/correction", json={"text": "file is missing a column"})
    assert ok(corr)["state"] == "correcting"
    back = ok(officer.post(f"/api/requests/{rid}/correction/resolve", json={"result": "column added, re-sent"}))
    assert back["request"]["state"] == "closed"

    found = ok(officer.get(f"/api/requests?q={code}"))["requests"]
    assert [x["id"] for x in found] == [rid]
    assert ok(treasurer.get("/api/requests?q=rahmawati"))["requests"][0]["id"] == rid


def test_refusals_are_translated_with_their_reasons(db, api, officer):
    ticket = serve_at_counter(api, officer, db)
    rid = ok(officer.post("/api/requests", json={"ticket_id": ticket["id"]}), 201)["request"]["id"]
    r = officer.post(f"/api/requests/{rid}/invoice?lang=en", json={"billing_code": billing_code()})
    assert r.status_code == 409
    assert r.get_json()["message"].endswith("is open for changes; to issue the invoice it must be documents checked.")
    r = officer.post(f"/api/requests/{rid}/invoice?lang=id", json={"billing_code": billing_code()})
    message = r.get_json()["message"]  # the sentence and the state words inside it, in Indonesian
    assert r.get_json()["error"] == "not_allowed" and message.startswith("Permintaan PST/1600/")
    assert "terbuka untuk perubahan" in message and "dokumen diperiksa" in message
    r = officer.post(f"/api/requests/{rid}/agree?lang=id")
    assert r.status_code == 409 and r.get_json()["error"] == "no_lines"
    r = officer.post(f"/api/requests/{rid}/lines?lang=id", json={"item_code": "publication", "measure": 0})
    assert r.status_code == 400 and r.get_json()["error"] == "bad_measure"


def test_treasurer_queue_and_role_guard(db, api, officer, treasurer):
    assert officer.get("/api/treasurer/queue").status_code == 403
    q = ok(treasurer.get("/api/treasurer/queue"))
    server_time = q.pop("server_time")  # the screen's clock follows it (its 'paid at' default)
    assert abs(datetime.fromisoformat(server_time) - utcnow()) < timedelta(minutes=1)
    assert q == {"pending_payments": [], "unreceipted": [], "open_invoices": []}


def test_steps_are_offered_in_the_usual_order_as_commands(officer, new_request):
    """Right after the invoice the counter offers what normally comes next, not 'replace the invoice'; buttons
    are commands ('Catat pembayaran'), while the history keeps saying what was done ('menerbitkan invoice')."""
    rid = new_request("invoiced")
    req = ok(officer.get(f"/api/requests/{rid}?lang=id"))
    names = [s["name"] for s in req["steps"]]
    assert sorted(names) == sorted(req["allowed"])
    assert names[:4] == ["hand_over_sample", "start_preparing", "record_payment", "sign_sppd"]
    assert names[-3:] == ["replace_invoice", "revise", "cancel"]
    assert [s["name"] for s in req["steps"] if s["rare"]] == ["replace_invoice", "revise", "cancel"]
    labels = {s["name"]: s["label"] for s in req["steps"]}
    assert labels["record_payment"] == "Catat pembayaran" and labels["replace_invoice"] == "Ganti invoice"
    assert labels["cancel"] == "Batalkan permintaan"
    assert not any(label.lower().startswith(("men", "mem")) for label in labels.values()), labels
    assert "menerbitkan invoice" in [h["label"] for h in req["history"]]
    en = ok(officer.get(f"/api/requests/{rid}?lang=en"))
    assert {s["name"]: s["label"] for s in en["steps"]}["record_payment"] == "Record payment"
    checked = ok(officer.get(f"/api/requests/{new_request('checked')}?lang=id"))
    assert checked["steps"][0] == {
        "name": "issue_invoice",
        "label": "Terbitkan invoice",
        "rare": False,
        "applies": True,
        "ready": True,
        "why": "",
    }


def test_tariff_sheet_is_public(api):
    sheet = ok(api.get("/api/tariffs"))
    assert sheet["regulation_short"] == "PP 13/2024" and len(sheet["items"]) == 7


def test_openapi_documents_the_request_routes(api):
    paths = api.get("/api/openapi.json").get_json()["paths"]
    for p in (
        "/api/requests",
        "/api/requests/{request_id}/invoice",
        "/api/payments/{payment_id}/confirm",
        "/api/requests/{request_id}/receipt",
        "/api/visitor/requests/{token}",
        "/api/ratings/{token}",
        "/api/tariffs",
        "/api/treasurer/queue",
        "/api/invoices/{invoice_id}/pdf",
    ):
        assert p in paths, p
    assert "requestBody" in paths["/api/requests/{request_id}/invoice"]["post"]


def test_a_step_that_would_be_refused_says_why_before_it_is_taken(officer, new_request, db, staff):
    """The server marks each offered step: the check of the documents waits for the abstract; the sample and the
    SPPD appear only for microdata; the invoice only when there is something to pay."""
    from rules import requests as rq
    from tests.request_fixtures import T0

    req_id = new_request("open")
    with db.write() as s:
        rq.agree(s, request_id=req_id, user_id=staff.officer, now=T0)
    steps = {s["name"]: s for s in officer.get(f"/api/requests/{req_id}").get_json()["steps"]}
    assert steps["check_documents"]["ready"] is False and steps["check_documents"]["why"]
    refused = officer.post(f"/api/requests/{req_id}/check-documents")
    assert refused.status_code == 409  # the server refuses it too when asked anyway
    officer.post(f"/api/requests/{req_id}/documents/abstract", json={"received": True, "note": "", "npwp": ""})
    steps = {s["name"]: s for s in officer.get(f"/api/requests/{req_id}").get_json()["steps"]}
    assert steps["check_documents"] == {**steps["check_documents"], "ready": True, "why": ""}


def test_delivery_waits_for_the_receipt_and_the_signed_sppd(officer, new_request, db, staff):
    from models import Invoice
    from rules import payments as pay_rules
    from rules import requests as rq
    from tests.request_fixtures import T0, ntpn

    req_id = new_request("ready")  # microdata, invoiced, not yet paid

    def deliver_step():
        steps = {s["name"]: s for s in officer.get(f"/api/requests/{req_id}?lang=en").get_json()["steps"]}
        return steps["deliver"]

    assert deliver_step()["ready"] is False and "receipt" in deliver_step()["why"]
    with db.write() as s:
        inv: Invoice = rq.active_invoice(s, req_id)
        pay_rules.record_and_confirm(s, invoice_id=inv.id, user_id=staff.treasurer, ntpn=ntpn(), paid_at=T0, now=T0)
        pay_rules.issue_receipt(s, invoice_id=inv.id, user_id=staff.treasurer, now=T0)
    assert deliver_step()["ready"] is False and "SPPD" in deliver_step()["why"]
    with db.write() as s:
        rq.sign_sppd(s, request_id=req_id, user_id=staff.officer, now=T0)
    assert deliver_step() == {**deliver_step(), "ready": True, "why": ""}
