"""JSON routes of the paid-product request: tariffs, the request's steps, invoices, payments, receipts, PDFs,
and the visitor's token-guarded routes (status and history, documents, correction, rating).

Each route translates HTTP into one call of rules.requests / invoices / payments / ikm and back; none decides.
"""

from __future__ import annotations

from datetime import datetime
from functools import wraps
from typing import Any

from flask import Response as FlaskResponse
from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, Field
from spectree import Response
from sqlmodel import select

from api import bp
from api.schemas import Error
from auth.roles import roles_required
from clock import iso, to_utc, utcnow
from extensions import api_spec, get_db, get_settings
from i18n import select_locale
from links import base_url
from models import Counter, CounterStatus, Invoice, Office, Rating, Receipt, Ticket
from rules import ikm as ikm_rules
from rules import invoices as inv_rules
from rules import offices, tariffs
from rules import payments as pay_rules
from rules import requests as rq
from rules.errors import N_, RuleError

OFFICER = rq.OFFICER_ROLES
STAFF = rq.STAFF_ROLES
ERRORS = {"HTTP_400": Error, "HTTP_404": Error, "HTTP_409": Error}
STAFF_ERRORS = {**ERRORS, "HTTP_401": Error, "HTTP_403": Error}


# ---- shapes --------------------------------------------------------------------------------------

class RequestOut(BaseModel):
    """A request as the counter and treasurer screens show it (see rules.requests.staff_view)."""
    id: int
    number: str
    state: str
    state_label: str
    total: int
    lines: list[dict[str, Any]]
    checklist: list[dict[str, Any]]
    invoices: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    receipts: list[dict[str, Any]]
    allowed: list[str]
    actions: dict[str, str]
    steps: list[dict[str, Any]] = Field(default=[], description="the allowed steps as buttons, in the order they "
                                        "normally come: name, label (a command), rare (replace/revise/cancel: last)")
    history: list[dict[str, Any]]
    visitor: dict[str, Any]
    links: dict[str, str]

    model_config = {"extra": "allow"}


class RequestList(BaseModel):
    requests: list[dict[str, Any]]


class OpenRequest(BaseModel):
    ticket_id: int


class LineIn(BaseModel):
    item_code: str = Field(description="a product code of the tariff schedule, e.g. microdata_raw")
    measure: int | None = Field(default=None, description="pages (publication) or bytes (microdata) of one unit")
    quantity: int = 1
    description: str = Field(default="", max_length=300)


class Quote(BaseModel):
    item_code: str
    measure: int | None = None
    quantity: int = 1


class QuoteOut(BaseModel):
    item_code: str
    unit_price: int
    amount: int
    rule: str
    schedule: str


class ZeroTariffIn(BaseModel):
    use: str = Field(description="government_duties, research_development, community_empowerment or "
                                 "international_commitment")
    letter_ref: str = Field(default="", max_length=120, description="the request letter's number")


class DocumentIn(BaseModel):
    received: bool
    note: str = Field(default="", max_length=300)
    npwp: str = Field(default="", max_length=32, description="for kind npwp: the number shown (checked, kept)")


class BillingIn(BaseModel):
    billing_code: str = Field(description="15 digits beginning with 8 (SIMPONI)")
    reason: str = Field(default="", max_length=300)
    print: bool = Field(default=True, description="queue the thermal slip at this counter's printer")


class NoteIn(BaseModel):
    note: str = Field(default="", max_length=300)


class ReasonIn(BaseModel):
    reason: str = Field(max_length=300)


class DeliverIn(BaseModel):
    download_ref: str = Field(max_length=500)


class TextIn(BaseModel):
    text: str = Field(max_length=1000)


class ResolveIn(BaseModel):
    result: str = Field(max_length=1000)
    download_ref: str = Field(default="", max_length=500)


class PaymentIn(BaseModel):
    ntpn: str = Field(description="16 letters and digits")
    paid_at: str = Field(description="when the visitor paid: ISO 8601; without offset it is office time")
    confirm: bool = Field(default=False, description="treasurer only: confirm at once")


class PrintIn(BaseModel):
    station: str = Field(default="", max_length=64, description="default: the user's counter, or 'treasurer'")


class ActionOut(BaseModel):
    request: dict[str, Any]
    invoice: dict[str, Any] | None = None
    payment: dict[str, Any] | None = None
    receipt: dict[str, Any] | None = None
    print_job_id: int | None = None


