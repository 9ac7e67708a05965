"""An online request through the API, from the public page to the rating: the e-mail link proves the address,
uploads, clear and complete, the clock's pauses, a transfer from abroad verified by the treasurer, and every
e-mail read back from a real SMTP server with its PDFs parsed."""

from __future__ import annotations

from mail.worker import worker_for_app
from models import MailMessage, ProductRequest
from rules.requests import clock
from tests.online.conftest import ABSTRACT, MICRODATA, PUBLICATION, pdf_bytes, png_bytes, visitor_form
from tests.request_fixtures import billing_code
from tests.smtp_server import body_text, link_in, pdf_attachments


def submit(client, **over):
    body = {"visitor": visitor_form(), "lines": [MICRODATA, PUBLICATION], "abstract": ABSTRACT, "accept_terms": True}
    body.update(over)
    return client.post("/api/online/1600/requests", json=body)


def upload(client, token, kind, data, name):
    import io

    return client.client.post(
        f"/api/visitor/requests/{token}/uploads/{kind}",
        data={"file": (io.BytesIO(data), name)},
        headers={"X-CSRFToken": client.token},
        content_type="multipart/form-data",
    )


def send_mail(app) -> int:
    """One round of the mail worker (as `manage.py mail-worker --once` does it)."""
    worker = worker_for_app(app)
    try:
        return worker.run_once()
    finally:
        worker.release_lease()


def the_request(db, number):
    with db.read() as s:
        from sqlmodel import select

        return s.exec(select(ProductRequest).where(ProductRequest.number == number)).one()


