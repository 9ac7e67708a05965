"""Once a paid-product request is opened from the ticket, the phone shows it step by step, and the link
lives as long as the request is open (a visitor may leave and pay later), not just as long as the ticket."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

import clock
from models import User
from rules import requests as rq
from tests.phone.conftest import take, ticket_by_code
from tests.phone.test_page import initial_state


def officer_id(db, username="petugas1") -> int:
    with db.read() as s:
        return s.exec(select(User.id).where(User.username == username)).one()


def test_the_request_shows_on_the_phone_and_keeps_the_link_alive(make_api, officer, db):
    mine = take(make_api(), name="Siti Aminah", email="siti.aminah@example.id")
    other = take(make_api(), name="Ahmad Fauzi")
    desk = officer()
    called = desk.call_next()
    desk.act(called["id"], "start")
    uid = officer_id(db)
    with db.write() as s:
        req = rq.open_request(s, ticket_id=ticket_by_code(db, mine["code"]).id, user_id=uid)
        number, req_id = req.number, req.id
    phone = make_api()
    html = phone.get(f"/s/{mine['status_token']}?lang=en").get_data(as_text=True)
    part = initial_state(html)["request"]
    assert part["number"] == number and part["state"] == "open"
    assert [st["label"] for st in part["steps"]] == ["Request recorded"]
    # The visitor sees steps and document numbers, never staff names or the other visitor.
    for leak in ("Petugas", other["code"], "Ahmad", "siti.aminah"):
        assert leak not in html, leak

    # The ticket's service ends; the request goes on, and so does the link, past the ticket's own time.
    second = desk.call_next()  # finishes this visitor and calls the next
    assert second["code"] == other["code"]
    clock.set_offset(timedelta(hours=30))
    state = phone.get(f"/s/{mine['status_token']}/state").get_json()
    assert state["status"] == "done" and state["request"]["number"] == number

    # Once the request is cancelled (or closed), the link has its set time left, then it is gone.
    with db.write() as s:
        rq.cancel(s, request_id=req_id, user_id=uid, reason="visitor changed their mind")
    state = phone.get(f"/s/{mine['status_token']}/state").get_json()
    assert state["request"]["state"] == "cancelled"
    assert [st["label"] for st in state["request"]["steps"]][-1] == "Request cancelled"
    clock.set_offset(timedelta(hours=30 + 25))
    assert phone.get(f"/s/{mine['status_token']}").status_code == 404


def last4(db, request_number: str) -> str:
    """The last 4 digits of the phone typed on the visit a request came from (what its visitor knows)."""
    from models import GuestBookEntry, ProductRequest

    with db.read() as s:
        req = s.exec(select(ProductRequest).where(ProductRequest.number == request_number)).one()
        return s.get(GuestBookEntry, req.guestbook_id).phone[-4:]


def delivered_request(db, **form):
    """A microdata request opened from a served ticket and taken to 'delivered' (invoice, payment, receipt)."""
    from tests.request_fixtures import Staff, advance, serve_visitor

    staff = Staff(db)
    now = clock.utcnow()
    with db.write() as s:
        ticket = serve_visitor(s, officer_id=staff.officer, now=now, **form)
        req = rq.open_request(s, ticket_id=ticket.id, user_id=staff.officer, now=now)
        rq.add_line(
            s,
            request_id=req.id,
            user_id=staff.officer,
            item_code="microdata_raw",
            measure=2_500_001,
            quantity=1,
            description="Susenas Maret 2025, Sumatera Selatan",
            now=now,
        )
        advance(s, req.id, staff, "delivered", now=now)
        return ticket.status_token, req.number


def test_invoice_and_receipt_pdfs_a_correction_and_the_rating_from_the_phone(make_api, db):
    import io

    from pypdf import PdfReader

    token, number = delivered_request(db, name="Siti Aminah")
    phone = make_api()
    assert phone.get(f"/s/{token}").status_code == 200
    part = phone.get(f"/s/{token}/state").get_json()["request"]
    assert part["number"] == number and part["state"] == "delivered"
    labels = [st["label"] for st in part["steps"]]  # step by step, in Indonesian by default
    assert labels[0] == "Permintaan dicatat" and labels[-1] == "Produk diserahkan"
    assert "Kuitansi diterbitkan" in labels and "Pembayaran dikonfirmasi" in labels
    assert len(part["invoices"]) == 1 and part["invoices"][0]["status"] == "paid" and len(part["receipts"]) == 1
    assert part["download_ref"]

    # The documents (they name the buyer) open once the phone gives the last 4 digits of the number typed at
    # the kiosk; they download through the request's own token, and are the real PDFs.
    assert part["papers_open"] is False
    assert phone.get(part["invoices"][0]["pdf"]).status_code == 403
    assert phone.post(part["papers_unlock"], json={"digits": "0000"}).status_code == 403
    assert phone.post(part["papers_unlock"], json={"digits": last4(db, number)}).get_json() == {"ok": True}
    assert phone.get(f"/s/{token}/state").get_json()["request"]["papers_open"] is True
    assert make_api().get(part["invoices"][0]["pdf"]).status_code == 403  # another browser: not opened there
    for doc in (part["invoices"][0], part["receipts"][0]):
        r = phone.get(doc["pdf"])
        assert r.status_code == 200 and r.mimetype == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
        assert doc["number"] in text

    # The rating form opens (the requests part's own page).
    assert part["rating"] and phone.get(part["rating"]).status_code == 200

    # A correction, asked from the phone (CSRF-protected like every POST): the request reopens.
    assert part["correction"]
    assert make_api().client.post(part["correction"], json={"text": "wrong year"}).status_code == 400  # no token
    r = phone.post(part["correction"], json={"text": "The file has the wrong year"})
    assert r.status_code == 200, r.get_json()
    after = phone.get(f"/s/{token}/state").get_json()["request"]
    assert after["state"] == "correcting" and after["correction"] is None
    assert len(after["steps"]) == len(part["steps"]) + 1
