"""The phone's JSON endpoints, each guarded by an unguessable token the visitor holds: the ticket, the paid-product
request (its state, papers and a correction) and the satisfaction rating. No staff names, no notes."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask import session as cookie
from flask_babel import gettext as _
from spectree import Response
from sqlmodel import select

from api.request_steps import request_changed
from api.schemas import ERRORS, Error, TextIn, TicketOut
from clock import utcnow
from extensions import api_spec, get_db, get_settings
from i18n import select_locale, translate
from links import request_links
from models import Invoice, Office, Rating, Receipt
from phone.schemas import PapersIn, PapersOut, RatingForm, RatingIn, RatingOut, VisitorRequestOut
from printer import papers
from rules import agreements, lines, snapshot, visitor_papers, visitor_status
from rules import ikm as ikm_rules
from rules import requests as rq
from rules.estimate import estimated_wait_minutes

bp = Blueprint("phone_api", __name__, url_prefix="/api")


@bp.get("/tickets/status/<token>")
@api_spec.validate(resp=Response(HTTP_200=TicketOut, HTTP_404=Error), tags=["visitor"])
def ticket_status(token: str):
    """A visitor's own ticket, by the unguessable token on their slip."""
    settings = get_settings()
    with get_db().read() as s:
        ticket = visitor_status.live_ticket(s, token, keep_hours=settings.app.status_link_hours)
        if ticket is None:
            return jsonify(error="not_found", message=_("This ticket link is not valid.")), 404
        office = s.get(Office, ticket.office_id)
        ahead = lines.people_ahead(s, ticket)
        wait = estimated_wait_minutes(
            s,
            office_id=office.id,
            service_id=ticket.service_id,
            ahead=ahead,
            default_minutes=settings.app.default_service_minutes,
        )
        return jsonify(snapshot.ticket_public(s, ticket, office, estimate_minutes=wait))


# ---- the visitor, by unguessable tokens ----------------------------------------------------------


def visitor_json(s, req) -> dict:
    """A request as its visitor sees it: no staff names, no notes; documents through the token."""
    lang = select_locale()
    now = utcnow()
    rated = s.exec(select(Rating).where(Rating.request_id == req.id)).first() is not None
    invoices = s.exec(select(Invoice).where(Invoice.request_id == req.id).order_by(Invoice.id)).all()
    receipts = s.exec(select(Receipt).where(Receipt.request_id == req.id).order_by(Receipt.id)).all()
    root = f"/api/visitor/requests/{req.visitor_token}"
    progress, progress_words = rq.visitor_progress(s, req)
    return {
        "number": req.number,
        "state": req.state,
        "progress": progress,
        "state_label": _(progress_words),
        "total": req.total,
        "lines": [
            {k: v for k, v in rq.line_json(ln, translate, lang).items() if k != "id"} for ln in rq.lines(s, req.id)
        ],
        "invoices": [
            {
                **{k: v for k, v in rq.invoice_json(s, i, now).items() if k != "close_reason"},
                "pdf": f"{root}/invoices/{i.id}/pdf",
            }
            for i in invoices
        ],
        "receipts": [{**rq.receipt_json(r), "pdf": f"{root}/receipts/{r.id}/pdf"} for r in receipts],
        "history": [
            {**e, "label": _(e["label"]), "state_label": _(e["state_label"])} for e in rq.visitor_history(s, req.id)
        ],
        "download_ref": req.download_ref if req.state in ("delivered", "closed", "correcting") else "",
        "can_ask_correction": req.state in rq.TRANSITIONS["request_correction"].sources,
        "can_rate": req.state in rq.TRANSITIONS["rate"].sources and not rated,
        "links": request_links(get_settings(), req),
        "papers_open": papers_open(req),
        "agreements": [{"kind": k, "pdf": f"{root}/papers/{k}/pdf"} for k in agreements.needed(s, req)],
        "papers_unlock": f"{root}/papers",
    }


# ---- the papers (PDFs name the buyer): opened by the last 4 digits of the visit's phone ------------------


def papers_open(req) -> bool:
    """Whether this browser answered the request's question recently (a grant kept in its session cookie)."""
    until = (cookie.get("papers") or {}).get(str(req.id))
    return bool(until) and until > utcnow().timestamp()


def _grant(req) -> float:
    """Open the request's papers in this browser for a while; returns until when."""
    now = utcnow().timestamp()
    grants = {k: v for k, v in (cookie.get("papers") or {}).items() if v > now}
    grants[str(req.id)] = until = now + visitor_papers.OPEN_FOR.total_seconds()
    cookie["papers"] = grants
    return until


def papers_closed():
    """The answer for a PDF asked before the papers were opened."""
    return jsonify(error="papers_closed", message=_("Enter the last 4 digits of your phone number first.")), 403


@bp.post("/visitor/requests/<token>/papers")
@api_spec.validate(
    json=PapersIn,
    resp=Response(HTTP_200=PapersOut, HTTP_403=Error, HTTP_429=Error, HTTP_404=Error, HTTP_400=Error),
    tags=["visitor"],
)
def unlock_papers(token: str):
    """Open the request's invoice and receipt PDFs in this browser for 30 minutes: the last 4 digits of the phone
    number given on the visit. Wrong answers are counted; after [privacy] paper_attempts the papers lock."""
    attempts = get_settings().privacy.paper_attempts
    with get_db().write() as s:
        req = rq.by_visitor_token(s, token)
        result = visitor_papers.check(s, req=req, digits=request.context.json.digits, attempts=attempts)
    if result != "ok":
        status = 429 if result == "locked" else 403
        return jsonify(error=f"papers_{result}", message=_(visitor_papers.REFUSALS[result])), status
    _grant(req)
    return jsonify(ok=True)


