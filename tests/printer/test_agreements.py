"""Issue 15: the data-use agreement (SPPD) and the data-sample handover as A4 PDFs, prefilled from the request
and ready to sign; printable at the counter, downloadable by the visitor behind the last 4 phone digits."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from rules import requests as rq
from tests.phone.test_request import last4


def _text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def desk(make_api):
    c = make_api()
    c.login("petugas1")
    return c


def test_the_sppd_is_prefilled_and_ready_to_sign(db, desk, new_request):
    req_id = new_request("invoiced", name="Siti Aminah")
    r = desk.get(f"/api/requests/{req_id}/papers/sppd/pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    with db.read() as s:
        number = rq.get_request(s, req_id).number
    assert number.replace("/", "-") in r.headers["Content-Disposition"]
    text = _text(r.data)
    for expected in (
        "SURAT PERJANJIAN PENGGUNAAN DATA",
        f"(SPPD) untuk permintaan {number}",
        "Siti Aminah",
        "Susenas Maret 2025, Sumatera Selatan",  # the product, from the request's line
        "PIHAK PERTAMA",
        "PIHAK KEDUA",
        "Meterai Rp 10.000",  # the box the stamp goes in
        "UU 16/1997 tentang Statistik",
        "NIP ....",
    ):
        assert expected in text, expected
    en = _text(desk.get(f"/api/requests/{req_id}/papers/sppd/pdf?lang=en").data)
    assert "DATA USE AGREEMENT" in en and "SECOND PARTY" in en


def test_the_sample_handover_names_what_was_handed_and_who_signs(db, desk, new_request):
    req_id = new_request("invoiced", name="Siti Aminah")
    text = _text(desk.get(f"/api/requests/{req_id}/papers/sample/pdf").data)
    for expected in ("BERITA ACARA SERAH TERIMA CONTOH DATA", "Siti Aminah", "Susenas Maret 2025", "Yang menerima"):
        assert expected in text, expected


def test_no_paper_where_the_products_need_none(desk, new_request):
    req_id = new_request("open", item="publication", measure=120)
    for kind in ("sppd", "sample"):
        r = desk.get(f"/api/requests/{req_id}/papers/{kind}/pdf?lang=en")
        assert r.status_code == 404 and r.get_json()["error"] == "paper_not_needed"
    assert desk.get(f"/api/requests/{req_id}/papers/other/pdf").status_code == 404


def test_strangers_cannot_read_them(make_api, new_request):
    req_id = new_request("invoiced")
    assert make_api().get(f"/api/requests/{req_id}/papers/sppd/pdf").status_code in (401, 403)


def test_the_visitor_downloads_them_after_the_last_4_digits(db, make_api, new_request):
    req_id = new_request("invoiced", name="Siti Aminah")
    with db.read() as s:
        req = rq.get_request(s, req_id)
        token, number = req.visitor_token, req.number
    phone = make_api()
    view = phone.get(f"/api/visitor/requests/{token}").get_json()
    assert [a["kind"] for a in view["agreements"]] == ["sppd", "sample"]
    url = view["agreements"][0]["pdf"]
    assert phone.get(url).status_code == 403  # the papers are not open in this browser yet
    assert phone.post(view["papers_unlock"], json={"digits": last4(db, number)}).get_json() == {"ok": True}
    r = phone.get(url)
    assert r.status_code == 200 and "Siti Aminah" in _text(r.data)