def test_online_request_from_the_page_to_the_rating(app, db, make_api, smtp):
    visitor, officer, treasurer = make_api(), make_api(), make_api()
    officer.login("petugas1")
    treasurer.login("bendahara")

    r = submit(visitor)
    assert r.status_code == 201, r.get_json()
    number = r.get_json()["number"]
    assert "r***@example.id" in r.get_json()["message"] or "example.id" in r.get_json()["message"]
    req = the_request(db, number)
    assert (req.channel, req.state, req.ticket_id, req.email_confirmed_at) == ("online", "agreed", None, None)

    # Nothing is worked on before the address is proven.
    r = officer.post(f"/api/requests/{req.id}/check-documents")
    assert r.status_code == 409 and r.get_json()["error"] == "email_unconfirmed"

    assert send_mail(app) == 1
    (confirm_mail,) = smtp.inbox.wait_for(1)
    assert confirm_mail["To"] == "rina@example.id" and number in confirm_mail["Subject"]
    link = link_in(confirm_mail, "/o/")
    path = "/o/" + link.split("/o/")[1]
    page = visitor.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    token = path.rsplit("/", 1)[1]
    assert visitor.get(f"/api/visitor/online/{token}").get_json()["can_upload"] == []
    r = visitor.post(f"/api/visitor/requests/{token}/confirm")
    assert r.status_code == 200 and r.get_json()["email_confirmed"] is True
    assert "abstract" in r.get_json()["can_upload"]

    # Step 5-6: the abstract uploaded, the officer checks it against the request.
    r = upload(visitor, token, "abstract", pdf_bytes(), "abstrak.pdf")
    assert r.status_code == 200, r.get_json()
    up = r.get_json()["uploads"][0]
    staff_file = officer.get(f"/api/requests/{req.id}/uploads/{up['id']}")
    assert staff_file.status_code == 200 and staff_file.data.startswith(b"%PDF-")
    assert staff_file.headers["X-Content-Type-Options"] == "nosniff"
    assert make_api().get(f"/api/requests/{req.id}/uploads/{up['id']}").status_code in (302, 401)
    r = officer.post(f"/api/requests/{req.id}/documents/abstract", json={"received": True, "note": "sesuai permintaan"})
    assert r.status_code == 200, r.get_json()
    r = officer.post(f"/api/requests/{req.id}/check-documents")
    assert r.status_code == 200, r.get_json()
    # The invoice waits for "clear and complete": that starts the 10 working days.
    r = officer.post(f"/api/requests/{req.id}/invoice", json={"billing_code": billing_code(), "print": False})
    assert r.get_json()["error"] == "not_clear"
    r = officer.post(f"/api/requests/{req.id}/clear")
    assert r.status_code == 200
    view = r.get_json()["request"]
    assert view["clock"]["used"] == 0 and view["clock"]["left"] == 10 and view["clock"]["due"]
    assert view["channel"] == "online"

    # Step 8: invoice, sample and SPPD sent by e-mail; the clock waits for the visitor's payment.
    r = officer.post(f"/api/requests/{req.id}/invoice", json={"billing_code": billing_code(), "print": False})
    assert r.status_code == 200, r.get_json()
    invoice_number = r.get_json()["invoice"]["number"]
    assert r.get_json()["request"]["clock"]["paused"] is True
    assert r.get_json()["request"]["clock"]["paused_for"] == "payment"
    r = officer.post(f"/api/requests/{req.id}/sample", json={"note": "10 baris contoh Susenas"})
    assert r.status_code == 200

    # Step 11: paid from abroad, the proof uploaded; a fake PDF is refused with a clear message.
    r = upload(visitor, token, "transfer_proof", b"%PDF-1.4 not really a pdf", "bukti.pdf")
    assert r.status_code == 415 and r.get_json()["error"] == "upload_unreadable"
    r = upload(visitor, token, "transfer_proof", png_bytes(), "bukti-transfer.png")
    assert r.status_code == 200, r.get_json()
    with db.read() as s:
        req_now = s.get(ProductRequest, req.id)
        assert clock.waiting_on(s, req_now) == "sppd"  # paid: now the signed SPPD is awaited
    # Step 12: the signed SPPD uploaded.
    r = upload(visitor, token, "sppd", pdf_bytes("SPPD ditandatangani"), "sppd.pdf")
    assert r.status_code == 200, r.get_json()
    assert the_request(db, number).sppd_received_how == "upload"

    # Step 13-14: the treasurer verifies the transfer's proof, then makes and sends the receipt.
    queue = treasurer.get(f"/api/requests/{req.id}").get_json()
    (payment,) = queue["payments"]
    assert payment["method"] == "transfer" and payment["upload_id"]
    r = treasurer.post(f"/api/payments/{payment['id']}/confirm")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["request"]["history"][-1]["kind"] == "verify_transfer"
    r = treasurer.post(f"/api/requests/{req.id}/receipt", json={})
    assert r.status_code == 200, r.get_json()
    receipt_number = r.get_json()["receipt"]["number"]

    # Step 15: prepared and delivered, within the limit.
    for step in ("prepare", "ready"):
        assert officer.post(f"/api/requests/{req.id}/{step}").status_code == 200
    r = officer.post(f"/api/requests/{req.id}/deliver", json={"download_ref": "https://silastik.bps.go.id/d/abc"})
    assert r.status_code == 200, r.get_json()
    done = the_request(db, number)
    assert done.served_within is True and done.served_days == 0

    assert send_mail(app) == 5
    mails = smtp.inbox.wait_for(6)
    assert len(mails) == 6, [m["Subject"] for m in mails]
    invoice_mail, sample_mail, receipt_mail, delivery_mail, rating_mail = mails[1:]
    assert invoice_number in invoice_mail["Subject"]
    pdfs = pdf_attachments(invoice_mail)
    # The invoice, and the SPPD to sign on a meterai (microdata), prefilled (issue 15).
    sppd_name = "SPPD-" + number.replace("/", "-") + ".pdf"
    assert list(pdfs) == [invoice_number.replace("/", "-") + ".pdf", sppd_name]
    assert invoice_number in pdfs[invoice_number.replace("/", "-") + ".pdf"]
    assert "PERJANJIAN PENGGUNAAN DATA" in pdfs[sppd_name] and number in pdfs[sppd_name]
    assert list(pdf_attachments(sample_mail)) == ["SAMPLE-" + number.replace("/", "-") + ".pdf"]
    assert "SPPD" in body_text(invoice_mail) and "SPPD" in sample_mail["Subject"]
    assert "10 baris contoh Susenas" in body_text(sample_mail)
    receipt_pdfs = pdf_attachments(receipt_mail)
    assert receipt_number in next(iter(receipt_pdfs.values()))
    assert "https://silastik.bps.go.id/d/abc" in body_text(delivery_mail)
    assert "/rate/" in body_text(rating_mail)
    # Every message once: a second round sends nothing.
    assert send_mail(app) == 0
    with db.read() as s:
        from sqlmodel import select

        assert {m.status for m in s.exec(select(MailMessage))} == {"sent"}


