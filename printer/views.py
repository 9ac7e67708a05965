"""The printers page (/printers/), the test-page, reprint and decide actions, and the print-job API."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from spectree import Response

from api.schemas import ERRORS, STAFF_ERRORS, Error
from auth.roles import roles_required
from clock import iso
from extensions import api_spec, get_db
from models import PrinterState, PrintJob, PrintJobStatus
from printer import jobs
from printer import schemas as S
from printer.status import printer_states
from rules.errors import N_, RuleError
from rules.roles import STAFF_ROLES, SUPERVISOR_ROLES

bp = Blueprint("printer", __name__, template_folder="templates")
KIND_LABELS = {
    "ticket": N_("Queue ticket"),
    "invoice": N_("Invoice"),
    "receipt": N_("Receipt"),
    "test_page": N_("Test page"),
}
# Job states as the printers page names them.
STATUS_LABELS = (
    N_("queued"),
    N_("sending"),
    N_("printed"),
    N_("failed"),
    N_("needs_decision"),
    N_("unconfirmed"),
    N_("cancelled"),
)


def printer_down(session, job: PrintJob) -> bool:
    """Whether the printer this job waits for is failing now (off, hung, out of paper): then it is not
    'printing', it waits for the printer."""
    from flask import current_app

    printing = current_app.extensions["loket.printing"]
    if job.station.startswith(jobs.PRINTER_STATION):
        name = job.station[len(jobs.PRINTER_STATION) :]
    else:
        target = printing.printer_for(job.station)
        name = target[0] if target else None
    state = session.get(PrinterState, name) if name else None
    return state is not None and state.failing_since is not None


def public_job(job: PrintJob, *, waiting_for_printer: bool = False) -> dict:
    """A job's state as the kiosk (or anyone) may see it, with the sentence its screen shows. It never says
    'printed' unless the printer confirmed it (or an officer saw it come out)."""
    no_printer = job.status == PrintJobStatus.cancelled and "has no printer" in job.last_error
    ticket = job.kind == "ticket"
    printing = _("Printing your ticket…") if ticket else _("Printing…")
    if waiting_for_printer and job.status in (PrintJobStatus.queued, PrintJobStatus.failed):
        printing = (
            _("The printer is not ready. Your ticket will be printed as soon as it is back.")
            if ticket
            else _("The printer is not ready. This will be printed as soon as it is back.")
        )
    message = {
        PrintJobStatus.queued: printing if job.attempts == 0 else _("Printing failed — retrying."),
        PrintJobStatus.sending: printing,
        PrintJobStatus.printed: _("Your ticket has been printed. Please take it.") if ticket else _("Printed."),
        PrintJobStatus.failed: _("Printing failed — retrying."),
        PrintJobStatus.needs_decision: _("Printing was interrupted. An officer will check the printer."),
        PrintJobStatus.unconfirmed: (
            _("The printer did not confirm your ticket. If it did not come out, press Print again.")
            if ticket
            else _("The printer did not confirm this slip. An officer will check whether it came out.")
        ),
        PrintJobStatus.cancelled: (
            _("There is no printer here. Please note your number or scan the QR code.")
            if ticket
            else _("There is no printer at this station.")
        )
        if no_printer
        else _("This will not be printed."),
    }.get(job.status, "")
    can_retry = (
        job.kind == "ticket"
        and job.status in (PrintJobStatus.failed, *jobs.UNDECIDED)
        or (job.kind == "ticket" and job.status == PrintJobStatus.queued and job.attempts > 0)
    )
    retrying = job.status == PrintJobStatus.failed or (
        job.status == PrintJobStatus.queued and (job.attempts > 0 or waiting_for_printer)
    )
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "attempts": job.attempts,
        "retrying": retrying,
        "message": message,
        "can_retry": can_retry,
        "action_label": _("Print again") if can_retry else "",
    }


def staff_job(job: PrintJob) -> dict:
    return {
        "id": job.id,
        "kind": job.kind,
        "station": job.station,
        "status": job.status,
        "attempts": job.attempts,
        "last_error": job.last_error,
        "created_at": iso(job.created_at),
        "printed_at": iso(job.printed_at),
        "next_attempt_at": iso(job.next_attempt_at),
    }


# ---- public: the kiosk ---------------------------------------------------------------------------


@bp.get("/api/print-jobs/<int:job_id>")
@api_spec.validate(resp=Response(HTTP_200=S.PrintJobPublic, HTTP_404=Error), tags=["printing"])
def job_state(job_id: int):
    """A print job's state (public, for the screen that asked: the kiosk shows 'printing failed — retrying')."""
    with get_db().read() as s:
        job = s.get(PrintJob, job_id)
        if job is None:
            return jsonify(error="print_job_not_found", message=_("This print job does not exist.")), 404
        return jsonify(public_job(job, waiting_for_printer=printer_down(s, job)))


