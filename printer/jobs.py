"""The durable print queue: a job is a row written in the same transaction as what it prints.

The print worker (printer/worker.py) sends jobs; the functions here are the queue's rules: queue a piece
of paper, reprint, retry now, and an officer's decision on a job that may or may not be on paper (cut off
mid-send, or sent without the printer confirming it). Each records a PrintJobEvent (who, when, what). They
run inside the caller's write transaction.

Stations: a job names the station that asked (``kiosk-1``, ``counter-2``, ``treasurer``); the worker looks
up the station's printer when it sends, so fixing config.toml also fixes jobs that are waiting. A test page
names its printer directly as the station ``printer:<name>``.
"""

from __future__ import annotations

import json

from flask import current_app, has_request_context
from sqlmodel import Session, select

from clock import utcnow
from models import PrintJob, PrintJobEvent, PrintJobStatus, Ticket
from printer.documents import invoice as _check_invoice
from printer.documents import jsonable
from printer.documents import receipt as _check_receipt
from rules.errors import N_, NotFound, RuleError

PRINTER_STATION = "printer:"
OPEN_STATUSES = (PrintJobStatus.queued, PrintJobStatus.sending, PrintJobStatus.failed)
# Jobs that may or may not be on paper: only a person can say (print again, it came out, or cancel).
UNDECIDED = (PrintJobStatus.needs_decision, PrintJobStatus.unconfirmed)
ATTENTION_STATUSES = (PrintJobStatus.failed, *UNDECIDED)


def record(session: Session, job: PrintJob, kind: str, *, user_id: int | None = None, detail: str = "") -> None:
    session.add(
        PrintJobEvent(
            office_id=job.office_id, job_id=job.id, kind=kind, at=utcnow(), user_id=user_id, detail=detail[:500]
        )
    )


def enqueue(
    session: Session,
    *,
    office_id: int,
    station: str,
    kind: str,
    ref_id: int | None,
    payload: dict,
    requested_by: int | None = None,
) -> PrintJob:
    """Queue a piece of paper for a station's printer; the print worker sends it."""
    job = PrintJob(
        office_id=office_id,
        station=station,
        kind=kind,
        ref_id=ref_id,
        payload=json.dumps(payload, sort_keys=True, default=str),
        requested_by=requested_by,
        next_attempt_at=utcnow(),
    )
    session.add(job)
    session.flush()
    record(session, job, "queued", user_id=requested_by, detail=station)
    return job


def enqueue_ticket(session: Session, ticket: Ticket, *, station: str) -> PrintJob:
    """Queue the ticket slip; what goes on it is rendered from the ticket row when printed. Asked from a
    request, the QR link is fixed now, so the slip carries the address the kiosk itself used."""
    payload = {"ticket_id": ticket.id}
    if has_request_context():
        from links import ticket_status_url

        payload["status_url"] = ticket_status_url(current_app.extensions["loket.settings"], ticket.status_token)
    return enqueue(
        session, office_id=ticket.office_id, station=station, kind="ticket", ref_id=ticket.id, payload=payload
    )


def enqueue_invoice(
    session: Session,
    *,
    office_id: int,
    station: str,
    invoice: dict,
    invoice_id: int | None = None,
    requested_by: int | None = None,
) -> PrintJob:
    """Queue an invoice slip. `invoice` is the dict documented in printer/documents.py (checked now)."""
    _check_invoice(invoice)
    return enqueue(
        session,
        office_id=office_id,
        station=station,
        kind="invoice",
        ref_id=invoice_id,
        payload=jsonable(invoice),
        requested_by=requested_by,
    )


def enqueue_receipt(
    session: Session,
    *,
    office_id: int,
    station: str,
    receipt: dict,
    receipt_id: int | None = None,
    requested_by: int | None = None,
) -> PrintJob:
    """Queue a receipt (kuitansi) slip. `receipt` is the dict documented in printer/documents.py."""
    _check_receipt(receipt)
    return enqueue(
        session,
        office_id=office_id,
        station=station,
        kind="receipt",
        ref_id=receipt_id,
        payload=jsonable(receipt),
        requested_by=requested_by,
    )


def enqueue_test_page(session: Session, *, office_id: int, printer: str, requested_by: int | None = None) -> PrintJob:
    """Queue a test page straight to a printer (not through a station)."""
    return enqueue(
        session,
        office_id=office_id,
        station=PRINTER_STATION + printer,
        kind="test_page",
        ref_id=None,
        payload={"printer": printer},
        requested_by=requested_by,
    )


def get_job(session: Session, job_id: int, office_id: int | None = None) -> PrintJob:
    job = session.get(PrintJob, job_id)
    if job is None or (office_id is not None and job.office_id != office_id):
        raise NotFound("print_job_not_found", N_("This print job does not exist."))
    return job


