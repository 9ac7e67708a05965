"""Printing that never lies, against an ESC/POS printer emulator on a local port (tests/printer/emulator.py).

An outage and its end print every slip once, in the order issued, as soon as the printer is back; a hung printer
and a printer killed after the data leave the job unconfirmed (or unsent) and visible, never "printed"; a printer
that is down holds up no other printer.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

import clock
from models import PrintJob, PrintJobEvent
from printer import jobs
from printer.samples import invoice
from printer.status import printer_states
from printer.worker import BackgroundWorker, worker_for_app
from tests import factories
from tests.factories import guest_form
from tests.printer.conftest import wait_for
from tests.printer.escpos_parser import parse

# The issue's bound: once the printer answers again, every waiting slip is out within 2 s.
RECOVERY_SECONDS = 2.0


def issue(api, db, service: str = "konsultasi") -> dict:
    with db.read() as s:
        service_id = factories.service(s, service).id
    r = api.post("/api/offices/1600/tickets", json=guest_form(service_id))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def job(db, job_id: int) -> PrintJob:
    with db.read() as s:
        return s.get(PrintJob, job_id)


def kiosk_state(app, db) -> dict:
    with db.read() as s:
        states = printer_states(s, factories.office(s).id, app.extensions["loket.printing"])
    return next(p for p in states if p["name"] == "kiosk")


def events(db, job_id: int) -> list[str]:
    with db.read() as s:
        rows = s.exec(select(PrintJobEvent).where(PrintJobEvent.job_id == job_id).order_by(PrintJobEvent.id))
        return [e.kind for e in rows]


def ticket_code(data: bytes) -> str:
    """The queue number on a ticket slip: its one line printed at four times the normal size."""
    (line,) = [line for line in parse(data).lines if line.size == (4, 4)]
    return line.text


@pytest.fixture
def running(app):
    """The print worker with its shipped timings (a failing printer probed every 0.5 s), in the background."""
    started = []

    def start(**kwargs):
        kwargs.setdefault("notify", None)
        bg = BackgroundWorker(worker_for_app(app, **kwargs)).start()
        started.append(bg)
        return bg

    yield start
    for bg in started:
        bg.stop()


def test_after_an_outage_every_slip_prints_once_in_issue_order_as_soon_as_the_printer_is_back(
    app, api, db, emulator_factory, running
):
    printer = emulator_factory(on=False)  # the kiosk's printer is switched off
    running()
    tickets = [issue(api, db) for _ in range(5)]
    codes = [t["code"] for t in tickets]
    assert codes == ["K-001", "K-002", "K-003", "K-004", "K-005"]
    wait_for(lambda: kiosk_state(app, db)["condition"] == "unreachable")
    # A long outage: an hour passes (the clock moves on); retries belong to the printer, so nothing waits longer.
    clock.set_offset(timedelta(hours=1))
    # The worker found the printer down and probes it: no slip is sent into the void meanwhile.
    assert [job(db, t["print_job_id"]).attempts for t in tickets] == [0] * 5
    kiosk = kiosk_state(app, db)
    assert kiosk["queue"] == 5 and kiosk["failing_since"]
    waiting = api.get(f"/api/print-jobs/{tickets[4]['print_job_id']}").get_json()
    assert waiting["status"] == "queued" and waiting["retrying"]
    assert waiting["message"] == "Printer belum siap. Nomor antrean Anda akan dicetak begitu printer kembali."

    printer.start()  # the printer is back
    wait_for(lambda: all(job(db, t["print_job_id"]).status == "printed" for t in tickets))
    printer.wait_idle()
    assert [ticket_code(s.data) for s in printer.slips] == codes, "every slip once, in the order issued"
    took = printer.slips[-1].at - printer.listening_since
    assert took <= RECOVERY_SECONDS, f"the last slip came out {took:.2f} s after the printer was back"
    assert all(s.queries == [1, 4, 1, 4] for s in printer.slips)  # each one confirmed by the printer
    assert [events(db, t["print_job_id"]) for t in tickets] == [["queued", "printed"]] * 5
    kiosk = kiosk_state(app, db)
    assert kiosk["condition"] == "ready" and kiosk["queue"] == 0 and kiosk["failing_since"] is None


def test_a_hung_printer_gets_nothing_is_shown_as_hung_and_prints_once_it_answers(
    app, api, db, make_api, emulator_factory, running
):
    printer = emulator_factory("hung")  # takes the connection, never answers the status query
    ticket = issue(api, db)
    running()
    wait_for(lambda: kiosk_state(app, db)["condition"] == "hung")
    row = job(db, ticket["print_job_id"])
    assert row.status == "failed" and "did not answer the status query" in row.last_error
    assert printer.slips == [], "nothing is sent to a printer that does not answer"
    kiosk = kiosk_state(app, db)
    assert kiosk["state"] == "error" and kiosk["responding"] is False and kiosk["reachable"] is True
    # Shown as such on the printers page and in the supervisor's view.
    supervisor = make_api()
    supervisor.login("pengawas")
    assert "tidak merespons (macet)" in supervisor.get("/printers/").get_data(as_text=True)
    live = supervisor.get("/supervisor/live.json").get_json()
    shown = next(p for p in live["printers"] if p["name"] == "kiosk")
    assert shown["condition"] == "hung" and "did not answer the status query" in shown["last_error"]

    printer.mode = "answering"  # switched off and on again
    wait_for(lambda: job(db, ticket["print_job_id"]).status == "printed")
    printer.wait_idle()
    assert [ticket_code(s.data) for s in printer.slips] == [ticket["code"]]


@pytest.mark.parametrize(
    "mode,expected_error,condition",
    [
        ("hang_after_data", "did not answer after the slip", "hung"),
        ("die_after_data", "closed the connection after the slip", "unreachable"),
    ],
)
def test_a_printer_that_hangs_or_dies_after_the_data_leaves_the_job_unconfirmed_never_printed(
    app, api, db, make_api, emulator_factory, running, mode, expected_error, condition
):
    printer = emulator_factory(mode)
    first, second = issue(api, db), issue(api, db)
    running()
    wait_for(lambda: job(db, first["print_job_id"]).status == "unconfirmed")
    wait_for(lambda: kiosk_state(app, db)["condition"] == condition)
    row = job(db, first["print_job_id"])
    assert expected_error in row.last_error and row.printed_at is None
    assert len(printer.slips) == 1, "the data went out once"
    # The second ticket waits for the printer: it is not sent to a printer that did not confirm the first.
    assert job(db, second["print_job_id"]).status == "queued"
    # Visible: to the kiosk (honestly), to staff, on the printers page and in the supervisor's view.
    public = api.get(f"/api/print-jobs/{first['print_job_id']}").get_json()
    assert public["status"] == "unconfirmed" and public["can_retry"]
    assert public["message"] == (
        "Printer tidak mengonfirmasi nomor antrean Anda. Jika tidak keluar, tekan Cetak ulang."
    )
    supervisor = make_api()
    supervisor.login("pengawas")
    listed = supervisor.get("/api/print-jobs").get_json()["jobs"]
    assert [(j["id"], j["status"]) for j in listed] == [(first["print_job_id"], "unconfirmed")]
    assert "terkirim, tidak dikonfirmasi printer" in supervisor.get("/printers/").get_data(as_text=True)
    kiosk = kiosk_state(app, db)
    assert kiosk["unconfirmed"] == 1 and kiosk["needs_decision"] == 1 and kiosk["state"] == "error"

    # The printer is fixed: the waiting ticket prints, the unconfirmed one is not printed again on its own.
    printer.stop()
    printer.mode = "answering"
    printer.start()
    wait_for(lambda: job(db, second["print_job_id"]).status == "printed")
    assert job(db, first["print_job_id"]).status == "unconfirmed"
    printer.wait_idle()
    assert [ticket_code(s.data) for s in printer.slips] == [first["code"], second["code"]]
    # Somebody looks: it did not come out, print it again.
    r = supervisor.post(f"/api/print-jobs/{first['print_job_id']}/decide", json={"action": "reprint"})
    assert r.status_code == 200 and r.get_json()["status"] == "queued"
    wait_for(lambda: job(db, first["print_job_id"]).status == "printed")
    printer.wait_idle()
    assert [ticket_code(s.data) for s in printer.slips] == [first["code"], second["code"], first["code"]]
    assert events(db, first["print_job_id"]) == ["queued", "unconfirmed", "decided", "printed"]


def test_it_came_out_counts_an_unconfirmed_slip_as_printed_with_who_said_so(
    app, api, db, make_api, emulator_factory, running
):
    emulator_factory("die_after_data")
    ticket = issue(api, db)
    running()
    wait_for(lambda: job(db, ticket["print_job_id"]).status == "unconfirmed")
    supervisor = make_api()
    supervisor.login("pengawas")
    r = supervisor.client.post(
        f"/printers/jobs/{ticket['print_job_id']}/printed", data={"csrf_token": supervisor.token}
    )
    assert r.status_code == 302
    assert job(db, ticket["print_job_id"]).status == "printed"
    with db.read() as s:
        decided = s.exec(
            select(PrintJobEvent).where(PrintJobEvent.job_id == ticket["print_job_id"], PrintJobEvent.kind == "decided")
        ).one()
    assert decided.detail == "printed" and decided.user_id is not None


def test_a_printer_that_is_down_holds_up_no_other_printer(app, api, db, emulator_factory, running, prints_dir):
    emulator_factory("hung")  # the kiosk's printer hangs
    ticket = issue(api, db)
    running()
    with db.write() as s:
        inv = jobs.enqueue_invoice(s, office_id=factories.office(s).id, station="counter-1", invoice=invoice())
    wait_for(lambda: job(db, inv.id).status == "printed")
    assert (prints_dir / "loket" / f"{inv.id:06d}-invoice.escpos").exists()
    assert job(db, ticket["print_job_id"]).status in ("queued", "sending", "failed")


def test_a_printer_coming_and_going_tells_the_supervisor_view(app, api, db, emulator_factory, running):
    told = []
    printer = emulator_factory(on=False)
    running(notify=told.append, probe_seconds=0.2)
    wait_for(lambda: kiosk_state(app, db)["condition"] == "unreachable")
    with db.read() as s:
        office_id = factories.office(s).id
    assert told and set(told) == {office_id}
    before = len(told)
    printer.start()
    wait_for(lambda: kiosk_state(app, db)["condition"] == "ready")
    wait_for(lambda: len(told) > before)


def test_the_supervisor_view_hears_of_a_hung_printer_over_socket_io(app, live_server, emulator_factory, running):
    from printer.worker import screens_notifier
    from tests.realtime.conftest import Http, Screen

    supervisor = Http(live_server.url).login("pengawas")
    staff = Screen(live_server.url, screen="staff", cookies=supervisor.cookie_header()).connect()
    try:
        staff.wait_until(lambda s: s.named("snapshot"), "the snapshot every screen gets as it joins")
        mark = len(staff.events)
        emulator_factory("hung")
        running(notify=screens_notifier(app), probe_seconds=0.2)
        # Each change of a printer's condition sends the staff room a snapshot; the supervisor's page answers
        # every snapshot by asking for its view. (The other printers turning 'ready' send theirs too.)
        for _ in range(10):
            staff.snapshot_where(lambda snap: True, "a snapshot after a printer changed", after=mark)
            mark = len(staff.events)
            view = supervisor.get("/supervisor/live.json").json()
            if next(p for p in view["printers"] if p["name"] == "kiosk")["condition"] == "hung":
                break
        else:
            pytest.fail("no snapshot reached the staff room once the kiosk printer was found hung")
    finally:
        staff.close()