class PrintOut(BaseModel):
    print_job_id: int


class TariffSheet(BaseModel):
    id: str
    regulation: str
    regulation_short: str
    effective_from: str
    items: list[dict[str, Any]]
    zero_tariff: dict[str, Any]
    partial_blocks: str
    source: str


class TreasurerQueue(BaseModel):
    pending_payments: list[dict[str, Any]]
    unreceipted: list[dict[str, Any]]
    open_invoices: list[dict[str, Any]]
    server_time: str = Field(description="the server's clock (ISO 8601): the screen's 'paid at' default follows it")


class VisitorRequestOut(BaseModel):
    number: str
    state: str
    state_label: str
    total: int
    lines: list[dict[str, Any]]
    invoices: list[dict[str, Any]]
    receipts: list[dict[str, Any]]
    history: list[dict[str, Any]]
    download_ref: str
    can_ask_correction: bool
    can_rate: bool
    links: dict[str, str]


class RatingForm(BaseModel):
    number: str
    office: str
    can_rate: bool
    rated: bool
    elements: list[dict[str, str]]
    scale: list[dict[str, Any]]


class RatingIn(BaseModel):
    u1: int
    u2: int
    u3: int
    u4: int
    u5: int
    u6: int
    u7: int
    u8: int
    u9: int
    comment: str = Field(default="", max_length=1000)
    channel: str = Field(default="", description="counter or phone")


class RatingOut(BaseModel):
    ok: bool
    message: str


# ---- helpers -------------------------------------------------------------------------------------

def _param(v):
    if isinstance(v, rq.MsgList):
        return ", ".join(_(x) for x in v)
    if isinstance(v, rq.Msg):
        return _(v)
    return v


def rule_error_json(err: RuleError):
    """A refusal in the screen's language; message parameters that are msgids are translated too."""
    params = {k: _param(v) for k, v in err.params.items()}
    message = _(err.message) % params if params else _(err.message)
    return jsonify(error=err.code, message=message), err.status


def refusals(view):
    """Answer a RuleError with {error, message} in the screen's language."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except RuleError as err:
            return rule_error_json(err)
    return wrapped


def _t(msgid: str) -> str:
    return _(msgid) if msgid else msgid


def request_links(req) -> dict[str, str]:
    """The visitor's links of a request (unguessable tokens): status/history, documents, correction, rating."""
    root = base_url(get_settings())
    return {"status": f"{root}/api/visitor/requests/{req.visitor_token}",
            "correction": f"{root}/api/visitor/requests/{req.visitor_token}/correction",
            "rating": f"{root}/rate/{req.rating_token}"}


def verify_url(token: str) -> str:
    return f"{base_url(get_settings())}/verify/{token}"


def _view(s, req) -> dict:
    out = rq.staff_view(s, req, translate=_t, lang=select_locale())
    out["links"] = request_links(req)
    out["links"].update({f"invoice_pdf_{i['id']}": f"/api/invoices/{i['id']}/pdf" for i in out["invoices"]})
    out["links"].update({f"receipt_pdf_{r['id']}": f"/api/receipts/{r['id']}/pdf" for r in out["receipts"]})
    return out


def _request(s, request_id: int):
    return rq.get_request(s, request_id, office_id=current_user.office_id)


def _notify(office_id: int, req_id: int, state: str) -> None:
    """Tell the office's staff screens (counters, treasurer) that a request changed; no personal data."""
    try:
        from extensions import socketio
        from realtime import staff_room
        with get_db().read() as s:
            code = s.get(Office, office_id).code
        socketio.emit("request_changed", {"id": req_id, "state": state}, to=staff_room(code))
        from status.live import push_request_changed  # the visitor's phone, if the request came from a ticket
        push_request_changed(socketio, get_db(), req_id)
    except Exception:  # noqa: BLE001 - a broadcast never undoes a committed step
        pass


def _station(s, body_station: str = "") -> str:
    """Where paper goes: the station asked for, else the counter this officer holds, else the treasurer's."""
    if body_station:
        return body_station
    if current_user.role == "treasurer":
        return "treasurer"
    counter = s.exec(select(Counter).where(Counter.officer_id == current_user.id,
                                           Counter.status != CounterStatus.closed)).first()
    from printer.config import counter_station
    return counter_station(counter.number) if counter else "treasurer"


