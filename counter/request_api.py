"""The counter's request endpoints (officers): the tariff sheet and quotes, opening and finding requests, and
each step of a paid-product request up to delivery and corrections. Payments and receipts are the treasurer's
(treasurer/api.py); each route is one call of rules.requests / rules.invoices and back."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from spectree import Response

from api.access import log_read
from api.request_steps import own_request, request_changed, run_step, staff_view
from api.schemas import ERRORS, STAFF_ERRORS, ActionOut, Error, ReasonIn, TextIn
from auth.roles import roles_required
from clock import utcnow
from counter.request_schemas import (
    BillingIn,
    DeliverIn,
    DocumentIn,
    LineIn,
    NoteIn,
    OpenRequest,
    Quote,
    QuoteOut,
    RequestList,
    RequestOut,
    ResolveIn,
    TariffSheet,
    ZeroTariffIn,
)
from extensions import api_spec, get_db, get_settings
from i18n import select_locale, translate
from models import Office, Ticket
from printer import papers
from rules import access_log, offices, tariffs
from rules import invoices as inv_rules
from rules import requests as rq
from rules.roles import COUNTER_ROLES, STAFF_ROLES

bp = Blueprint("counter_requests_api", __name__, url_prefix="/api")


# ---- tariffs (public: the visitor may read them too) ---------------------------------------------


@bp.get("/tariffs")
@api_spec.validate(resp=Response(HTTP_200=TariffSheet, HTTP_404=Error), tags=["requests"])
def tariff_sheet():
    """The tariff sheet in force today: every product, its price rule and the regulation it comes from."""
    with get_db().read() as s:
        office = (
            s.get(Office, current_user.office_id)
            if current_user.is_authenticated
            else offices.get_office(s, get_settings().office.code)
        )
        day = rq.local_day(s, office.id, utcnow())
    return jsonify(tariffs.tariff_sheet(tariffs.schedule_on(day), translate, select_locale()))


@bp.post("/tariffs/quote")
@api_spec.validate(json=Quote, resp=Response(HTTP_200=QuoteOut, **ERRORS), tags=["requests"])
def tariff_quote():
    """Price one line before adding it (exact rupiah, started blocks rounded up) with the rule in words."""
    body = request.context.json
    with get_db().read() as s:
        office = offices.get_office(s, get_settings().office.code)
        day = rq.local_day(s, office.id, utcnow())
    schedule = tariffs.schedule_on(day)
    it = tariffs.item(schedule, body.item_code)
    p = tariffs.price(it, measure=body.measure if it.measure else None, quantity=body.quantity)
    return jsonify(
        item_code=it.code,
        unit_price=p.unit_price,
        amount=p.amount,
        rule=tariffs.describe_rule(p.rule, translate),
        schedule=schedule.label,
    )


# ---- the request at the counter ------------------------------------------------------------------


@bp.post("/requests")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=OpenRequest, resp=Response(HTTP_201=ActionOut, **STAFF_ERRORS), tags=["requests"])
def open_request():
    """Open a request from the ticket being served (tied to the visitor's guest-book entry)."""
    body = request.context.json
    with get_db().write() as s:
        req = rq.open_request(s, ticket_id=body.ticket_id, user_id=current_user.id)
        out = {"request": staff_view(s, req)}
        office_id, req_id = req.office_id, req.id
    request_changed(office_id, req_id, "open")
    return jsonify(out), 201


@bp.get("/requests")
@roles_required(*STAFF_ROLES)
@api_spec.validate(resp=Response(HTTP_200=RequestList, **STAFF_ERRORS), tags=["requests"])
def search_requests():
    """Find requests by visitor name, email, request or invoice number, or billing code (?q=)."""
    q = request.args.get("q", "")
    with get_db().read() as s:
        rows = rq.find(s, office_id=current_user.office_id, q=q)
        out = [{**rq.summary_json(s, r), "state_label": _(rq.STATE_WORDS[r.state])} for r in rows]
    log_read("search", [r.visitor_id for r in rows])
    return jsonify(requests=out)


@bp.get("/tickets/<int:ticket_id>/requests")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=RequestList, **STAFF_ERRORS), tags=["requests"])
def ticket_requests(ticket_id: int):
    """The requests of the visitor holding this ticket (a visitor who comes back to pay finds theirs here)."""
    with get_db().read() as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None or ticket.office_id != current_user.office_id:
            return jsonify(error="ticket_not_found", message=_("No such ticket.")), 404
        rows = rq.for_visitor(s, office_id=ticket.office_id, visitor_id=ticket.visitor_id) if ticket.visitor_id else []
        out = [
            {
                **rq.summary_json(s, r),
                "state_label": _(rq.STATE_WORDS[r.state]),
                "this_ticket": r.ticket_id == ticket.id,
            }
            for r in rows
        ]
    log_read("ticket_requests", [r.visitor_id for r in rows], ref=f"ticket:{ticket_id}")
    # One open request per ticket (rules.requests.intake.open_request): the button says so before it is pressed.
    return jsonify(requests=out, can_open=not any(x["this_ticket"] and x["state"] == "open" for x in out))