def test_the_online_page_refuses_with_reasons_field_by_field(app, make_api):
    visitor = make_api()
    r = submit(visitor, accept_terms=False)
    assert r.status_code == 400 and "accept_terms" in r.get_json()["fields"]
    r = submit(visitor, lines=[MICRODATA], abstract="pendek")
    assert r.status_code == 400 and "abstract" in r.get_json()["fields"]
    r = submit(visitor, visitor=visitor_form(email="bukan-email"))
    assert r.status_code == 400 and "email" in r.get_json()["fields"]
    r = submit(visitor, visitor=visitor_form(institution_category="private", institution_name="PT Data"))
    assert r.status_code == 400 and "npwp" in r.get_json()["fields"]
    # A buyer abroad may give a phone number with its country code.
    r = submit(visitor, visitor=visitor_form(phone="+61 412 345 678"), lines=[PUBLICATION])
    assert r.status_code == 201, r.get_json()


def test_an_officer_enters_a_request_received_by_whatsapp(app, db, make_api, smtp):
    officer = make_api()
    officer.login("petugas1")
    r = officer.post(
        "/api/requests/enter",
        json={"channel": "whatsapp", "reference": "WA 12 Jan 10:14", "visitor": visitor_form(email="budi@example.id")},
    )
    assert r.status_code == 201, r.get_json()
    req = r.get_json()["request"]
    assert req["channel"] == "whatsapp" and req["state"] == "open" and req["ticket"] is None
    # Worked on at once: the officer adds the products and records the agreement given in the chat.
    r = officer.post(f"/api/requests/{req['id']}/lines", json={**PUBLICATION})
    assert r.status_code == 200, r.get_json()
    r = officer.post(
        f"/api/requests/{req['id']}/shipping", json={"fee": 35_000, "note": "cetak, JNE ke Jl. Merdeka 1 Palembang"}
    )
    assert (
        r.status_code == 200 and r.get_json()["request"]["total"] == 80_000 + 35_000
    )  # 120 pages: 50 + two started blocks of 50
    # The shipping is printed on the invoice the buyer pays.
    for step in ("agree", "check-documents", "clear"):
        assert officer.post(f"/api/requests/{req['id']}/{step}").status_code == 200, step
    r = officer.post(f"/api/requests/{req['id']}/invoice", json={"billing_code": billing_code(), "print": False})
    assert r.status_code == 200, r.get_json()
    pdf = officer.get(f"/api/invoices/{r.get_json()['invoice']['id']}/pdf")
    from tests.smtp_server import pdf_text

    text = pdf_text(pdf.data)
    assert "Ongkos kirim salinan cetak" in text and "JNE" in text and "115.000" in text
    listed = officer.get("/api/requests/online").get_json()["requests"]
    assert [x["number"] for x in listed] == [req["number"]] and listed[0]["channel"] == "whatsapp"
    assert send_mail(app) == 2
    mail, invoice_mail = smtp.inbox.wait_for(2)
    assert "/o/" in body_text(mail) and mail["To"] == "budi@example.id"
    assert "JNE" in next(iter(pdf_attachments(invoice_mail).values()))
    r = officer.post("/api/requests/enter", json={"channel": "counter", "visitor": visitor_form()})
    assert r.status_code == 400
