"""The print worker: one queue per printer, oldest first, and a slip is "printed" only when the printer says so.

Guarantees:
  * Each printer has its own lane (a thread of the worker): it sends its stations' jobs in the order they were
    issued (job id), one at a time. A printer that is off, hung or out of paper holds up only its own lane.
  * Retry timing belongs to the printer, not the job. When a send fails because of the printer, the job keeps
    its place at the head of the lane and the lane stops sending: it probes the printer (connect and status
    query, nothing printed) every `retry_seconds`, and the moment the printer answers, its queue drains at
    once, oldest first. A long outage costs no extra wait after it ends.
  * "Printed" means the printer confirmed it (printer.backends): a slip sent but not confirmed becomes
    'unconfirmed', one cut off mid-send 'needs_decision'; both wait for a person (reprint, or it came out),
    are shown on /printers/ and the supervisor's view, and are never printed again on their own.
  * A job is claimed with a compare-and-set UPDATE (queued/failed -> sending) committed *before* any byte is
    sent, so two workers never send the same job. One worker sends at a time: it holds the lease row
    (printworkerlease) and renews it; another takes over when the lease goes stale or its holder is gone.
  * A job found in 'sending' when a worker takes the lease was interrupted mid-send: 'needs_decision'.
  * A job that fails on its own account (it cannot be rendered, its station has no printer configured) waits
    with its own exponential backoff and does not hold up its printer's lane.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import select

import clock
from db import Database
from models import PrinterState, PrintJob, PrintJobStatus, PrintWorkerLease, Ticket
from printer import backends, documents
from printer.config import PrintingConfig
from printer.jobs import PRINTER_STATION, record
from printer.status import condition
from settings import Settings

log = logging.getLogger("loket.print")
OPEN = (PrintJobStatus.queued, PrintJobStatus.failed)
# A failing printer's state is written when it changes, and at least this often while it stays the same.
STATE_REFRESH_SECONDS = 5.0


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """Wait before the next try of a job that failed on its own account: base, 2*base, ... up to cap seconds."""
    return timedelta(seconds=min(cap, base * (2 ** max(attempts - 1, 0))))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Skip(Exception):
    """The job should not be printed any more (its ticket was already called, the station has no printer)."""


@dataclass
class Lane:
    """What the worker knows of one printer between its sends: failing or not, when to look again."""

    name: str
    failing: bool = False
    next_try: datetime | None = None
    last_probe: datetime | None = None
    last_stored: datetime | None = None
    stored: tuple = ()


class PrintWorker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        printing: PrintingConfig,
        *,
        poll_seconds: float = 1.0,
        retry_seconds: float = 0.5,
        backoff_base: float = 5.0,
        backoff_cap: float = 300.0,
        lease_seconds: float = 30.0,
        probe_seconds: float = 5.0,
        holder: str | None = None,
        notify: Callable[[int], None] | None = None,
    ):
        """`poll_seconds`: how often an idle lane looks for jobs; `retry_seconds`: how often a failing printer
        is probed; `probe_seconds`: how often an idle printer is asked how it is (0: never); `notify(office_id)`:
        called when a printer's condition changes or a job needs a person (the supervisor's view follows)."""
        self.db, self.settings, self.printing = db, settings, printing
        self.poll_seconds, self.retry_seconds = poll_seconds, retry_seconds
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.lease_seconds, self.probe_seconds = lease_seconds, probe_seconds
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.notify = notify
        self.has_lease = False
        self.transports = {name: backends.transport_for(name, cfg) for name, cfg in printing.printers.items()}
        self.lanes = {name: Lane(name) for name, cfg in printing.printers.items() if cfg.backend != "none"}
        self.routes = {name: printing.stations_of(name) + [PRINTER_STATION + name] for name in self.lanes}
        self.routed = {station for stations in self.routes.values() for station in stations}
        self._office_id: int | None = None
        self._threads: list[threading.Thread] = []
        self._lanes_stop = threading.Event()

    # ---- the lease ---------------------------------------------------------------------------------
    def _holder_gone(self, holder: str) -> bool:
        host, _, rest = holder.partition(":")
        pid = rest.partition(":")[0]
        if host != socket.gethostname() or not pid.isdigit():
            return False
        if int(pid) == os.getpid():
            # Same process, another worker object: gone unless it is still running in this process.
            return holder not in _RUNNING
        return not _pid_alive(int(pid))

    def acquire_lease(self) -> bool:
        """Hold or renew the lease; on taking it, park jobs interrupted mid-send for an officer."""
        now = clock.utcnow()
        with self.db.write() as s:
            lease = s.get(PrintWorkerLease, 1)
            taken = False
            if lease is None:
                s.add(PrintWorkerLease(id=1, holder=self.holder, started_at=now, heartbeat_at=now))
                taken = True
            elif lease.holder == self.holder:
                lease.heartbeat_at = now
                s.add(lease)
            elif (now - lease.heartbeat_at).total_seconds() > self.lease_seconds or self._holder_gone(lease.holder):
                log.info("print worker %s takes over from %s", self.holder, lease.holder)
                lease.holder, lease.started_at, lease.heartbeat_at = self.holder, now, now
                s.add(lease)
                taken = True
            else:
                self.has_lease = False
                _RUNNING.discard(self.holder)
                return False
            if taken:
                self._park_interrupted(s)
        self.has_lease = True
        _RUNNING.add(self.holder)
        return True

    def release_lease(self) -> None:
        """Give the lease up (another worker may take it at once)."""
        with self.db.write() as s:
            lease = s.get(PrintWorkerLease, 1)
            if lease is not None and lease.holder == self.holder:
                s.delete(lease)
        self.has_lease = False
        _RUNNING.discard(self.holder)

    def _park_interrupted(self, s) -> None:
        for job in s.exec(select(PrintJob).where(PrintJob.status == PrintJobStatus.sending)):
            job.status = PrintJobStatus.needs_decision
            job.last_error = "interrupted while sending (the worker stopped): check whether it came out"
            s.add(job)
            record(s, job, "needs_decision", detail="found in 'sending' when the print worker started")
            log.warning("print job %s was interrupted mid-send: needs a decision", job.id)

    # ---- jobs --------------------------------------------------------------------------------------
    def claim_next(self, printer: str | None = None, *, unrouted: bool = False) -> PrintJob | None:
        """Take the oldest due job (of one printer's stations, of stations no printer serves, or of any) with a
        compare-and-set, committed before anything is sent."""
        now = clock.utcnow()
        query = select(PrintJob.id).where(PrintJob.status.in_(OPEN), PrintJob.next_attempt_at <= now)
        if printer is not None:
            query = query.where(PrintJob.station.in_(self.routes[printer]))
        elif unrouted and self.routed:
            query = query.where(PrintJob.station.not_in(self.routed))
        with self.db.write() as s:
            for job_id in s.exec(query.order_by(PrintJob.id).limit(5)).all():
                result = s.execute(
                    update(PrintJob)
                    .where(PrintJob.id == job_id, PrintJob.status.in_(OPEN))
                    .values(status=PrintJobStatus.sending, sending_at=now, attempts=PrintJob.attempts + 1)
                )
                if result.rowcount == 1:
                    return s.get(PrintJob, job_id)
        return None

    def _target(self, job: PrintJob):
        if job.station.startswith(PRINTER_STATION):
            name = job.station[len(PRINTER_STATION) :]
            cfg = self.printing.printers.get(name)
            return None if cfg is None else (name, cfg)
        return self.printing.printer_for(job.station)

    def render(self, job: PrintJob, name: str, cfg) -> bytes:
        """The job's slip as ESC/POS bytes for this printer (a ticket is rendered from its row, now)."""
        # python-escpos's renderer brings barcode, Pillow and qrcode (7 MB): loaded with the first slip, not at start.
        from printer import slips

        lang = self.printing.language_of(cfg)
        payload = json.loads(job.payload or "{}")
        if job.kind == "ticket":
            with self.db.read() as s:
                ticket = s.get(Ticket, job.ref_id or payload.get("ticket_id"))
                if ticket is None:
                    raise Skip("the ticket no longer exists")
                if ticket.status != "waiting":
                    raise Skip(f"ticket {ticket.code} is already {ticket.status}: not printed")
                doc = documents.ticket_document(s, ticket, self.settings, status_url=payload.get("status_url"))
            return slips.ticket_slip(doc, cfg, lang)
        if job.kind == "invoice":
            return slips.invoice_slip(payload, cfg, lang)
        if job.kind == "receipt":
            return slips.receipt_slip(payload, cfg, lang)
        if job.kind == "test_page":
            return slips.test_page(name, cfg, now=clock.utcnow(), tz=self.settings.office.timezone, lang=lang)
        raise ValueError(f"unknown print job kind {job.kind!r}")

    def process(self, job: PrintJob) -> str:
        """Render and send one claimed job; record printed / failed / unconfirmed / needs_decision / cancelled."""
        return self._process(job)[0]

    def _process(self, job: PrintJob) -> tuple[str, bool]:
        """(the job's new status, whether the printer is at fault: its lane then probes before sending more)."""
        target = self._target(job)
        if target is None:
            error = f"no printer is configured for station {job.station!r}"
            return self._finish(job, PrintJobStatus.failed, error, None, None, own_fault=True), False
        name, cfg = target
        try:
            if cfg.backend == "none":
                raise Skip(f"station {job.station} has no printer")
            data = self.render(job, name, cfg)
        except Skip as e:
            return self._finish(job, PrintJobStatus.cancelled, str(e), name, None), False
        except Exception as e:
            log.exception("print job %s could not be rendered", job.id)
            error = f"cannot render: {backends._err(e)}"
            return self._finish(job, PrintJobStatus.failed, error, None, None, own_fault=True), False
        outcomes = (
            (backends.Unconfirmed, PrintJobStatus.unconfirmed),
            (backends.MaybeDelivered, PrintJobStatus.needs_decision),
            (backends.NotDelivered, PrintJobStatus.failed),
        )
        try:
            probe = self.transports[name].send(data, job_name=f"{job.id:06d}-{job.kind}")
        except backends.NoPrinterHere as e:
            return self._finish(job, PrintJobStatus.cancelled, str(e), name, None), False
        except backends.PrintFailure as e:
            status = next(st for kind, st in outcomes if isinstance(e, kind))
            return self._finish(job, status, str(e), name, e.probe or _probe_of(e)), True
        except Exception as e:  # a fault of ours mid-send: whether it is on paper is unknown
            log.exception("print job %s: unexpected error while sending", job.id)
            error = f"unexpected error while sending: {backends._err(e)}"
            return self._finish(job, PrintJobStatus.needs_decision, error, name, None), True
        return self._finish(job, PrintJobStatus.printed, "", name, probe), False

    def _finish(
        self,
        job: PrintJob,
        status: str,
        error: str,
        printer_name: str | None,
        probe: backends.Probe | None,
        *,
        own_fault: bool = False,
    ) -> str:
        now = clock.utcnow()
        changed = False
        with self.db.write() as s:
            row = s.get(PrintJob, job.id)
            if row.status != PrintJobStatus.sending:  # someone decided meanwhile; theirs stands
                return row.status
            row.status = status
            row.last_error = error[:500]
            if status == PrintJobStatus.printed:
                row.printed_at = now
            elif status == PrintJobStatus.failed and own_fault:
                row.next_attempt_at = now + backoff(row.attempts, self.backoff_base, self.backoff_cap)
            # A job its printer failed keeps its next_attempt_at (already due): it stays at the head of its lane.
            s.add(row)
            confirmed = f"confirmed by {probe.confirmed}" if probe is not None and probe.confirmed else ""
            record(s, row, str(status), detail=error or f"{printer_name or ''} {confirmed}".strip())
            if printer_name and status != PrintJobStatus.cancelled:
                changed = self._store(s, printer_name, probe, printed=status == PrintJobStatus.printed, error=error)
        if status == PrintJobStatus.failed:
            log.warning("print job %s (%s at %s) failed: %s", job.id, job.kind, job.station, error)
        elif status in (PrintJobStatus.unconfirmed, PrintJobStatus.needs_decision):
            log.warning("print job %s (%s at %s) %s: %s", job.id, job.kind, job.station, status, error)
        if changed or status in (PrintJobStatus.unconfirmed, PrintJobStatus.needs_decision, PrintJobStatus.failed):
            self._notify(job.office_id)
        return status

    # ---- printers ----------------------------------------------------------------------------------
    def _store(self, s, name: str, probe: backends.Probe | None, *, printed: bool = False, error: str = "") -> bool:
        """Write what was learnt of a printer; True when its condition changed (ready, hung, unreachable, ...)."""
        now = clock.utcnow()
        state = s.get(PrinterState, name) or PrinterState(name=name)
        backend = self.printing.printers[name].backend
        before = condition(state, backend)
        if probe is not None:
            state.reachable, state.online, state.paper = probe.reachable, probe.online, probe.paper
            state.responding, state.checked_at = probe.responding, now
        if printed:
            state.last_printed_at = now
            state.last_error = ""
            state.failing_since = None
        elif error:
            state.last_failed_at = now
            state.last_error = error[:500]
            state.failing_since = state.failing_since or now
        elif probe is not None:
            state.last_error = probe.error[:500]
            state.failing_since = None if probe.ready else (state.failing_since or now)
        s.add(state)
        return condition(state, backend) != before

    def _probe(self, name: str) -> backends.Probe:
        """Ask a printer how it is (nothing printed) and record it when something changed or now and then."""
        lane = self.lanes.get(name)
        try:
            probe = self.transports[name].probe()
        except Exception as e:  # noqa: BLE001
            probe = backends.Probe(reachable=False, error=backends._err(e))
        now = clock.utcnow()
        seen = (probe.reachable, probe.online, probe.paper, probe.responding, probe.error)
        stale = (
            lane is None
            or lane.last_stored is None
            or seen != lane.stored
            or (now - lane.last_stored).total_seconds() >= STATE_REFRESH_SECONDS
        )
        if stale:
            with self.db.write() as s:
                changed = self._store(s, name, probe)
            if lane is not None:
                lane.last_stored, lane.stored = now, seen
            if changed:
                self._notify(self._own_office())
                log.info("printer %s: %s", name, "ready" if probe.ready else probe.error or "not ready")
        if lane is not None:
            lane.last_probe = now
        return probe

    def probe_all(self) -> None:
        """Ask every printer how it is (connection, status, paper) for the printers page."""
        for name in self.lanes:
            self._probe(name)

    def step(self, name: str) -> float | None:
        """One move of a printer's lane: while the printer fails, probe it when due; else send its oldest due job.
        Returns None after handling a job (go on at once), else the seconds to wait."""
        lane = self.lanes[name]
        now = clock.utcnow()
        if lane.failing:
            if lane.next_try is not None and now < lane.next_try:
                return (lane.next_try - now).total_seconds()
            if not self._probe(name).ready:
                lane.next_try = now + timedelta(seconds=self.retry_seconds)
                return self.retry_seconds
            lane.failing = False  # it answers again: drain its queue now, oldest first
        job = self.claim_next(name)
        if job is None:
            if self.probe_seconds and (
                lane.last_probe is None or (now - lane.last_probe).total_seconds() >= self.probe_seconds
            ):
                lane.failing = not self._probe(name).ready
                lane.next_try = now + timedelta(seconds=self.retry_seconds)
            return self.retry_seconds if lane.failing else self.poll_seconds
        status, printer_fault = self._process(job)
        if printer_fault:
            lane.failing = True
            lane.next_try = clock.utcnow() + timedelta(seconds=self.retry_seconds)
        return None

    def run_unrouted(self) -> int:
        """Handle due jobs of stations no printer's lane serves (no printer, or a 'none' one)."""
        handled = 0
        while (job := self.claim_next(unrouted=True)) is not None:
            self.process(job)
            handled += 1
        return handled

    def run_once(self) -> int:
        """Send what is due now on every printer, lane by lane; return how many jobs were handled (needs the lease)."""
        if not self.has_lease and not self.acquire_lease():
            return 0
        handled = 0
        for name in self.lanes:
            while self.step(name) is None:
                handled += 1
        return handled + self.run_unrouted()

    # ---- running -----------------------------------------------------------------------------------
    def _lane(self, name: str) -> None:
        """A printer's lane as a thread: step while the worker holds the lease."""
        while not self._lanes_stop.is_set():
            wait = self.poll_seconds
            if self.has_lease:
                try:
                    wait = self.step(name)
                except Exception:
                    log.exception("print lane %s failed", name)
                    wait = self.poll_seconds
            if wait is not None:
                self._lanes_stop.wait(min(wait, self.poll_seconds))

    def _start_lanes(self) -> None:
        if self._threads:
            return
        self._lanes_stop.clear()
        for name in self.lanes:
            t = threading.Thread(target=self._lane, args=(name,), name=f"print-lane-{name}", daemon=True)
            t.start()
            self._threads.append(t)

    def _stop_lanes(self, timeout: float = 15) -> None:
        self._lanes_stop.set()
        for t in self._threads:
            t.join(timeout)
        self._threads = []

    def run(self, stop: threading.Event) -> None:
        """Work until `stop` is set: renew the lease, run a lane per printer, handle jobs no printer serves."""
        renew_every = max(self.lease_seconds / 3, 0.05)
        last_renew = None
        try:
            while not stop.is_set():
                try:
                    now = clock.utcnow()
                    if last_renew is None or (now - last_renew).total_seconds() >= renew_every:
                        self.acquire_lease()
                        last_renew = now
                    if self.has_lease:
                        self._start_lanes()
                        self.run_unrouted()
                except Exception:
                    log.exception("print worker round failed")
                stop.wait(self.poll_seconds if self.has_lease else renew_every)
        finally:
            self._stop_lanes()
            try:
                self.release_lease()
            except Exception:
                log.exception("could not release the print worker lease")

    # ---- telling the screens -----------------------------------------------------------------------
    def _own_office(self) -> int | None:
        if self._office_id is None:
            from models import Office

            with self.db.read() as s:
                office = s.exec(select(Office).where(Office.code == self.settings.office.code)).first()
                self._office_id = office.id if office else None
        return self._office_id

    def _notify(self, office_id: int | None) -> None:
        if self.notify is None or office_id is None:
            return
        try:
            self.notify(office_id)
        except Exception:
            log.exception("could not tell the screens of office %s about the printers", office_id)


def _probe_of(e: backends.PrintFailure) -> backends.Probe:
    """What a failure says of the printer when the backend did not say it itself."""
    if isinstance(e, backends.PaperOut):
        return backends.Probe(reachable=True, paper="out", error=str(e))
    if isinstance(e, backends.NotResponding):
        return backends.Probe(reachable=True, responding=False, error=str(e))
    return backends.Probe(reachable=False, error=str(e))


# Lease holders alive in this process (so the lease of a worker object that vanished here is taken over at once).
_RUNNING: set[str] = set()


class BackgroundWorker:
    """The print worker as a daemon thread of the web server process (the single-process default)."""

    def __init__(self, worker: PrintWorker):
        self.worker = worker
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=worker.run, args=(self.stop_event,), name="print-worker", daemon=True)

    def start(self) -> BackgroundWorker:
        self.thread.start()
        return self

    def stop(self, timeout: float = 20) -> None:
        self.stop_event.set()
        self.thread.join(timeout)


def screens_notifier(app) -> Callable[[int], None]:
    """notify(office_id) for a worker of this app: the staff room gets an event and a fresh snapshot, so the
    supervisor's view asks for its printers again (through the message queue from another process)."""

    def notify(office_id: int) -> None:
        from realtime import publish

        with app.app_context():
            publish(office_id, event="printers_changed", data={}, staff_only=True)

    return notify


def worker_for_app(app, **kwargs) -> PrintWorker:
    """A print worker on the app's database, settings and printers, telling the app's screens of changes."""
    kwargs.setdefault("notify", screens_notifier(app))
    return PrintWorker(
        app.extensions["loket.db"], app.extensions["loket.settings"], app.extensions["loket.printing"], **kwargs
    )


def start_in_process(app, **kwargs) -> BackgroundWorker | None:
    """Start the worker thread unless the app says not to (PRINT_WORKER = False; tests never start it)."""
    if os.environ.get("LOKET_PRINT_WORKER", "1").lower() in ("0", "false", "no"):
        return None
    if not app.config.get("PRINT_WORKER", not app.testing):
        return None
    bg = BackgroundWorker(worker_for_app(app, **kwargs)).start()
    app.extensions["loket.print_worker"] = bg
    return bg