@bp.get("/requests/<int:request_id>/papers/<any(sppd, sample):kind>/pdf")
@roles_required(*STAFF_ROLES)
@api_spec.validate(resp=Response("HTTP_200", HTTP_404=Error, HTTP_401=Error, HTTP_403=Error), tags=["requests"])
def agreement_pdf(request_id: int, kind: str):
    """The data-use agreement (sppd) or the data-sample handover (sample) on A4, prefilled and ready to sign."""
    with get_db().read() as s:
        req = own_request(s, request_id)
        answer, visitor_id = papers.agreement_pdf(s, req, kind), req.visitor_id
    log_read("pdf", [visitor_id], ref=f"{kind}:{request_id}")
    return answer


@bp.get("/requests/<int:request_id>")
@roles_required(*STAFF_ROLES)
@api_spec.validate(resp=Response(HTTP_200=RequestOut, **STAFF_ERRORS), tags=["requests"])
def get_request(request_id: int):
    """Everything about one request: lines, checklist, invoices, payments, receipts, allowed steps, history."""
    with get_db().write() as s:  # a write: an invoice whose month ran out is recorded as expired now
        req = own_request(s, request_id)
        inv = rq.active_invoice(s, req.id)
        if inv is not None:
            inv_rules.refresh(s, inv, utcnow())
        access_log.record(
            s,
            office_id=req.office_id,
            user_id=current_user.id,
            kind="request",
            visitor_ids=[req.visitor_id],
            ref=f"request:{req.id}",
        )
        return jsonify(staff_view(s, req))


@bp.post("/requests/<int:request_id>/lines")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=LineIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def add_line(request_id: int):
    """Add a product, priced from the tariff in force."""
    b = request.context.json
    return run_step(
        request_id,
        lambda s, req: (
            rq.add_line(
                s,
                request_id=req.id,
                user_id=current_user.id,
                item_code=b.item_code,
                measure=b.measure,
                quantity=b.quantity,
                description=b.description,
            )
            and None
        ),
    )


@bp.post("/requests/<int:request_id>/lines/<int:line_id>/remove")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def remove_line(request_id: int, line_id: int):
    """Remove a product line."""
    return run_step(
        request_id,
        lambda s, req: rq.remove_line(s, request_id=req.id, line_id=line_id, user_id=current_user.id) and None,
    )


@bp.post("/requests/<int:request_id>/zero-tariff")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=ZeroTariffIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def set_zero_tariff(request_id: int):
    """Apply Rp 0 (PP 13/2024 Pasal 4) for an eligible segment and non-commercial use; the basis is recorded."""
    b = request.context.json
    return run_step(
        request_id,
        lambda s, req: (
            rq.set_zero_tariff(s, request_id=req.id, user_id=current_user.id, use=b.use, letter_ref=b.letter_ref)
            and None
        ),
    )


@bp.post("/requests/<int:request_id>/zero-tariff/clear")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def clear_zero_tariff(request_id: int):
    """Back to the list price."""
    return run_step(
        request_id, lambda s, req: rq.clear_zero_tariff(s, request_id=req.id, user_id=current_user.id) and None
    )


@bp.post("/requests/<int:request_id>/agree")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def agree(request_id: int):
    """The visitor agreed to the sale terms (format, cost, electronic media), recorded with the time."""
    return run_step(request_id, lambda s, req: rq.agree(s, request_id=req.id, user_id=current_user.id) and None)


@bp.post("/requests/<int:request_id>/documents/<kind>")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=DocumentIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def tick_document(request_id: int, kind: str):
    """Tick or untick a checklist item (abstract, npwp, request_letter), with a note of what is missing."""
    b = request.context.json
    return run_step(
        request_id,
        lambda s, req: (
            rq.tick_document(
                s, request_id=req.id, user_id=current_user.id, kind=kind, received=b.received, note=b.note, npwp=b.npwp
            )
            and None
        ),
    )


@bp.post("/requests/<int:request_id>/check-documents")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def check_documents(request_id: int):
    """Confirm the documents are complete (refused with the list of what is missing)."""
    return run_step(
        request_id, lambda s, req: rq.check_documents(s, request_id=req.id, user_id=current_user.id) and None
    )


