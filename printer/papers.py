"""The invoice and receipt as papers: their documents (for the thermal slip and the A4 PDF), where a staff
member's paper is printed, and queuing their slips. Screens call these; they never build a paper themselves."""

from __future__ import annotations

from flask import Response, current_app
from sqlmodel import Session, select

from extensions import get_settings
from i18n import select_locale, translate
from links import verify_url
from models import Counter, CounterStatus, Invoice, Receipt
from printer import jobs
from printer.config import TREASURER_STATION, counter_station
from rules import invoices as inv_rules
from rules.errors import N_, NotFound


def station_for(session: Session, user, asked: str = "") -> str:
    """Where a staff member's paper goes: the station asked for (one config.toml knows: a job for a made-up
    station would wait forever), else the treasurer's for the treasurer, else the counter this officer holds,
    else the treasurer's."""
    if asked:
        known = current_app.extensions["loket.printing"].stations
        if asked not in known:
            raise NotFound(
                "unknown_station",
                N_("Unknown station %(station)s; config.toml's [stations] has: %(known)s."),
                station=asked[:64],
                known=", ".join(sorted(known)) or "-",
            )
        return asked
    if user.role == "treasurer":
        return TREASURER_STATION
    counter = session.exec(
        select(Counter).where(Counter.officer_id == user.id, Counter.status != CounterStatus.closed)
    ).first()
    return counter_station(counter.number) if counter else TREASURER_STATION


def invoice_document(session: Session, inv: Invoice, lang: str | None = None) -> dict:
    """The invoice as printer/documents.py describes it, in a screen language (default: this screen's)."""
    return inv_rules.invoice_document(
        session,
        inv,
        verify_url=verify_url(get_settings(), inv.verify_token),
        translate=translate,
        lang=lang or select_locale(),
    )


def receipt_document(session: Session, rec: Receipt, lang: str | None = None) -> dict:
    """The receipt (kuitansi) as printer/documents.py describes it."""
    return inv_rules.receipt_document(
        session,
        rec,
        verify_url=verify_url(get_settings(), rec.verify_token),
        translate=translate,
        lang=lang or select_locale(),
    )


def queue_invoice(session: Session, inv: Invoice, *, station: str, user_id: int | None) -> int:
    """Queue the invoice slip (in the office's language) in the caller's transaction; returns the job's id."""
    lang = get_settings().app.default_language
    job = jobs.enqueue_invoice(
        session,
        office_id=inv.office_id,
        station=station,
        invoice=invoice_document(session, inv, lang),
        invoice_id=inv.id,
        requested_by=user_id,
    )
    return job.id


def queue_receipt(session: Session, rec: Receipt, *, station: str, user_id: int | None) -> int:
    """Queue the receipt slip in the caller's transaction; returns the job's id."""
    lang = get_settings().app.default_language
    job = jobs.enqueue_receipt(
        session,
        office_id=rec.office_id,
        station=station,
        receipt=receipt_document(session, rec, lang),
        receipt_id=rec.id,
        requested_by=user_id,
    )
    return job.id


def pdf_response(data: bytes, number: str) -> Response:
    """A PDF answer named after the document's number; never kept by a browser or proxy (it names a person)."""
    resp = Response(data, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="{number.replace("/", "-")}.pdf"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def invoice_pdf(session: Session, inv: Invoice) -> Response:
    """The invoice as an A4 PDF answer, in this screen's language."""
    from printer.pdf import invoice_pdf as render

    return pdf_response(render(invoice_document(session, inv), lang=select_locale()), inv.number)


def receipt_pdf(session: Session, rec: Receipt) -> Response:
    """The receipt as an A4 PDF answer, in this screen's language."""
    from printer.pdf import receipt_pdf as render

    return pdf_response(render(receipt_document(session, rec), lang=select_locale()), rec.number)


def agreement_pdf(session: Session, req, kind: str) -> Response:
    """The SPPD or the data-sample handover of a request as an A4 PDF answer, in this screen's language."""
    from printer.agreements import render
    from rules import agreements

    lang = select_locale()
    doc = agreements.document(session, req, kind, translate=translate, lang=lang)
    return pdf_response(render(doc, lang=lang), f"{'SPPD' if kind == 'sppd' else 'SAMPLE'}-{req.number}")