@bp.get("/visitor/requests/<token>")
@api_spec.validate(resp=Response(HTTP_200=VisitorRequestOut, HTTP_404=Error), tags=["visitor"])
def visitor_request(token: str):
    """The visitor's own request by its unguessable token: state, documents and the visitor-facing history."""
    with get_db().read() as s:
        return jsonify(visitor_json(s, rq.by_visitor_token(s, token)))


@bp.get("/visitor/requests/<token>/invoices/<int:invoice_id>/pdf")
@api_spec.validate(resp=Response("HTTP_200", HTTP_403=Error, HTTP_404=Error), tags=["visitor"])
def visitor_invoice_pdf(token: str, invoice_id: int):
    """The visitor downloads their invoice (PDF) through the token, once the papers are open in this browser."""
    with get_db().read() as s:
        req = rq.by_visitor_token(s, token)
        if not papers_open(req):
            return papers_closed()
        inv = s.get(Invoice, invoice_id)
        if inv is None or inv.request_id != req.id:
            return jsonify(error="invoice_not_found", message=_("No such invoice.")), 404
        return papers.invoice_pdf(s, inv)


@bp.get("/visitor/requests/<token>/receipts/<int:receipt_id>/pdf")
@api_spec.validate(resp=Response("HTTP_200", HTTP_403=Error, HTTP_404=Error), tags=["visitor"])
def visitor_receipt_pdf(token: str, receipt_id: int):
    """The visitor downloads their receipt (PDF) through the token, once the papers are open in this browser."""
    with get_db().read() as s:
        req = rq.by_visitor_token(s, token)
        if not papers_open(req):
            return papers_closed()
        rec = s.get(Receipt, receipt_id)
        if rec is None or rec.request_id != req.id:
            return jsonify(error="receipt_not_found", message=_("No such receipt.")), 404
        return papers.receipt_pdf(s, rec)


@bp.get("/visitor/requests/<token>/papers/<any(sppd, sample):kind>/pdf")
@api_spec.validate(resp=Response("HTTP_200", HTTP_403=Error, HTTP_404=Error), tags=["visitor"])
def visitor_agreement_pdf(token: str, kind: str):
    """The visitor downloads the data-use agreement (sppd) or the data-sample handover (sample) to sign, once the
    papers are open in this browser."""
    with get_db().read() as s:
        req = rq.by_visitor_token(s, token)
        if not papers_open(req):
            return papers_closed()
        return papers.agreement_pdf(s, req, kind)


@bp.post("/visitor/requests/<token>/correction")
@api_spec.validate(json=TextIn, resp=Response(HTTP_200=VisitorRequestOut, **ERRORS), tags=["visitor"])
def visitor_correction(token: str):
    """The visitor asks for a correction of the receipt or product (the request reopens)."""
    b = request.context.json
    with get_db().write() as s:
        req = rq.by_visitor_token(s, token)
        rq.request_correction(s, request_id=req.id, text=b.text, by_visitor=True)
        out, office_id, req_id, state = visitor_json(s, req), req.office_id, req.id, req.state
    request_changed(office_id, req_id, state)
    return jsonify(out)


def rating_form_json(s, token: str) -> dict:
    """The survey of a request (its rating token) or of a visit without one (its ticket's status token)."""
    state = ikm_rules.form_state(s, token)
    office = s.get(Office, state["office_id"])
    return {
        "number": state["number"],
        "kind": state["kind"],
        "office": office.short_name or office.name,
        "can_rate": state["can_rate"],
        "rated": state["rated"],
        "elements": [{"code": c, "name": _(n)} for c, n in ikm_rules.ELEMENTS],
        "scale": [{"value": i + 1, "label": _(w)} for i, w in enumerate(ikm_rules.SCALE_WORDS)],
    }


@bp.get("/ratings/<token>")
@api_spec.validate(resp=Response(HTTP_200=RatingForm, HTTP_404=Error), tags=["visitor"])
def rating_form(token: str):
    """The survey for a request: the 9 SKM elements and the 1-4 scale, and whether it may be rated now."""
    with get_db().read() as s:
        return jsonify(rating_form_json(s, token))


@bp.post("/ratings/<token>")
@api_spec.validate(json=RatingIn, resp=Response(HTTP_200=RatingOut, **ERRORS), tags=["visitor"])
def rate(token: str):
    """The visitor rates the service (once per request), on the counter tablet or their phone."""
    b = request.context.json
    with get_db().write() as s:
        rating = ikm_rules.rate(
            s,
            rating_token=token,
            scores=b.model_dump(include=set(ikm_rules.CODES)),
            comment=b.comment,
            channel=b.channel,
        )
        office_id, req_id = rating.office_id, rating.request_id
    if req_id is not None:
        request_changed(office_id, req_id, "closed")
    return jsonify(ok=True, message=_("Thank you for rating our service."))
