"""The print worker: claims due print jobs one at a time, renders and sends them, and records the outcome.

Guarantees:
  * A job is claimed with a compare-and-set UPDATE (queued/failed -> sending) committed *before* any byte
    is sent, so two workers never send the same job.
  * Only one worker sends at a time: it holds the lease row (printworkerlease) and renews it. Another
    worker (the in-process thread of a second server process, or `manage.py print-worker`) waits and
    takes over when the lease goes stale or its holder's process is gone.
  * A job found in 'sending' when a worker takes the lease was interrupted mid-send: it may or may not be on
    paper, so it becomes 'needs_decision' for an officer; it is never printed again on its own.
  * A printer that is off, unplugged or out of paper fails nothing else: the job goes to 'failed' and is
    retried with exponential backoff; the ticket or invoice it prints was committed long before.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

import clock
from db import Database
from models import PrinterState, PrintJob, PrintJobStatus, PrintWorkerLease, Ticket
from printer import backends, documents, slips
from printer.config import PrintingConfig
from printer.jobs import PRINTER_STATION, record
from settings import Settings

log = logging.getLogger("loket.print")


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """Wait before the next try: base, 2*base, 4*base ... up to cap seconds."""
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


class PrintWorker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        printing: PrintingConfig,
        *,
        poll_seconds: float = 1.0,
        backoff_base: float = 5.0,
        backoff_cap: float = 300.0,
        lease_seconds: float = 30.0,
        probe_seconds: float = 60.0,
        holder: str | None = None,
    ):
        self.db, self.settings, self.printing = db, settings, printing
        self.poll_seconds, self.backoff_base, self.backoff_cap = poll_seconds, backoff_base, backoff_cap
        self.lease_seconds, self.probe_seconds = lease_seconds, probe_seconds
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.has_lease = False
        self._last_probe = None
        self.transports = {name: backends.transport_for(name, cfg) for name, cfg in printing.printers.items()}

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
    def claim_next(self) -> PrintJob | None:
        """Take the oldest due job (queued or failed, next_attempt_at passed) with a compare-and-set."""
        now = clock.utcnow()
        with self.db.write() as s:
            candidates = s.exec(
                select(PrintJob.id)
                .where(
                    PrintJob.status.in_((PrintJobStatus.queued, PrintJobStatus.failed)), PrintJob.next_attempt_at <= now
                )
                .order_by(PrintJob.next_attempt_at, PrintJob.id)
                .limit(5)
            ).all()
            for job_id in candidates:
                result = s.execute(
                    update(PrintJob)
                    .where(PrintJob.id == job_id, PrintJob.status.in_((PrintJobStatus.queued, PrintJobStatus.failed)))
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
        """Render and send one claimed job; record printed / failed (retry later) / needs_decision."""
        target = self._target(job)
        printer_name = target[0] if target else None
        try:
            if target is None:
                raise backends.NotDelivered(f"no printer is configured for station {job.station!r}")
            name, cfg = target
            if cfg.backend == "none":
                raise Skip(f"station {job.station} has no printer")
            data = self.render(job, name, cfg)
            probe = self.transports[name].send(data, job_name=f"{job.id:06d}-{job.kind}")
        except Skip as e:
            return self._finish(job, PrintJobStatus.cancelled, str(e), printer_name, None)
        except backends.MaybeDelivered as e:
            return self._finish(
                job, PrintJobStatus.needs_decision, str(e), printer_name, backends.Probe(reachable=False, error=str(e))
            )
        except backends.NotDelivered as e:
            paper = "out" if isinstance(e, backends.PaperOut) else ""
            reachable = True if isinstance(e, backends.PaperOut) else False
            return self._finish(
                job,
                PrintJobStatus.failed,
                str(e),
                printer_name,
                backends.Probe(reachable=reachable, paper=paper, error=str(e)),
            )
        except Exception as e:
            log.exception("print job %s could not be rendered", job.id)
            return self._finish(job, PrintJobStatus.failed, f"cannot render: {backends._err(e)}", None, None)
        return self._finish(job, PrintJobStatus.printed, "", printer_name, probe)

    def _finish(
        self, job: PrintJob, status: str, error: str, printer_name: str | None, probe: backends.Probe | None
    ) -> str:
        now = clock.utcnow()
        with self.db.write() as s:
            row = s.get(PrintJob, job.id)
            if row.status != PrintJobStatus.sending:  # someone decided meanwhile; theirs stands
                return row.status
            row.status = status
            row.last_error = error[:500]
            if status == PrintJobStatus.printed:
                row.printed_at = now
            elif status == PrintJobStatus.failed:
                row.next_attempt_at = now + backoff(row.attempts, self.backoff_base, self.backoff_cap)
            s.add(row)
            record(
                s,
                row,
                {
                    "printed": "printed",
                    "failed": "failed",
                    "cancelled": "cancelled",
                    "needs_decision": "needs_decision",
                }[status],
                detail=error or (printer_name or ""),
            )
            if printer_name and status != PrintJobStatus.cancelled:
                self._store_probe(s, printer_name, probe, printed=status == PrintJobStatus.printed, error=error)
        if status == PrintJobStatus.failed:
            log.warning(
                "print job %s (%s at %s) failed, attempt %s: %s", job.id, job.kind, job.station, job.attempts, error
            )
        return status

    def _store_probe(
        self, s, name: str, probe: backends.Probe | None, *, printed: bool = False, error: str = ""
    ) -> None:
        now = clock.utcnow()
        state = s.get(PrinterState, name) or PrinterState(name=name)
        if probe is not None:
            state.reachable, state.online, state.paper, state.checked_at = (
                probe.reachable,
                probe.online,
                probe.paper,
                now,
            )
        if printed:
            state.last_printed_at = now
            state.last_error = ""
        elif error:
            state.last_failed_at = now
            state.last_error = error[:500]
        elif probe is not None:
            state.last_error = probe.error[:500]
        s.add(state)

    def probe_all(self) -> None:
        """Ask every printer how it is (connection, paper) for the supervisor's page."""
        for name, transport in self.transports.items():
            if transport.cfg.backend == "none":
                continue
            try:
                probe = transport.probe()
            except Exception as e:  # noqa: BLE001
                probe = backends.Probe(reachable=False, error=backends._err(e))
            with self.db.write() as s:
                self._store_probe(s, name, probe)
        self._last_probe = clock.utcnow()

    def run_once(self) -> int:
        """Send every job that is due now; return how many were handled (needs the lease)."""
        if not self.has_lease and not self.acquire_lease():
            return 0
        handled = 0
        while True:
            job = self.claim_next()
            if job is None:
                return handled
            self.process(job)
            handled += 1

    def run(self, stop: threading.Event) -> None:
        """Work until `stop` is set: renew the lease, send due jobs, probe printers now and then."""
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
                        self.run_once()
                        if self.probe_seconds and (
                            self._last_probe is None or (now - self._last_probe).total_seconds() >= self.probe_seconds
                        ):
                            self.probe_all()
                except Exception:
                    log.exception("print worker round failed")
                stop.wait(self.poll_seconds if self.has_lease else renew_every)
        finally:
            try:
                self.release_lease()
            except Exception:
                log.exception("could not release the print worker lease")


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

    def stop(self, timeout: float = 10) -> None:
        self.stop_event.set()
        self.thread.join(timeout)


def worker_for_app(app, **kwargs) -> PrintWorker:
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
