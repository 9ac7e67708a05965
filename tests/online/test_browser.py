"""An online request in a real browser (headless Chromium) from the office's public page to the receipt, with
every e-mail read back from a real local SMTP server (aiosmtpd) and the PDF attachments parsed. The visitor
works in the browser (the page, the e-mailed link, uploads); the officer and the treasurer through the API."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.online.conftest import pdf_bytes, png_bytes
from tests.online.test_flow import send_mail
from tests.request_fixtures import billing_code
from tests.smtp_server import body_text, link_in, pdf_attachments

pytestmark = pytest.mark.browser


def fill_request_page(page) -> None:
    """The visitor fills the public page as a university researcher asking for microdata and a publication."""
    page.fill("#name", "Rina Paramitha")
    page.fill("#email", "rina@example.id")
    page.fill("#phone", "0812 3456 7890")
    page.select_option("#gender", "P")
    page.fill("#birth_year", "1992")
    page.select_option("#education", "s2")
    page.select_option("#occupation", "researcher")
    page.select_option("#institution_category", "domestic_education")
    page.fill("#institution_name", "Universitas Sriwijaya")
    page.select_option("#purpose", "research")
    page.select_option("#item", "microdata_raw")
    page.fill("#measure", "1500000")
    page.fill("#description", "Susenas Maret 2024, Sumatera Selatan")
    page.get_by_test_id("online-add").click()
    page.select_option("#item", "publication")
    page.fill("#measure", "120")
    page.fill("#description", "Sumatera Selatan Dalam Angka 2025")
    page.get_by_test_id("online-add").click()
    page.fill("#abstract", "Data Susenas dipakai untuk tesis tentang pengeluaran rumah tangga di Sumatera Selatan.")
    page.check("#accept_terms")
    page.check("#consent")


def upload(page, kind: str, path) -> None:
    page.select_option("#upload-kind", kind)
    page.set_input_files("#upload-file", str(path))
    page.get_by_test_id("visitor-upload").click()


def test_online_request_from_the_public_page_to_the_receipt(
    app, live_server, screens, make_api, smtp, tmp_path, browser
):
    # Refused on purpose below: an incomplete form, an upload of the wrong type, the papers before payment.
    browser.expect_console_error(r"status of 400 .*/online/1600/requests\b")
    browser.expect_console_error(r"status of 415 .*/uploads/abstract\b")
    browser.expect_console_error(r"status of 403 .*/papers\b")
    base = live_server.url
    visitor = screens(f"{base}/online/1600")
    expect(visitor.locator("#sheet table")).to_be_visible()
    # Sent without accepting the terms: refused, nothing lost.
    fill_request_page(visitor)
    visitor.uncheck("#accept_terms")
    visitor.get_by_test_id("online-submit").click()
    expect(visitor.locator("[data-error-for=accept_terms]")).to_be_visible()
    visitor.check("#accept_terms")
    visitor.get_by_test_id("online-submit").click()
    expect(visitor.get_by_test_id("online-done")).to_contain_text("r***@example.id")
    number = visitor.get_by_test_id("online-done").inner_text().split(":")[0]

    # The link arrives by e-mail; opening it and confirming proves the address.
    assert send_mail(app) == 1
    (confirm,) = smtp.inbox.wait_for(1)
    assert confirm["To"] == "rina@example.id" and number in confirm["Subject"]
    link = link_in(confirm, "/o/")
    assert link.startswith(base)
    visitor.goto(link)
    visitor.get_by_test_id("visitor-confirm").click()
    expect(visitor.get_by_test_id("visitor-confirm")).to_be_hidden()

    # Step 5: the abstract; a photo is refused (the abstract must be a PDF), then the PDF is taken.
    photo, abstract = tmp_path / "abstrak.png", tmp_path / "abstrak.pdf"
    photo.write_bytes(png_bytes())
    abstract.write_bytes(pdf_bytes())
    upload(visitor, "abstract", photo)
    expect(visitor.locator("#message")).to_contain_text("harus berupa PDF")
    upload(visitor, "abstract", abstract)
    expect(visitor.locator("#uploads li")).to_have_count(1)

    # Steps 6-8 by the officer: the abstract checked, clear and complete, invoice and sample sent.
    officer = make_api()
    officer.login("petugas1")
    req_id = officer.get(f"/api/requests?q={number}").get_json()["requests"][0]["id"]
    assert officer.post(f"/api/requests/{req_id}/documents/abstract", json={"received": True}).status_code == 200
    assert officer.post(f"/api/requests/{req_id}/check-documents").status_code == 200
    assert officer.post(f"/api/requests/{req_id}/clear").status_code == 200
    r = officer.post(f"/api/requests/{req_id}/invoice", json={"billing_code": billing_code(), "print": False})
    assert r.status_code == 200, r.get_json()
    invoice = r.get_json()["invoice"]["number"]
    assert officer.post(f"/api/requests/{req_id}/sample", json={"note": "contoh 10 baris"}).status_code == 200
    assert send_mail(app) == 2
    _, invoice_mail, sample_mail = smtp.inbox.wait_for(3)
    attached = pdf_attachments(invoice_mail)
    invoice_pdf = attached[invoice.replace("/", "-") + ".pdf"]
    assert any(name.startswith("SPPD-") for name in attached)  # the SPPD to sign travels with it (microdata)
    assert invoice in invoice_pdf and "Rina Paramitha" in invoice_pdf
    # (The officer's API client reaches the app as "localhost": the link's path is the same page.)
    assert link.split(base)[1] in body_text(invoice_mail) and "SPPD" in body_text(sample_mail)

    # Steps 11-12: paid from abroad, the proof and the signed SPPD uploaded on the visitor's page.
    visitor.reload()
    # The papers name the buyer: they open with the last 4 digits of the phone the visitor gave.
    expect(visitor.get_by_test_id("visitor-invoice")).to_have_count(0)
    visitor.get_by_test_id("papers-digits").fill("1234")
    visitor.get_by_test_id("papers-open").click()
    expect(visitor.locator("#message")).not_to_be_empty()
    visitor.get_by_test_id("papers-digits").fill("7890")
    visitor.get_by_test_id("papers-open").click()
    expect(visitor.get_by_test_id("visitor-invoice")).to_be_visible()
    proof, sppd = tmp_path / "bukti.png", tmp_path / "sppd.pdf"
    proof.write_bytes(png_bytes())
    sppd.write_bytes(pdf_bytes("SPPD"))
    upload(visitor, "transfer_proof", proof)
    expect(visitor.locator("#uploads li")).to_have_count(2)
    upload(visitor, "sppd", sppd)
    expect(visitor.locator("#uploads li")).to_have_count(3)

    # Steps 13-14: the treasurer opens the proof, verifies the transfer and issues the receipt.
    treasurer = make_api()
    treasurer.login("bendahara")
    (pending,) = treasurer.get("/api/treasurer/queue").get_json()["pending_payments"]
    assert pending["payment"]["method"] == "transfer"
    proof_file = treasurer.get(f"/api/requests/{req_id}/uploads/{pending['payment']['upload_id']}")
    assert proof_file.data == png_bytes() or proof_file.data.startswith(b"\x89PNG")
    assert treasurer.post(f"/api/payments/{pending['payment']['id']}/confirm").status_code == 200
    r = treasurer.post(f"/api/requests/{req_id}/receipt", json={})
    assert r.status_code == 200, r.get_json()
    receipt = r.get_json()["receipt"]["number"]
    assert send_mail(app) == 1
    mails = smtp.inbox.wait_for(4)
    receipt_mail = mails[3]
    assert receipt in receipt_mail["Subject"]
    (receipt_pdf,) = pdf_attachments(receipt_mail).values()
    assert receipt in receipt_pdf and invoice in receipt_pdf
    # Every e-mail once, to the address the visitor gave.
    assert {m["To"] for m in mails} == {"rina@example.id"} and len({m["Message-ID"] for m in mails}) == 4

    # The visitor's page has the receipt to download, as a PDF.
    visitor.reload()
    expect(visitor.get_by_test_id("visitor-receipt")).to_be_visible()
    href = visitor.get_by_test_id("visitor-receipt").get_attribute("href")
    pdf = visitor.request.get(base + href)
    assert pdf.ok and pdf.body().startswith(b"%PDF-")


def test_due_dates_on_the_counter_and_the_supervisors_alarm(app, live_server, screens, make_api, db):
    """An online request whose 10 working days have nearly run out: the counter lists it with its due day and
    days left, the supervisor's live view rings."""
    from datetime import timedelta

    import clock
    from rules.requests import clock as request_clock
    from tests.online.conftest import ABSTRACT, MICRODATA, visitor_form
    from tests.pages import sign_in_at_counter

    visitor, officer = make_api(), make_api()
    officer.login("petugas1")
    r = visitor.post(
        "/api/online/1600/requests",
        json={"visitor": visitor_form(), "lines": [MICRODATA], "abstract": ABSTRACT, "accept_terms": True},
    )
    number = r.get_json()["number"]
    req_id = officer.get(f"/api/requests?q={number}").get_json()["requests"][0]["id"]
    with db.read() as s:
        from models import ProductRequest

        token = s.get(ProductRequest, req_id).visitor_token
    visitor.post(f"/api/visitor/requests/{token}/confirm")
    officer.post(f"/api/requests/{req_id}/documents/abstract", json={"received": True})
    officer.post(f"/api/requests/{req_id}/check-documents")
    assert officer.post(f"/api/requests/{req_id}/clear").status_code == 200
    # Nine working days later (whatever the holidays): one day left.
    with db.read() as s:
        req = s.get(ProductRequest, req_id)
        now = clock.utcnow()
        while request_clock.state(s, req, now).left > 1:
            now += timedelta(days=1)
    clock.set_offset(now - clock.utcnow() + timedelta(minutes=1))

    counter = sign_in_at_counter(screens, live_server.url, "petugas1", 1)
    counter.locator("#rq-online-box > summary").click()
    row = counter.locator(f"[data-online='{number}']")
    expect(row).to_contain_text("sisa 1 hari kerja")
    row.get_by_role("button").click()
    expect(counter.get_by_test_id("rq-clock")).to_contain_text("sisa 1 hari kerja")

    sup = screens(f"{live_server.url}/login")
    sup.fill("input[name=username]", "pengawas")
    sup.fill("input[name=password]", "pengawas-demo")
    sup.locator("button[type=submit]").click()
    sup.goto(f"{live_server.url}/supervisor/?lang=en")
    expect(sup.get_by_test_id("online-alarm")).to_contain_text("1 online request(s) near or past")
    expect(sup.locator(f"#sv-online [data-request='{number}']")).to_contain_text("1 working day(s) left")