def _invoice_doc(s, inv: Invoice, lang: str | None = None) -> dict:
    return inv_rules.invoice_document(s, inv, verify_url=verify_url(inv.verify_token), translate=_t,
                                      lang=lang or select_locale())


def _receipt_doc(s, rec: Receipt, lang: str | None = None) -> dict:
    return inv_rules.receipt_document(s, rec, verify_url=verify_url(rec.verify_token), translate=_t,
                                      lang=lang or select_locale())


def _print_invoice(s, inv: Invoice, station: str) -> int:
    from printer import jobs
    lang = get_settings().app.default_language
    job = jobs.enqueue_invoice(s, office_id=inv.office_id, station=station, invoice=_invoice_doc(s, inv, lang),
                               invoice_id=inv.id, requested_by=current_user.id)
    return job.id


def _print_receipt(s, rec: Receipt, station: str) -> int:
    from printer import jobs
    lang = get_settings().app.default_language
    job = jobs.enqueue_receipt(s, office_id=rec.office_id, station=station, receipt=_receipt_doc(s, rec, lang),
                               receipt_id=rec.id, requested_by=current_user.id)
    return job.id


def _step(request_id: int, fn, status: int = 200):
    """Run one step of a request in a write transaction, answer with the request, tell the staff screens."""
    with get_db().write() as s:
        req = _request(s, request_id)
        extra = fn(s, req) or {}
        req = rq.get_request(s, req.id)
        out = {"request": _view(s, req), **extra}
        office_id, state = req.office_id, req.state
    _notify(office_id, request_id, state)
    return jsonify(out), status


