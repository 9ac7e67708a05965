"""The check of a printed invoice (/verify/<token>): the paper's facts, the buyer's name masked."""

from __future__ import annotations

from rules import requests as rq


def test_verify_page_checks_a_printed_invoice_without_personal_data(db, api, new_request):
    req_id = new_request("invoiced", name="Rahmawati Siregar")
    with db.read() as s:
        inv = rq.active_invoice(s, req_id)
    page = api.client.get(f"/verify/{inv.verify_token}?lang=en")
    html = page.data.decode()
    assert page.status_code == 200 and inv.number in html and "Rp 50.020" in html and inv.billing_code in html
    assert "Rahmawati S." in html and "Siregar" not in html
    assert api.client.get("/verify/nope").status_code == 404
