"""Queuing e-mails: each written in the caller's transaction (so a change and the message it sends commit or
roll back together), rendered at once in the visitor's language, with its PDFs attached.

`for_new_steps(session, req, after_event_id)` is the one entry the screens call after a request's step: it reads
the events the step recorded and queues the messages they call for. Only requests made outside the counter get
e-mail (a walk-in visitor has the papers in hand and the phone page; see docs/ONLINE.md).
"""

from __future__ import annotations

import json
import uuid

from flask import render_template
from flask_babel import force_locale
from sqlmodel import Session, select

from clock import utcnow
from extensions import get_settings
from links import base_url, request_links
from models import Invoice, MailAttachment, MailMessage, Office, ProductRequest, Receipt, RequestEvent, Visitor
from rules.errors import N_

SUBJECTS = {
    "confirm_link": N_("Confirm your e-mail address for request %(number)s"),
    "request_link": N_("Your request %(number)s has been recorded"),
    "invoice": N_("Invoice %(invoice)s for request %(number)s"),
    "sample": N_("Data sample and data use agreement (SPPD) for request %(number)s"),
    "receipt": N_("Receipt %(receipt)s for request %(number)s"),
    "delivery": N_("Your products for request %(number)s are ready to download"),
    "correction": N_("The result of your correction for request %(number)s"),
    "rating": N_("How did we do? Rate our service for request %(number)s"),
}
# Which step sends which messages.
STEP_MAIL = {
    "submit_online": ("confirm_link",),
    "enter_request": ("request_link",),
    "issue_invoice": ("invoice",),
    "replace_invoice": ("invoice",),
    "hand_over_sample": ("sample",),
    "issue_receipt": ("receipt",),
    "deliver": ("delivery", "rating"),
    "resolve_correction": ("correction",),
}


def visitor_page_url(req: ProductRequest) -> str:
    """The visitor's own page of a request without a ticket; the link e-mailed to them (it proves the address)."""
    return f"{base_url(get_settings())}/o/{req.visitor_token}"


def enqueue(
    session: Session,
    req: ProductRequest,
    kind: str,
    *,
    context: dict | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> MailMessage:
    """Render and queue one message to the request's visitor, in their language, in the caller's transaction."""
    visitor = session.get(Visitor, req.visitor_id)
    office = session.get(Office, req.office_id)
    ctx = {
        "req": req,
        "visitor": visitor,
        "office": office,
        "page_url": visitor_page_url(req),
        "rating_url": request_links(get_settings(), req)["rating"],
        "complaints": get_settings().office.complaints,
        **(context or {}),
    }
    with force_locale(req.language):
        from flask_babel import gettext

        subject = gettext(SUBJECTS[kind], number=req.number, **{k: v for k, v in ctx.items() if isinstance(v, str)})
        body = render_template(f"mail/{kind}.txt", **ctx)
    domain = get_settings().mail.from_addr.partition("@")[2] or "loket.local"
    msg = MailMessage(
        office_id=req.office_id,
        request_id=req.id,
        kind=kind,
        to_addr=visitor.email,
        subject=subject[:300],
        body=body,
        language=req.language,
        message_id=f"<{req.number.replace('/', '.')}.{kind}.{uuid.uuid4().hex[:12]}@{domain}>",
        created_at=utcnow(),
        next_attempt_at=utcnow(),
    )
    session.add(msg)
    session.flush()
    for filename, content_type, data in attachments:
        session.add(MailAttachment(message_id=msg.id, filename=filename, content_type=content_type, data=data))
    session.flush()
    return msg


def last_event_id(session: Session, req: ProductRequest) -> int:
    """The newest event of the request (read before a step, to find the events the step adds)."""
    ev = session.exec(
        select(RequestEvent.id).where(RequestEvent.request_id == req.id).order_by(RequestEvent.id.desc()).limit(1)
    ).first()
    return ev or 0


def for_new_steps(session: Session, req: ProductRequest, after_event_id: int) -> list[MailMessage]:
    """Queue the messages the request's steps recorded after `after_event_id` call for."""
    if req.channel == "counter":
        return []
    events = session.exec(
        select(RequestEvent)
        .where(RequestEvent.request_id == req.id, RequestEvent.id > after_event_id)
        .order_by(RequestEvent.id)
    ).all()
    out = []
    for ev in events:
        for kind in STEP_MAIL.get(ev.kind, ()):
            out.append(_for_step(session, req, kind, json.loads(ev.detail) if ev.detail else {}))
    return out


def _pdf_name(number: str) -> str:
    return number.replace("/", "-") + ".pdf"


def _agreement(session: Session, req: ProductRequest, kind: str) -> tuple[str, str, bytes]:
    """The SPPD (to sign on a meterai and send back) or the data-sample handover, in the visitor's language."""
    from i18n import translate
    from printer.agreements import render
    from rules import agreements

    doc = agreements.document(session, req, kind, translate=translate, lang=req.language)
    prefix = "SPPD" if kind == "sppd" else "SAMPLE"
    return (_pdf_name(f"{prefix}-{req.number}"), "application/pdf", render(doc, lang=req.language))


def _for_step(session: Session, req: ProductRequest, kind: str, detail: dict) -> MailMessage:
    from printer import papers
    from printer.pdf import invoice_pdf, receipt_pdf

    context, attachments = {"detail": detail}, []
    with force_locale(req.language):
        if kind == "invoice":
            inv = session.exec(
                select(Invoice).where(Invoice.office_id == req.office_id, Invoice.number == detail["invoice"])
            ).one()
            doc = papers.invoice_document(session, inv, req.language)
            attachments.append((_pdf_name(inv.number), "application/pdf", invoice_pdf(doc, lang=req.language)))
            context.update(
                invoice=inv.number, billing_code=inv.billing_code, total=inv.total, last_day=doc["last_valid_day"]
            )
            context["needs_sppd"] = req.sppd_prepared_at is not None
            if context["needs_sppd"]:
                attachments.append(_agreement(session, req, "sppd"))
        elif kind == "sample":
            attachments.append(_agreement(session, req, "sample"))
        elif kind == "receipt":
            rec = session.exec(
                select(Receipt).where(Receipt.office_id == req.office_id, Receipt.number == detail["receipt"])
            ).one()
            doc = papers.receipt_document(session, rec, req.language)
            attachments.append((_pdf_name(rec.number), "application/pdf", receipt_pdf(doc, lang=req.language)))
            context.update(receipt=rec.number, total=rec.total)
    return enqueue(session, req, kind, context=context, attachments=attachments)