def _requeue(session: Session, job: PrintJob, kind: str, user_id: int | None, detail: str = "") -> PrintJob:
    job.status = PrintJobStatus.queued
    job.next_attempt_at = utcnow()
    job.sending_at = None
    session.add(job)
    record(session, job, kind, user_id=user_id, detail=detail)
    return job


def reprint(session: Session, *, job_id: int, user_id: int | None, office_id: int | None = None) -> PrintJob:
    """Print a job again. A job not yet printed is sent now; a printed or cancelled one gets a new job (a copy),
    so the trail shows both. A job that may be on paper (interrupted, unconfirmed) is decided: print it again."""
    job = get_job(session, job_id, office_id)
    if job.status in (PrintJobStatus.queued, PrintJobStatus.failed):
        return _requeue(session, job, "retry_now", user_id)
    if job.status == PrintJobStatus.sending:
        raise RuleError("print_job_sending", N_("This job is being sent to the printer right now."))
    if job.status in UNDECIDED:
        return decide(session, job_id=job_id, action="reprint", user_id=user_id, office_id=office_id)
    if job.kind in ("invoice", "receipt") and json.loads(job.payload or "{}") == {}:
        # Its contents named the buyer and were removed ([privacy] print_payload_days, or an erasure).
        raise RuleError(
            "print_job_purged",
            N_("This slip's contents were removed under the retention rules; print the paper again from its request."),
        )
    copy = enqueue(
        session,
        office_id=job.office_id,
        station=job.station,
        kind=job.kind,
        ref_id=job.ref_id,
        payload=json.loads(job.payload),
        requested_by=user_id,
    )
    record(session, job, "reprinted", user_id=user_id, detail=f"as job {copy.id}")
    return copy


DECISIONS = ("reprint", "printed", "cancel")


def decide(
    session: Session, *, job_id: int, action: str, user_id: int | None, office_id: int | None = None
) -> PrintJob:
    """An officer's decision on a job that may or may not be on paper (interrupted mid-send, or sent but not
    confirmed by the printer): print it again, count it as printed (the slip came out), or cancel it."""
    if action not in DECISIONS:
        raise RuleError("bad_decision", N_("Unknown decision %(action)s."), status=400, action=action)
    job = get_job(session, job_id, office_id)
    if job.status not in (*UNDECIDED, PrintJobStatus.failed, PrintJobStatus.queued):
        raise RuleError("print_job_decided", N_("This print job no longer waits for a decision."))
    if action == "reprint":
        return _requeue(session, job, "decided", user_id, detail="reprint")
    job.status = PrintJobStatus.printed if action == "printed" else PrintJobStatus.cancelled
    if action == "printed":
        job.printed_at = utcnow()
    session.add(job)
    record(session, job, "decided", user_id=user_id, detail=action)
    return job


def retry_ticket_from_kiosk(session: Session, *, job_id: int, token: str) -> PrintJob:
    """The kiosk's reprint button: only for the visitor's own ticket (its status token), only while the
    slip has not come out, and only while the ticket still waits."""
    job = session.get(PrintJob, job_id)
    ticket = session.get(Ticket, job.ref_id) if job is not None and job.kind == "ticket" and job.ref_id else None
    if ticket is None or not token or ticket.status_token != token:
        raise NotFound("print_job_not_found", N_("This print job does not exist."))
    if ticket.status != "waiting":
        raise RuleError("ticket_not_waiting", N_("This ticket has already been called; no reprint is needed."))
    if job.status == PrintJobStatus.printed:
        raise RuleError("already_printed", N_("The ticket has been printed. Ask an officer for another copy."))
    if job.status == PrintJobStatus.sending:
        raise RuleError("print_job_sending", N_("This job is being sent to the printer right now."))
    if job.status == PrintJobStatus.cancelled:
        raise RuleError("no_printer", N_("There is no printer here. Please note your number or scan the QR code."))
    return _requeue(session, job, "retry_now", None, detail="kiosk")


def attention(session: Session, office_id: int, limit: int = 100) -> list[PrintJob]:
    """Jobs an officer should look at: failing ones, and ones that may or may not be on paper."""
    return list(
        session.exec(
            select(PrintJob)
            .where(PrintJob.office_id == office_id, PrintJob.status.in_(ATTENTION_STATUSES))
            .order_by(PrintJob.created_at.desc())
            .limit(limit)
        )
    )


def recent(session: Session, office_id: int, limit: int = 30) -> list[PrintJob]:
    return list(
        session.exec(select(PrintJob).where(PrintJob.office_id == office_id).order_by(PrintJob.id.desc()).limit(limit))
    )