@bp.post("/requests/<int:request_id>/invoice")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=BillingIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def issue_invoice(request_id: int):
    """Issue the invoice with the SIMPONI billing code; its slip is queued at this counter's printer."""
    b = request.context.json

    def run(s, req):
        inv = inv_rules.issue_invoice(s, request_id=req.id, user_id=current_user.id, billing_code=b.billing_code)
        out = {"invoice": rq.invoice_json(s, inv, utcnow())}
        if b.print:
            out["print_job_id"] = papers.queue_invoice(
                s, inv, station=papers.station_for(s, current_user), user_id=current_user.id
            )
        return out

    return run_step(request_id, run)


@bp.post("/requests/<int:request_id>/invoice/replace")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=BillingIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def replace_invoice(request_id: int):
    """Replace the standing (e.g. expired) invoice by a new one with a new billing code, linked to it."""
    b = request.context.json

    def run(s, req):
        inv = inv_rules.replace_invoice(
            s, request_id=req.id, user_id=current_user.id, billing_code=b.billing_code, reason=b.reason
        )
        out = {"invoice": rq.invoice_json(s, inv, utcnow())}
        if b.print:
            out["print_job_id"] = papers.queue_invoice(
                s, inv, station=papers.station_for(s, current_user), user_id=current_user.id
            )
        return out

    return run_step(request_id, run)


@bp.post("/requests/<int:request_id>/sample")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=NoteIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def hand_over_sample(request_id: int):
    """The microdata sample was handed over."""
    b = request.context.json
    return run_step(
        request_id,
        lambda s, req: rq.hand_over_sample(s, request_id=req.id, user_id=current_user.id, note=b.note) and None,
    )


@bp.post("/requests/<int:request_id>/sppd-signed")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=NoteIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def sign_sppd(request_id: int):
    """The signed SPPD (data use agreement) was received."""
    b = request.context.json
    return run_step(
        request_id,
        lambda s, req: rq.sign_sppd(s, request_id=req.id, user_id=current_user.id, note=b.note, how=b.how) and None,
    )


@bp.post("/requests/<int:request_id>/prepare")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def request_prepare(request_id: int):
    """Start preparing the product."""
    return run_step(
        request_id, lambda s, req: rq.start_preparing(s, request_id=req.id, user_id=current_user.id) and None
    )


@bp.post("/requests/<int:request_id>/ready")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def request_ready(request_id: int):
    """The product is ready."""
    return run_step(request_id, lambda s, req: rq.mark_ready(s, request_id=req.id, user_id=current_user.id) and None)


@bp.post("/requests/<int:request_id>/close")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def request_close(request_id: int):
    """Close a delivered request."""
    return run_step(request_id, lambda s, req: rq.close(s, request_id=req.id, user_id=current_user.id) and None)


@bp.post("/requests/<int:request_id>/deliver")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=DeliverIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def deliver(request_id: int):
    """Deliver the product with its download reference (only when paid for and, for microdata/maps, SPPD signed)."""
    b = request.context.json
    return run_step(
        request_id,
        lambda s, req: rq.deliver(s, request_id=req.id, user_id=current_user.id, download_ref=b.download_ref) and None,
    )


@bp.post("/requests/<int:request_id>/revise")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=ReasonIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def revise(request_id: int):
    """Reopen before payment to change the products (an unpaid invoice is cancelled)."""
    b = request.context.json
    return run_step(
        request_id, lambda s, req: rq.revise(s, request_id=req.id, user_id=current_user.id, reason=b.reason) and None
    )


@bp.post("/requests/<int:request_id>/cancel")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=ReasonIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def cancel(request_id: int):
    """Cancel an unpaid request (its invoice is cancelled)."""
    b = request.context.json
    return run_step(
        request_id, lambda s, req: rq.cancel(s, request_id=req.id, user_id=current_user.id, reason=b.reason) and None
    )


@bp.post("/requests/<int:request_id>/correction")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=TextIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def request_correction(request_id: int):
    """Record the visitor's correction request made at the counter (the request reopens)."""
    b = request.context.json
    return run_step(
        request_id,
        lambda s, req: rq.request_correction(s, request_id=req.id, user_id=current_user.id, text=b.text) and None,
    )


@bp.post("/requests/<int:request_id>/correction/resolve")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=ResolveIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def resolve_correction(request_id: int):
    """Record the correction's result (and a new download reference); the request closes again."""
    b = request.context.json
    return run_step(
        request_id,
        lambda s, req: (
            rq.resolve_correction(
                s,
                request_id=req.id,
                user_id=current_user.id,
                result=b.result,
                download_ref=b.download_ref,
                shipped=b.shipped,
            )
            and None
        ),
    )