def _pdf(data: bytes, filename: str) -> FlaskResponse:
    resp = FlaskResponse(data, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def _parse_paid_at(s, value: str, office_id: int) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RuleError("bad_time", N_("Enter the payment date and time."), status=400) from None
    if moment.tzinfo is None:
        moment = to_utc(moment, offices.office_tz(s.get(Office, office_id)))
    return moment


# ---- tariffs (public: the visitor may read them too) ---------------------------------------------

@bp.get("/tariffs")
@api_spec.validate(resp=Response(HTTP_200=TariffSheet, HTTP_404=Error), tags=["requests"])
@refusals
def tariff_sheet():
    """The tariff sheet in force today: every product, its price rule and the regulation it comes from."""
    with get_db().read() as s:
        office = s.get(Office, current_user.office_id) if current_user.is_authenticated else \
            offices.get_office(s, get_settings().office.code)
        day = rq.local_day(s, office.id, utcnow())
    return jsonify(tariffs.tariff_sheet(tariffs.schedule_on(day), _t, select_locale()))


@bp.post("/tariffs/quote")
@api_spec.validate(json=Quote, resp=Response(HTTP_200=QuoteOut, **ERRORS), tags=["requests"])
@refusals
def tariff_quote():
    """Price one line before adding it (exact rupiah, started blocks rounded up) with the rule in words."""
    body = request.context.json
    with get_db().read() as s:
        office = offices.get_office(s, get_settings().office.code)
        day = rq.local_day(s, office.id, utcnow())
    schedule = tariffs.schedule_on(day)
    it = tariffs.item(schedule, body.item_code)
    p = tariffs.price(it, measure=body.measure if it.measure else None, quantity=body.quantity)
    return jsonify(item_code=it.code, unit_price=p.unit_price, amount=p.amount,
                   rule=tariffs.describe_rule(p.rule, _t), schedule=schedule.label)


# ---- the request at the counter ------------------------------------------------------------------

@bp.post("/requests")
@roles_required(*OFFICER)
@api_spec.validate(json=OpenRequest, resp=Response(HTTP_201=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def open_request():
    """Open a request from the ticket being served (tied to the visitor's guest-book entry)."""
    body = request.context.json
    with get_db().write() as s:
        req = rq.open_request(s, ticket_id=body.ticket_id, user_id=current_user.id)
        out = {"request": _view(s, req)}
        office_id, req_id = req.office_id, req.id
    _notify(office_id, req_id, "open")
    return jsonify(out), 201


@bp.get("/requests")
@roles_required(*STAFF)
@api_spec.validate(resp=Response(HTTP_200=RequestList, **STAFF_ERRORS), tags=["requests"])
@refusals
def search_requests():
    """Find requests by visitor name, email, request or invoice number, or billing code (?q=)."""
    q = request.args.get("q", "")
    with get_db().read() as s:
        rows = rq.find(s, office_id=current_user.office_id, q=q)
        return jsonify(requests=[{**rq.summary_json(s, r), "state_label": _(rq.STATE_WORDS[r.state])} for r in rows])


@bp.get("/tickets/<int:ticket_id>/requests")
@roles_required(*OFFICER)
@api_spec.validate(resp=Response(HTTP_200=RequestList, **STAFF_ERRORS), tags=["requests"])
@refusals
def ticket_requests(ticket_id: int):
    """The requests of the visitor holding this ticket (a visitor who comes back to pay finds theirs here)."""
    with get_db().read() as s:
        ticket = s.get(Ticket, ticket_id)
        if ticket is None or ticket.office_id != current_user.office_id:
            return jsonify(error="ticket_not_found", message=_("No such ticket.")), 404
        rows = rq.for_visitor(s, office_id=ticket.office_id, visitor_id=ticket.visitor_id) if ticket.visitor_id else []
        return jsonify(requests=[{**rq.summary_json(s, r), "state_label": _(rq.STATE_WORDS[r.state]),
                                  "this_ticket": r.ticket_id == ticket.id} for r in rows])


@bp.get("/requests/<int:request_id>")
@roles_required(*STAFF)
@api_spec.validate(resp=Response(HTTP_200=RequestOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def get_request(request_id: int):
    """Everything about one request: lines, checklist, invoices, payments, receipts, allowed steps, history."""
    with get_db().write() as s:   # a write: an invoice whose month ran out is recorded as expired now
        req = _request(s, request_id)
        inv = rq.active_invoice(s, req.id)
        if inv is not None:
            inv_rules.refresh(s, inv, utcnow())
        return jsonify(_view(s, req))


@bp.post("/requests/<int:request_id>/lines")
@roles_required(*OFFICER)
@api_spec.validate(json=LineIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def add_line(request_id: int):
    """Add a product, priced from the tariff in force."""
    b = request.context.json
    return _step(request_id, lambda s, req: rq.add_line(
        s, request_id=req.id, user_id=current_user.id, item_code=b.item_code, measure=b.measure,
        quantity=b.quantity, description=b.description) and None)


@bp.post("/requests/<int:request_id>/lines/<int:line_id>/remove")
@roles_required(*OFFICER)
@api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def remove_line(request_id: int, line_id: int):
    """Remove a product line."""
    return _step(request_id, lambda s, req: rq.remove_line(s, request_id=req.id, line_id=line_id,
                                                           user_id=current_user.id) and None)


@bp.post("/requests/<int:request_id>/zero-tariff")
@roles_required(*OFFICER)
@api_spec.validate(json=ZeroTariffIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def set_zero_tariff(request_id: int):
    """Apply Rp 0 (PP 13/2024 Pasal 4) for an eligible segment and non-commercial use; the basis is recorded."""
    b = request.context.json
    return _step(request_id, lambda s, req: rq.set_zero_tariff(s, request_id=req.id, user_id=current_user.id,
                                                               use=b.use, letter_ref=b.letter_ref) and None)


@bp.post("/requests/<int:request_id>/zero-tariff/clear")
@roles_required(*OFFICER)
@api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def clear_zero_tariff(request_id: int):
    """Back to the list price."""
    return _step(request_id, lambda s, req: rq.clear_zero_tariff(s, request_id=req.id, user_id=current_user.id)
                 and None)


@bp.post("/requests/<int:request_id>/agree")
@roles_required(*OFFICER)
@api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def agree(request_id: int):
    """The visitor agreed to the sale terms (format, cost, electronic media), recorded with the time."""
    return _step(request_id, lambda s, req: rq.agree(s, request_id=req.id, user_id=current_user.id) and None)


@bp.post("/requests/<int:request_id>/documents/<kind>")
@roles_required(*OFFICER)
@api_spec.validate(json=DocumentIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def tick_document(request_id: int, kind: str):
    """Tick or untick a checklist item (abstract, npwp, request_letter), with a note of what is missing."""
    b = request.context.json
    return _step(request_id, lambda s, req: rq.tick_document(s, request_id=req.id, user_id=current_user.id,
                                                             kind=kind, received=b.received, note=b.note,
                                                             npwp=b.npwp) and None)


@bp.post("/requests/<int:request_id>/check-documents")
@roles_required(*OFFICER)
@api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def check_documents(request_id: int):
    """Confirm the documents are complete (refused with the list of what is missing)."""
    return _step(request_id, lambda s, req: rq.check_documents(s, request_id=req.id, user_id=current_user.id)
                 and None)


@bp.post("/requests/<int:request_id>/invoice")
@roles_required(*OFFICER)
@api_spec.validate(json=BillingIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def issue_invoice(request_id: int):
    """Issue the invoice with the SIMPONI billing code; its slip is queued at this counter's printer."""
    b = request.context.json

    def run(s, req):
        inv = inv_rules.issue_invoice(s, request_id=req.id, user_id=current_user.id, billing_code=b.billing_code)
        out = {"invoice": rq.invoice_json(s, inv, utcnow())}
        if b.print:
            out["print_job_id"] = _print_invoice(s, inv, _station(s))
        return out
    return _step(request_id, run)


@bp.post("/requests/<int:request_id>/invoice/replace")
@roles_required(*OFFICER)
@api_spec.validate(json=BillingIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def replace_invoice(request_id: int):
    """Replace the standing (e.g. expired) invoice by a new one with a new billing code, linked to it."""
    b = request.context.json

    def run(s, req):
        inv = inv_rules.replace_invoice(s, request_id=req.id, user_id=current_user.id, billing_code=b.billing_code,
                                        reason=b.reason)
        out = {"invoice": rq.invoice_json(s, inv, utcnow())}
        if b.print:
            out["print_job_id"] = _print_invoice(s, inv, _station(s))
        return out
    return _step(request_id, run)


@bp.post("/requests/<int:request_id>/sample")
@roles_required(*OFFICER)
@api_spec.validate(json=NoteIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def hand_over_sample(request_id: int):
    """The microdata sample was handed over."""
    b = request.context.json
    return _step(request_id, lambda s, req: rq.hand_over_sample(s, request_id=req.id, user_id=current_user.id,
                                                                note=b.note) and None)


@bp.post("/requests/<int:request_id>/sppd-signed")
@roles_required(*OFFICER)
@api_spec.validate(json=NoteIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def sign_sppd(request_id: int):
    """The signed SPPD (data use agreement) was received."""
    b = request.context.json
    return _step(request_id, lambda s, req: rq.sign_sppd(s, request_id=req.id, user_id=current_user.id,
                                                         note=b.note) and None)


def _simple(name: str, fn, doc: str):
    def view(request_id: int):
        return _step(request_id, lambda s, req: fn(s, request_id=req.id, user_id=current_user.id) and None)
    view.__name__ = f"request_{name}"
    view.__doc__ = doc
    route = bp.post(f"/requests/<int:request_id>/{name}")(
        roles_required(*OFFICER)(api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS),
                                                   tags=["requests"])(refusals(view))))
    return route


_simple("prepare", rq.start_preparing, "Start preparing the product.")
_simple("ready", rq.mark_ready, "The product is ready.")
_simple("close", rq.close, "Close a delivered request.")


@bp.post("/requests/<int:request_id>/deliver")
@roles_required(*OFFICER)
@api_spec.validate(json=DeliverIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def deliver(request_id: int):
    """Deliver the product with its download reference (only when paid for and, for microdata/maps, SPPD signed)."""
    b = request.context.json
    return _step(request_id, lambda s, req: rq.deliver(s, request_id=req.id, user_id=current_user.id,
                                                       download_ref=b.download_ref) and None)


@bp.post("/requests/<int:request_id>/revise")
@roles_required(*OFFICER)
@api_spec.validate(json=ReasonIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def revise(request_id: int):
    """Reopen before payment to change the products (an unpaid invoice is cancelled)."""
    b = request.context.json
    return _step(request_id, lambda s, req: rq.revise(s, request_id=req.id, user_id=current_user.id,
                                                      reason=b.reason) and None)


@bp.post("/requests/<int:request_id>/cancel")
@roles_required(*OFFICER)
@api_spec.validate(json=ReasonIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def cancel(request_id: int):
    """Cancel an unpaid request (its invoice is cancelled)."""
    b = request.context.json
    return _step(request_id, lambda s, req: rq.cancel(s, request_id=req.id, user_id=current_user.id,
                                                      reason=b.reason) and None)


@bp.post("/requests/<int:request_id>/correction")
@roles_required(*OFFICER)
@api_spec.validate(json=TextIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def request_correction(request_id: int):
    """Record the visitor's correction request made at the counter (the request reopens)."""
    b = request.context.json
    return _step(request_id, lambda s, req: rq.request_correction(s, request_id=req.id, user_id=current_user.id,
                                                                  text=b.text) and None)


@bp.post("/requests/<int:request_id>/correction/resolve")
@roles_required(*OFFICER)
@api_spec.validate(json=ResolveIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
@refusals
def resolve_correction(request_id: int):
    """Record the correction's result (and a new download reference); the request closes again."""
    b = request.context.json
    return _step(request_id, lambda s, req: rq.resolve_correction(s, request_id=req.id, user_id=current_user.id,
                                                                   result=b.result, download_ref=b.download_ref)
                 and None)


# ---- payments and receipts -----------------------------------------------------------------------

@bp.post("/requests/<int:request_id>/payments")
@roles_required(*STAFF)
@api_spec.validate(json=PaymentIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["payments"])
@refusals
def record_payment(request_id: int):
    """Record the payment of the standing invoice (NTPN, time); only the treasurer may confirm it."""
    b = request.context.json

    def run(s, req):
        paid_at = _parse_paid_at(s, b.paid_at, req.office_id)
        fn = pay_rules.record_and_confirm if b.confirm else pay_rules.record_payment
        pay = fn(s, request_id=req.id, user_id=current_user.id, ntpn=b.ntpn, paid_at=paid_at)
        return {"payment": rq.payment_json(pay)}
    return _step(request_id, run)


def _payment_step(payment_id: int, fn):
    with get_db().write() as s:
        pay = pay_rules.get_payment(s, payment_id, office_id=current_user.office_id)
        req_id = pay.request_id
    return _step(req_id, lambda s, req: {"payment": rq.payment_json(fn(s))})


@bp.post("/payments/<int:payment_id>/confirm")
@roles_required(*STAFF)
@api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["payments"])
@refusals
def confirm_payment(payment_id: int):
    """The treasurer confirms the payment reached the treasury (403 for anyone else)."""
    return _payment_step(payment_id, lambda s: pay_rules.confirm_payment(s, payment_id=payment_id,
                                                                        user_id=current_user.id))


@bp.post("/payments/<int:payment_id>/reject")
@roles_required(*STAFF)
@api_spec.validate(json=ReasonIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["payments"])
@refusals
def reject_payment(payment_id: int):
    """The treasurer could not find the payment: set aside with the reason (403 for anyone else)."""
    b = request.context.json
    return _payment_step(payment_id, lambda s: pay_rules.reject_payment(s, payment_id=payment_id,
                                                                       user_id=current_user.id, reason=b.reason))


@bp.post("/requests/<int:request_id>/receipt")
@roles_required(*STAFF)
@api_spec.validate(json=PrintIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["payments"])
@refusals
def issue_receipt(request_id: int):
    """The treasurer issues the receipt (kuitansi) for the confirmed payment; its slip is queued (403 for others)."""
    b = request.context.json

    def run(s, req):
        rec = pay_rules.issue_receipt(s, request_id=req.id, user_id=current_user.id)
        return {"receipt": rq.receipt_json(rec), "print_job_id": _print_receipt(s, rec, _station(s, b.station))}
    return _step(request_id, run)


@bp.post("/invoices/<int:invoice_id>/print")
@roles_required(*STAFF)
@api_spec.validate(json=PrintIn, resp=Response(HTTP_200=PrintOut, **STAFF_ERRORS), tags=["payments"])
@refusals
def print_invoice(invoice_id: int):
    """Print an invoice slip again."""
    b = request.context.json
    with get_db().write() as s:
        inv = inv_rules.get_invoice(s, invoice_id, office_id=current_user.office_id)
        return jsonify(print_job_id=_print_invoice(s, inv, _station(s, b.station)))


@bp.post("/receipts/<int:receipt_id>/print")
@roles_required(*STAFF)
@api_spec.validate(json=PrintIn, resp=Response(HTTP_200=PrintOut, **STAFF_ERRORS), tags=["payments"])
@refusals
def print_receipt(receipt_id: int):
    """Print a receipt slip again."""
    b = request.context.json
    with get_db().write() as s:
        rec = pay_rules.get_receipt(s, receipt_id, office_id=current_user.office_id)
        return jsonify(print_job_id=_print_receipt(s, rec, _station(s, b.station)))


@bp.get("/invoices/<int:invoice_id>/pdf")
@roles_required(*STAFF)
@api_spec.validate(resp=Response(HTTP_404=Error, HTTP_401=Error, HTTP_403=Error), tags=["payments"])
@refusals
def invoice_pdf(invoice_id: int):
    """The invoice as an A4 PDF."""
    from printer.pdf import invoice_pdf as render
    with get_db().read() as s:
        inv = inv_rules.get_invoice(s, invoice_id, office_id=current_user.office_id)
        doc, number = _invoice_doc(s, inv), inv.number
    return _pdf(render(doc, lang=select_locale()), number.replace("/", "-") + ".pdf")


@bp.get("/receipts/<int:receipt_id>/pdf")
@roles_required(*STAFF)
@api_spec.validate(resp=Response(HTTP_404=Error, HTTP_401=Error, HTTP_403=Error), tags=["payments"])
@refusals
def receipt_pdf(receipt_id: int):
    """The receipt (kuitansi) as an A4 PDF."""
    from printer.pdf import receipt_pdf as render
    with get_db().read() as s:
        rec = pay_rules.get_receipt(s, receipt_id, office_id=current_user.office_id)
        doc, number = _receipt_doc(s, rec), rec.number
    return _pdf(render(doc, lang=select_locale()), number.replace("/", "-") + ".pdf")


@bp.get("/treasurer/queue")
@roles_required("treasurer", "supervisor", "admin")
@api_spec.validate(resp=Response(HTTP_200=TreasurerQueue, **STAFF_ERRORS), tags=["payments"])
@refusals
def treasurer_queue():
    """What waits for the treasurer: payments to confirm, paid invoices without a receipt, open invoices."""
    now = utcnow()
    with get_db().write() as s:
        inv_rules.expire_due(s, office_id=current_user.office_id, now=now)
        q = pay_rules.treasurer_queue(s, office_id=current_user.office_id, now=now)

        def row(inv_id, extra=None):
            inv = s.get(Invoice, inv_id)
            req = rq.get_request(s, inv.request_id)
            return {**rq.summary_json(s, req), "invoice": rq.invoice_json(s, inv, now), **(extra or {})}
        return jsonify(pending_payments=[row(p.invoice_id, {"payment": rq.payment_json(p)}) for p in q["pending_payments"]],
                       unreceipted=[row(i.id) for i in q["unreceipted"]],
                       open_invoices=[row(i.id) for i in q["open_invoices"]], server_time=iso(now))


# ---- the visitor, by unguessable tokens ----------------------------------------------------------

def visitor_json(s, req) -> dict:
    """A request as its visitor sees it: no staff names, no notes; documents through the token."""
    lang = select_locale()
    now = utcnow()
    rated = s.exec(select(Rating).where(Rating.request_id == req.id)).first() is not None
    invoices = s.exec(select(Invoice).where(Invoice.request_id == req.id).order_by(Invoice.id)).all()
    receipts = s.exec(select(Receipt).where(Receipt.request_id == req.id).order_by(Receipt.id)).all()
    root = f"/api/visitor/requests/{req.visitor_token}"
    return {
        "number": req.number, "state": req.state, "state_label": _(rq.STATE_WORDS[req.state]), "total": req.total,
        "lines": [{k: v for k, v in rq.line_json(ln, _t, lang).items() if k != "id"} for ln in rq.lines(s, req.id)],
        "invoices": [{**{k: v for k, v in rq.invoice_json(s, i, now).items() if k != "close_reason"},
                      "pdf": f"{root}/invoices/{i.id}/pdf"} for i in invoices],
        "receipts": [{**rq.receipt_json(r), "pdf": f"{root}/receipts/{r.id}/pdf"} for r in receipts],
        "history": [{**e, "label": _(e["label"]), "state_label": _(e["state_label"])}
                    for e in rq.visitor_history(s, req.id)],
        "download_ref": req.download_ref if req.state in ("delivered", "closed", "correcting") else "",
        "can_ask_correction": req.state in rq.TRANSITIONS["request_correction"].sources,
        "can_rate": req.state in rq.TRANSITIONS["rate"].sources and not rated,
        "links": request_links(req),
    }


@bp.get("/visitor/requests/<token>")
@api_spec.validate(resp=Response(HTTP_200=VisitorRequestOut, HTTP_404=Error), tags=["visitor"])
@refusals
def visitor_request(token: str):
    """The visitor's own request by its unguessable token: state, documents and the visitor-facing history."""
    with get_db().read() as s:
        return jsonify(visitor_json(s, rq.by_visitor_token(s, token)))


@bp.get("/visitor/requests/<token>/invoices/<int:invoice_id>/pdf")
@api_spec.validate(resp=Response(HTTP_404=Error), tags=["visitor"])
@refusals
def visitor_invoice_pdf(token: str, invoice_id: int):
    """The visitor downloads their invoice (PDF) through the token."""
    from printer.pdf import invoice_pdf as render
    with get_db().read() as s:
        req = rq.by_visitor_token(s, token)
        inv = s.get(Invoice, invoice_id)
        if inv is None or inv.request_id != req.id:
            return jsonify(error="invoice_not_found", message=_("No such invoice.")), 404
        doc, number = _invoice_doc(s, inv), inv.number
    return _pdf(render(doc, lang=select_locale()), number.replace("/", "-") + ".pdf")


@bp.get("/visitor/requests/<token>/receipts/<int:receipt_id>/pdf")
@api_spec.validate(resp=Response(HTTP_404=Error), tags=["visitor"])
@refusals
def visitor_receipt_pdf(token: str, receipt_id: int):
    """The visitor downloads their receipt (PDF) through the token."""
    from printer.pdf import receipt_pdf as render
    with get_db().read() as s:
        req = rq.by_visitor_token(s, token)
        rec = s.get(Receipt, receipt_id)
        if rec is None or rec.request_id != req.id:
            return jsonify(error="receipt_not_found", message=_("No such receipt.")), 404
        doc, number = _receipt_doc(s, rec), rec.number
    return _pdf(render(doc, lang=select_locale()), number.replace("/", "-") + ".pdf")


@bp.post("/visitor/requests/<token>/correction")
@api_spec.validate(json=TextIn, resp=Response(HTTP_200=VisitorRequestOut, **ERRORS), tags=["visitor"])
@refusals
def visitor_correction(token: str):
    """The visitor asks for a correction of the receipt or product (the request reopens)."""
    b = request.context.json
    with get_db().write() as s:
        req = rq.by_visitor_token(s, token)
        rq.request_correction(s, request_id=req.id, text=b.text, by_visitor=True)
        out, office_id, req_id, state = visitor_json(s, req), req.office_id, req.id, req.state
    _notify(office_id, req_id, state)
    return jsonify(out)


def rating_form_json(s, req) -> dict:
    office = s.get(Office, req.office_id)
    rated = s.exec(select(Rating).where(Rating.request_id == req.id)).first() is not None
    return {"number": req.number, "office": office.short_name or office.name,
            "can_rate": req.state in rq.TRANSITIONS["rate"].sources and not rated, "rated": rated,
            "elements": [{"code": c, "name": _(n)} for c, n in ikm_rules.ELEMENTS],
            "scale": [{"value": i + 1, "label": _(w)} for i, w in enumerate(ikm_rules.SCALE_WORDS)]}


@bp.get("/ratings/<token>")
@api_spec.validate(resp=Response(HTTP_200=RatingForm, HTTP_404=Error), tags=["visitor"])
@refusals
def rating_form(token: str):
    """The survey for a request: the 9 SKM elements and the 1-4 scale, and whether it may be rated now."""
    with get_db().read() as s:
        return jsonify(rating_form_json(s, rq.by_rating_token(s, token)))


@bp.post("/ratings/<token>")
@api_spec.validate(json=RatingIn, resp=Response(HTTP_200=RatingOut, **ERRORS), tags=["visitor"])
@refusals
def rate(token: str):
    """The visitor rates the service (once per request), on the counter tablet or their phone."""
    b = request.context.json
    with get_db().write() as s:
        rating = ikm_rules.rate(s, rating_token=token, scores=b.model_dump(include=set(ikm_rules.CODES)),
                                comment=b.comment, channel=b.channel)
        office_id, req_id = rating.office_id, rating.request_id
    _notify(office_id, req_id, "closed")
    return jsonify(ok=True, message=_("Thank you for rating our service."))