@bp.post("/api/print-jobs/<int:job_id>/retry")
@api_spec.validate(json=S.KioskRetry, resp=Response(HTTP_200=S.PrintJobPublic, **ERRORS), tags=["printing"])
def kiosk_retry(job_id: int):
    """The kiosk's reprint button: try the visitor's own ticket slip again now (the ticket's token proves it)."""
    with get_db().write() as s:
        job = jobs.retry_ticket_from_kiosk(s, job_id=job_id, token=request.context.json.token)
        out = public_job(job, waiting_for_printer=printer_down(s, job))
    return jsonify(out)


# ---- staff ---------------------------------------------------------------------------------------


@bp.get("/api/printers")
@roles_required(*STAFF_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.PrinterList, **STAFF_ERRORS), tags=["printing"])
def api_printers():
    """Every configured printer's state (reachable, paper, last error, queue) for the office."""
    with get_db().read() as s:
        return jsonify(printers=printer_states(s, current_user.office_id))


@bp.get("/api/print-jobs")
@roles_required(*STAFF_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.JobList, **STAFF_ERRORS), tags=["printing"])
def api_jobs():
    """Print jobs that need someone: failing, interrupted mid-send, or sent without the printer confirming."""
    with get_db().read() as s:
        return jsonify(jobs=[staff_job(j) for j in jobs.attention(s, current_user.office_id)])


@bp.post("/api/printers/<name>/test-page")
@roles_required(*SUPERVISOR_ROLES)
@api_spec.validate(resp=Response(HTTP_201=S.StaffJob, **STAFF_ERRORS), tags=["printing"])
def api_test_page(name: str):
    """Queue a test page on a configured printer."""
    job = _queue_test_page(name)
    return jsonify(staff_job(job)), 201


@bp.post("/api/print-jobs/<int:job_id>/reprint")
@roles_required(*STAFF_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.StaffJob, **STAFF_ERRORS), tags=["printing"])
def api_reprint(job_id: int):
    """Print a job again (a printed one gets a new job; a failing one is tried now)."""
    with get_db().write() as s:
        job = jobs.reprint(s, job_id=job_id, user_id=current_user.id, office_id=current_user.office_id)
        return jsonify(staff_job(job))


@bp.post("/api/print-jobs/<int:job_id>/decide")
@roles_required(*STAFF_ROLES)
@api_spec.validate(json=S.Decision, resp=Response(HTTP_200=S.StaffJob, **STAFF_ERRORS), tags=["printing"])
def api_decide(job_id: int):
    """Decide on a job that may or may not be on paper (interrupted, unconfirmed): print again, it came out
    (count as printed), or cancel."""
    with get_db().write() as s:
        job = jobs.decide(
            s,
            job_id=job_id,
            action=request.context.json.action,
            user_id=current_user.id,
            office_id=current_user.office_id,
        )
        return jsonify(staff_job(job))


def _queue_test_page(name: str) -> PrintJob:
    from flask import current_app

    if name not in current_app.extensions["loket.printing"].printers:
        raise RuleError("printer_not_found", N_("This printer is not configured."), status=404)
    with get_db().write() as s:
        return jobs.enqueue_test_page(s, office_id=current_user.office_id, printer=name, requested_by=current_user.id)


# ---- the page ------------------------------------------------------------------------------------


@bp.get("/printers/")
@roles_required(*SUPERVISOR_ROLES)
def printers_page():
    with get_db().read() as s:
        states = printer_states(s, current_user.office_id)
        for p in states:  # when the outage began, in the office's time (Babel's default zone)
            since = p["failing_since"]
            p["failing_since_text"] = format_datetime(datetime.fromisoformat(since), "HH:mm:ss") if since else ""
        attention = [staff_job(j) for j in jobs.attention(s, current_user.office_id)]
        recent = [staff_job(j) for j in jobs.recent(s, current_user.office_id, limit=20)]
    return render_template(
        "printer/printers.html", printers=states, attention=attention, recent=recent, kind_labels=KIND_LABELS
    )


@bp.post("/printers/<name>/test-page")
@roles_required(*SUPERVISOR_ROLES)
def test_page_form(name: str):
    job = _queue_test_page(name)
    flash(_("Test page queued for %(printer)s (job %(id)s).", printer=name, id=job.id))
    return redirect(url_for("printer.printers_page"))


@bp.post("/printers/jobs/<int:job_id>/<action>")
@roles_required(*SUPERVISOR_ROLES)
def job_action_form(job_id: int, action: str):
    try:
        with get_db().write() as s:
            if action == "reprint":
                job = jobs.reprint(s, job_id=job_id, user_id=current_user.id, office_id=current_user.office_id)
            else:
                job = jobs.decide(
                    s, job_id=job_id, action=action, user_id=current_user.id, office_id=current_user.office_id
                )
        flash(_("Print job %(id)s: %(status)s.", id=job.id, status=_(job.status)))
    except RuleError as e:
        flash(_(e.message, **e.params), "error")
    return redirect(url_for("printer.printers_page"))
