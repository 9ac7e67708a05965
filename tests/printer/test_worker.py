"""The durable print queue: a printer that is down never fails the ticket; jobs are retried and printed once."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import select

import clock
from models import PrinterState, PrintJob, PrintJobEvent, PrintJobStatus, PrintWorkerLease, Ticket
from printer import backends, jobs
from printer.samples import invoice, receipt
from printer.status import printer_states
from printer.worker import BackgroundWorker, PrintWorker, backoff
from tests import factories
from tests.factories import guest_form
from tests.kiosks import pair_test_client
from tests.printer.conftest import wait_for
from tests.printer.escpos_parser import parse


def issue(api, db, station: str = ""):
    """A ticket from the kiosk (or from a kiosk paired at another station)."""
    if station:
        pair_test_client(api.client, db, station=station)
    with db.read() as s:
        service_id = factories.service(s).id
    r = api.post("/api/offices/1600/tickets", json=guest_form(service_id))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def states(app, db, name: str | None = None):
    with db.read() as s:
        out = printer_states(s, factories.office(s).id, app.extensions["loket.printing"])
    return out if name is None else next(p for p in out if p["name"] == name)


def job_row(db, job_id) -> PrintJob:
    with db.read() as s:
        return s.get(PrintJob, job_id)


def printer_row(db, name) -> PrinterState | None:
    with db.read() as s:
        return s.get(PrinterState, name)


def test_network_printer_down_then_up_ticket_issued_at_once_retried_and_printed_exactly_once(
    app, api, db, worker, fake_printer_factory
):
    # The kiosk's printer (127.0.0.1:<port>) is switched off: nothing listens on its port.
    bg = BackgroundWorker(worker).start()
    try:
        ticket = issue(api, db)  # the ticket is issued and committed without waiting for any printer
        assert ticket["code"] == "B-001" and ticket["print_job_id"]
        job_id = ticket["print_job_id"]
        # The worker tries once, fails to connect, and from then on probes the printer instead of the job.
        failed = wait_for(lambda: (j := job_row(db, job_id)).status == "failed" and j)
        assert failed.attempts == 1 and "cannot reach 127.0.0.1" in failed.last_error
        first_check = wait_for(lambda: (st := printer_row(db, "kiosk")) and st.checked_at)
        wait_for(lambda: printer_row(db, "kiosk").checked_at > first_check)  # probed again (written every 5 s)
        assert job_row(db, job_id).attempts == 1, "the job is not sent again while its printer does not answer"
        state = api.get(f"/api/print-jobs/{job_id}").get_json()
        assert state["status"] == "failed" and state["retrying"] and state["can_retry"]
        assert state["message"] == "Pencetakan gagal — sedang dicoba ulang."
        assert set(state) == {"id", "kind", "status", "attempts", "retrying", "message", "can_retry", "action_label"}
        kiosk = states(app, db, "kiosk")
        assert kiosk["reachable"] is False and kiosk["state"] == "error" and kiosk["queue"] == 1
        assert kiosk["condition"] == "unreachable" and kiosk["failing_since"]
        assert kiosk["failing"] == 1 and "cannot reach" in kiosk["last_error"]

        # The printer comes up.
        printer = fake_printer_factory(paper="ok")
        done = wait_for(lambda: (j := job_row(db, job_id)).status == "printed" and j)
        assert done.attempts == 2 and done.printed_at is not None and done.last_error == ""
        # Let the worker go round a few more times: nothing else reaches the printer.
        for _ in range(10):
            worker.run_once()
    finally:
        bg.stop()
    printer.wait_idle()
    (sent,) = printer.slips
    slip = parse(sent.data)
    assert len(slip.cuts) == 1, "printed exactly once"
    assert slip.find("B-001").size == (4, 4)
    assert slip.find("Penjualan Produk Statistik")
    assert [q.payload for q in slip.qrs] == [ticket["status_url"]]
    # It asked for the printer's status and paper sensor first, and again after the slip (the confirmation).
    assert sent.queries == [1, 4, 1, 4]
    with db.read() as s:
        kinds = [
            e.kind
            for e in s.exec(select(PrintJobEvent).where(PrintJobEvent.job_id == job_id).order_by(PrintJobEvent.id))
        ]
        st = s.get(PrinterState, "kiosk")
    assert kinds == ["queued", "failed", "printed"]
    assert st.reachable is True and st.responding is True and st.paper == "ok" and st.last_error == ""
    assert st.failing_since is None
    assert (
        api.get(f"/api/print-jobs/{job_id}").get_json()["message"]
        == "Nomor antrean Anda sudah tercetak. Silakan diambil."
    )


def test_out_of_paper_is_read_from_the_printer_and_nothing_is_sent_until_paper_is_back(
    app, api, db, worker, fake_printer_factory
):
    printer = fake_printer_factory(paper="out")
    job_id = issue(api, db)["print_job_id"]
    worker.run_once()
    job = job_row(db, job_id)
    assert job.status == "failed" and "out of paper" in job.last_error
    assert parse(printer.received).lines == []  # only the status queries reached it
    kiosk = states(app, db, "kiosk")
    assert kiosk["paper"] == "out" and kiosk["reachable"] is True and kiosk["state"] == "error"

    printer.paper = "low"
    clock.set_offset(timedelta(seconds=5))  # past the backoff
    worker.run_once()
    assert job_row(db, job_id).status == "printed"
    assert len(parse(printer.received).cuts) == 1
    kiosk = states(app, db, "kiosk")
    assert kiosk["paper"] == "low" and kiosk["state"] == "warning"


def test_backoff_doubles_up_to_the_cap():
    assert [backoff(n, 5, 300).total_seconds() for n in range(1, 9)] == [5, 10, 20, 40, 80, 160, 300, 300]


def test_a_job_whose_printer_is_down_keeps_its_place_and_is_not_sent_again_until_the_printer_answers(
    app, api, db, worker
):
    job_id = issue(api, db)["print_job_id"]
    worker.run_once()
    first = job_row(db, job_id)
    assert first.status == "failed" and first.attempts == 1
    assert first.next_attempt_at <= first.sending_at, "the job stays due: the printer's probe decides when"
    for _ in range(3):
        clock.set_offset(clock.get_offset() + timedelta(seconds=1))  # past the printer's retry time
        worker.run_once()  # probes the printer: still down, so the job is not sent
    assert job_row(db, job_id).attempts == 1
    assert worker.lanes["kiosk"].failing


def test_a_job_that_fails_on_its_own_account_backs_off_without_holding_up_its_printer(app, api, db, worker):
    ticket = issue(api, db)["id"]
    with db.write() as s:  # a slip for a station config.toml does not know (paired kiosks only name known ones)
        lost = jobs.enqueue_ticket(s, s.get(Ticket, ticket), station="kiosk-9").id
    worker.run_once()
    first = job_row(db, lost)
    assert first.status == "failed" and first.next_attempt_at - first.sending_at >= timedelta(seconds=0.2)
    worker.run_once()  # not due yet: untouched
    assert job_row(db, lost).attempts == 1


def test_job_interrupted_mid_send_needs_a_decision_and_is_never_reprinted_on_its_own(
    app, api, db, settings, fake_printer_factory
):
    printer = fake_printer_factory()
    job_id = issue(api, db)["print_job_id"]
    # A worker in another process claimed the job, began sending, and died (its pid no longer exists).
    with db.write() as s:
        job = s.get(PrintJob, job_id)
        job.status, job.sending_at, job.attempts = PrintJobStatus.sending, clock.utcnow(), 1
        s.add(job)
        import socket

        s.add(PrintWorkerLease(id=1, holder=f"{socket.gethostname()}:999999999:dead", heartbeat_at=clock.utcnow()))
    worker = PrintWorker(db, settings, app.extensions["loket.printing"], backoff_base=0.1, probe_seconds=0)
    assert worker.acquire_lease()  # the holder's process is gone: taken over at once
    for _ in range(3):
        worker.run_once()
    job = job_row(db, job_id)
    assert job.status == "needs_decision" and "interrupted" in job.last_error
    assert printer.received == b""  # not printed again on its own
    state = app.test_client().get(f"/api/print-jobs/{job_id}").get_json()
    assert state["status"] == "needs_decision" and state["can_retry"]

    # The supervisor decides: it did not come out, print it again.
    sup = app.test_client()
    from tests.conftest import ApiClient

    client = ApiClient(sup)
    client.login("pengawas")
    r = client.post(f"/api/print-jobs/{job_id}/decide", json={"action": "reprint"})
    assert r.status_code == 200 and r.get_json()["status"] == "queued"
    worker.run_once()
    assert job_row(db, job_id).status == "printed"
    assert len(parse(printer.received).cuts) == 1
    worker.release_lease()


def test_a_live_lease_keeps_a_second_worker_out(app, db, settings, worker):
    printing = app.extensions["loket.printing"]
    assert worker.acquire_lease()
    other = PrintWorker(db, settings, printing, holder="elsewhere:1:x", lease_seconds=5)
    assert not other.acquire_lease() and other.run_once() == 0
    clock.set_offset(timedelta(seconds=6))  # the first worker stopped renewing
    assert other.acquire_lease()
    assert not worker.acquire_lease()
    other.release_lease()


def test_claim_is_compare_and_set(app, api, db, worker):
    job_id = issue(api, db)["print_job_id"]
    assert worker.claim_next().id == job_id
    assert worker.claim_next() is None  # already 'sending': nobody else can take it
    assert job_row(db, job_id).status == "sending"


def test_connection_lost_mid_send_needs_a_decision(app, api, db, worker, monkeypatch):
    job_id = issue(api, db)["print_job_id"]

    def broken(data, *, job_name):
        raise backends.MaybeDelivered("127.0.0.1: connection lost while sending: BrokenPipeError")

    monkeypatch.setattr(worker.transports["kiosk"], "send", broken)
    worker.run_once()
    job = job_row(db, job_id)
    assert job.status == "needs_decision" and "connection lost" in job.last_error
    worker.run_once()
    assert job_row(db, job_id).status == "needs_decision"


def test_invoice_and_receipt_slips_go_to_the_counter_and_treasurer_files(app, db, worker, prints_dir):
    with db.write() as s:
        office = factories.office(s)
        inv = jobs.enqueue_invoice(s, office_id=office.id, station="counter-2", invoice=invoice(), invoice_id=12)
        rcp = jobs.enqueue_receipt(s, office_id=office.id, station="treasurer", receipt=receipt(), receipt_id=7)
    assert worker.run_once() == 2
    inv_file = prints_dir / "loket" / f"{inv.id:06d}-invoice.escpos"
    rcp_file = prints_dir / "bendahara" / f"{rcp.id:06d}-receipt.escpos"
    inv_doc = parse(inv_file.read_bytes())
    assert inv_doc.find("TOTAL").text.endswith("Rp 1.250.000") and inv_doc.qrs[0].payload.endswith("7f3a")
    rcp_doc = parse(rcp_file.read_bytes())
    assert rcp_doc.find("NTPN").text.endswith("0A1B2C3D4E5F6G7H")
    assert rcp_doc.cuts == [] and len(rcp_doc.images) == 1  # POS-5890: QR as an image, no cutter
    assert job_row(db, inv.id).status == job_row(db, rcp.id).status == "printed"
    assert json.loads(job_row(db, inv.id).payload)["total"] == 1250000


def test_station_without_printer_cancels_and_the_kiosk_says_so(app, api, db, worker):
    job_id = issue(api, db, station="counter-3")["print_job_id"]
    worker.run_once()
    job = job_row(db, job_id)
    assert job.status == "cancelled"
    state = api.get(f"/api/print-jobs/{job_id}").get_json()
    assert not state["can_retry"] and "Tidak ada printer" in state["message"]


def test_unknown_station_is_retried_until_configured(app, api, db, worker):
    # A kiosk paired at a station that config.toml has since lost.
    job_id = issue(api, db, station="kiosk-9")["print_job_id"]
    worker.run_once()
    job = job_row(db, job_id)
    assert job.status == "failed" and "no printer is configured for station 'kiosk-9'" in job.last_error
    orphan = states(app, db)[-1]
    assert orphan["name"] == "" and orphan["queue"] == 1


def test_a_ticket_already_called_is_not_printed_late(app, api, db, worker, fake_printer_factory):
    printer = fake_printer_factory()
    job_id = issue(api, db)["print_job_id"]
    with db.write() as s:
        t = s.exec(select(Ticket)).one()
        t.status = "called"
        s.add(t)
    worker.run_once()
    job = job_row(db, job_id)
    assert job.status == "cancelled" and "already called" in job.last_error
    assert printer.received == b""


def test_kiosk_retry_needs_the_tickets_token(app, api, db, worker):
    ticket = issue(api, db)
    job_id = ticket["print_job_id"]
    worker.run_once()
    assert api.post(f"/api/print-jobs/{job_id}/retry", json={"token": "wrong"}).status_code == 404
    r = api.post(f"/api/print-jobs/{job_id}/retry", json={"token": ticket["status_token"]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "queued"
    assert job_row(db, job_id).next_attempt_at <= clock.utcnow()
