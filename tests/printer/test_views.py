"""The printers page and the printing API: who may see and do what, the test page button, reprint and decide."""

from __future__ import annotations

from sqlmodel import select

from models import PrintJob, PrintJobEvent, User
from tests import factories
from tests.factories import guest_form
from tests.printer.escpos_parser import parse


def login(make_api, username):
    client = make_api()
    client.login(username)
    return client


def test_printers_page_is_for_supervisors_and_admins(make_api, api):
    r = api.get("/printers/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    officer = login(make_api, "petugas1")
    assert officer.get("/printers/").status_code == 302  # to the "not allowed" page
    for who in ("pengawas", "admin"):
        page = login(make_api, who).get("/printers/")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert 'data-printer="kiosk"' in html and 'data-printer="loket"' in html and "Cetak halaman uji" in html
        assert "Tanpa printer" in html  # the 'none' printer of counter 3


def test_test_page_button_queues_a_page_that_the_worker_prints(make_api, db, worker, prints_dir):
    sup = login(make_api, "pengawas")
    html = sup.get("/printers/").get_data(as_text=True)
    assert 'action="/printers/loket/test-page"' in html
    r = sup.client.post("/printers/loket/test-page", data={"csrf_token": sup.token})
    assert r.status_code == 302
    assert "Halaman uji diantrekan untuk loket" in sup.get("/printers/").get_data(as_text=True)
    with db.read() as s:
        job = s.exec(select(PrintJob).where(PrintJob.kind == "test_page")).one()
        pengawas = s.exec(select(User).where(User.username == "pengawas")).one()
    assert job.station == "printer:loket" and job.requested_by == pengawas.id
    worker.run_once()
    page = parse((prints_dir / "loket" / f"{job.id:06d}-test_page.escpos").read_bytes())
    assert page.find("HALAMAN UJI") and page.qrs[0].payload == "loket:test:loket"
    states = sup.get("/api/printers").get_json()["printers"]
    loket = next(p for p in states if p["name"] == "loket")
    assert loket["reachable"] is True and loket["last_printed_at"] and loket["state"] == "ok"


def test_test_page_without_csrf_is_refused(make_api):
    sup = login(make_api, "pengawas")
    assert sup.client.post("/printers/loket/test-page", data={}).status_code == 400


def test_printer_api_roles(make_api, api):
    assert api.get("/api/printers").status_code == 401
    officer = login(make_api, "petugas1")
    assert officer.get("/api/printers").status_code == 200
    assert officer.post("/api/printers/loket/test-page").status_code == 403
    sup = login(make_api, "pengawas")
    assert sup.post("/api/printers/nope/test-page").status_code == 404
    r = sup.post("/api/printers/kiosk/test-page")
    assert r.status_code == 201 and r.get_json()["station"] == "printer:kiosk"


def test_job_state_api_is_public_and_shows_only_the_state(api, db):
    with db.read() as s:
        sid = factories.service(s).id
    t = api.post("/api/offices/1600/tickets", json=guest_form(sid)).get_json()
    body = api.get(f"/api/print-jobs/{t['print_job_id']}").get_json()
    assert body["status"] == "queued" and body["message"] == "Nomor antrean Anda sedang dicetak…"
    assert "payload" not in body and "station" not in body and "last_error" not in body
    en = api.get(f"/api/print-jobs/{t['print_job_id']}?lang=en").get_json()
    assert en["message"] == "Printing your ticket…"
    assert api.get("/api/print-jobs/999999").status_code == 404


def test_staff_reprint_of_a_printed_slip_makes_a_new_job_and_keeps_the_trail(make_api, db, worker, prints_dir):
    from printer import jobs
    from printer.samples import invoice

    with db.write() as s:
        job = jobs.enqueue_invoice(s, office_id=factories.office(s).id, station="counter-1", invoice=invoice())
    worker.run_once()
    officer = login(make_api, "petugas1")
    r = officer.post(f"/api/print-jobs/{job.id}/reprint")
    assert r.status_code == 200
    copy = r.get_json()
    assert copy["id"] != job.id and copy["status"] == "queued" and copy["kind"] == "invoice"
    worker.run_once()
    files = sorted(p.name for p in (prints_dir / "loket").iterdir())
    assert files == [f"{job.id:06d}-invoice.escpos", f"{copy['id']:06d}-invoice.escpos"]
    with db.read() as s:
        trail = [
            e.kind
            for e in s.exec(select(PrintJobEvent).where(PrintJobEvent.job_id == job.id).order_by(PrintJobEvent.id))
        ]
    assert trail == ["queued", "printed", "reprinted"]


def test_decide_on_a_printed_job_is_refused(make_api, db, worker):
    from printer import jobs
    from printer.samples import receipt

    with db.write() as s:
        job = jobs.enqueue_receipt(s, office_id=factories.office(s).id, station="treasurer", receipt=receipt())
    worker.run_once()
    treasurer = login(make_api, "bendahara")
    r = treasurer.post(f"/api/print-jobs/{job.id}/decide", json={"action": "printed"})
    assert r.status_code == 409 and r.get_json()["error"] == "print_job_decided"
    assert treasurer.post(f"/api/print-jobs/{job.id}/decide", json={"action": "maybe"}).status_code == 400


def test_attention_list_and_page_actions(make_api, api, db, worker):
    with db.read() as s:
        sid = factories.service(s).id
    t = api.post("/api/offices/1600/tickets", json=guest_form(sid)).get_json()
    worker.run_once()  # the kiosk printer is down: failing
    sup = login(make_api, "pengawas")
    listed = sup.get("/api/print-jobs").get_json()["jobs"]
    assert [j["id"] for j in listed] == [t["print_job_id"]] and listed[0]["status"] == "failed"
    html = sup.get("/printers/").get_data(as_text=True)
    assert f'data-job="{t["print_job_id"]}"' in html and "Coba sekarang" in html
    r = sup.client.post(f"/printers/jobs/{t['print_job_id']}/cancel", data={"csrf_token": sup.token})
    assert r.status_code == 302
    assert sup.get("/api/print-jobs").get_json()["jobs"] == []


def test_openapi_documents_the_printing_api(api):
    paths = api.get("/api/openapi.json").get_json()["paths"]
    for p in (
        "/api/print-jobs/{job_id}",
        "/api/print-jobs/{job_id}/retry",
        "/api/printers",
        "/api/printers/{name}/test-page",
        "/api/print-jobs/{job_id}/decide",
    ):
        assert p in paths, p
