"""The online channel's JSON endpoints: the public page's request, and the visitor's token-guarded ones for a
request without a ticket (its view, confirming the e-mail address, uploading a file, reading it back)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from pydantic import ValidationError
from spectree import Response

from api.request_steps import request_changed
from api.schemas import ERRORS, Error
from clock import utcnow
from counter.online_api import file_response
from extensions import api_spec, get_db, get_settings
from i18n import select_locale
from mail import outbox
from online.schemas import OnlineRequestIn, OnlineRequestOut, OnlineVisitorOut, UploadForm
from phone.api import papers_closed, papers_open, visitor_json
from rules import guestbook, offices, uploads
from rules import requests as rq
from rules.errors import N_, NotFound, RuleError
from rules.privacy import mask_email
from rules.requests import clock
from storage import discard, save

bp = Blueprint("online_api", __name__, url_prefix="/api")


@bp.post("/online/<code>/requests")
@api_spec.validate(json=OnlineRequestIn, resp=Response(HTTP_201=OnlineRequestOut, **ERRORS), tags=["online"])
def submit(code: str):
    """A request from the office's public page: it waits until the visitor opens the link e-mailed to them."""
    b = request.context.json
    try:
        form = rq.OnlineVisitorForm.model_validate({**b.visitor, "consent": b.visitor.get("consent", False)})
    except ValidationError as e:
        raise guestbook.FieldsInvalid(guestbook.errors_by_field(e)) from None
    try:
        items = [rq.OnlineLine.model_validate(x) for x in b.lines]
    except ValidationError:
        raise guestbook.FieldsInvalid({"lines": N_("Check the products: each needs its size and quantity.")}) from None
    with get_db().write() as s:
        office = offices.get_office(s, code)
        req = rq.submit_online(
            s,
            office=office,
            form=form,
            items=items,
            accept_terms=b.accept_terms,
            abstract=b.abstract,
            language=b.language if b.language in ("id", "en") else select_locale(),
        )
        outbox.for_new_steps(s, req, 0)
        number, office_id, req_id = req.number, req.office_id, req.id
    request_changed(office_id, req_id, "agreed")
    message = _(
        "Thank you. We sent a link to %(email)s: open it to confirm your address and follow your request.",
        email=mask_email(form.email),
    )
    return jsonify(number=number, message=message), 201


def _can_upload(s, req) -> list[str]:
    if req.email_confirmed_at is None and req.channel == "online":
        return []
    kinds = []
    if req.state in ("open", "agreed", "checked") and "abstract" in {d["kind"] for d in rq.checklist(s, req)}:
        kinds.append("abstract")
    if rq.needs_sppd(s, req) and req.sppd_signed_at is None and req.state in rq.TRANSITIONS["sign_sppd"].sources:
        kinds.append("sppd")
    if req.state in rq.UNPAID_WORK and clock.waiting_on(s, req) == "payment":
        kinds.append("transfer_proof")
    return kinds


def online_visitor_json(s, req) -> dict:
    """The visitor's view of a request without a ticket: the phone's request view, uploads, the clock."""
    root = f"/api/visitor/requests/{req.visitor_token}"
    out = visitor_json(s, req)
    out.update(
        email_confirmed=req.email_confirmed_at is not None,
        channel=req.channel,
        uploads=[{**uploads.upload_json(u), "url": f"{root}/uploads/{u.id}"} for u in uploads.uploads_of(s, req.id)],
        can_upload=_can_upload(s, req),
        upload_labels={k: _(v) for k, v in uploads.KIND_WORDS.items()},
        clock=clock.clock_json(s, req, utcnow()),
        correction_url=f"{root}/correction",
        shipping_fee=req.shipping_fee,
    )
    return out


@bp.get("/visitor/online/<token>")
@api_spec.validate(resp=Response(HTTP_200=OnlineVisitorOut, HTTP_404=Error), tags=["online"])
def visitor_view(token: str):
    """A request without a ticket, by the token of the e-mailed link."""
    with get_db().read() as s:
        return jsonify(online_visitor_json(s, rq.by_visitor_token(s, token)))


@bp.post("/visitor/requests/<token>/confirm")
@api_spec.validate(resp=Response(HTTP_200=OnlineVisitorOut, **ERRORS), tags=["online"])
def confirm(token: str):
    """The visitor confirms the address the link was sent to (a button, so a mail scanner's visit does not)."""
    with get_db().write() as s:
        req = rq.confirm_email(s, token=token)
        out, office_id, req_id, state = online_visitor_json(s, req), req.office_id, req.id, req.state
    request_changed(office_id, req_id, state)
    return jsonify(out)


@bp.post("/visitor/requests/<token>/uploads/<kind>")
@api_spec.validate(
    form=UploadForm,
    resp=Response(HTTP_200=OnlineVisitorOut, HTTP_413=Error, HTTP_415=Error, **ERRORS),
    tags=["online"],
    skip_validation=True,  # the view checks the file itself: its size before reading it, its type by its bytes
)
def upload(token: str, kind: str):
    """The visitor uploads the abstract, the signed SPPD or the proof of a transfer (multipart field 'file')."""
    max_bytes = int(get_settings().uploads.max_mb * 1_000_000)
    if request.content_length and request.content_length > max_bytes + 100_000:
        # Refused before reading it: the message says the limit instead of a bare 413.
        raise RuleError(
            "upload_too_large",
            N_("The file is %(size)s MB; a %(document)s may be at most %(limit)s MB."),
            status=413,
            size=f"{request.content_length / 1_000_000:.1f}",
            limit=f"{max_bytes / 1_000_000:g}",
            document=uploads.Msg(uploads.KIND_WORDS.get(kind, N_("file"))),
        )
    f = request.files.get("file")
    if f is None:
        raise RuleError("no_file", N_("Choose a file to upload."), status=400)
    data = f.read(max_bytes + 1)
    checked = uploads.check_file(kind, f.filename or "", data, max_bytes=max_bytes)
    with get_db().read() as s:
        office_id = rq.by_visitor_token(s, token).office_id  # an unknown token stores nothing
    stored = save(office_id, data, uploads.EXTENSIONS[checked.content_type])
    try:
        with get_db().write() as s:
            req = rq.by_visitor_token(s, token)
            uploads.add_upload(
                s, request_id=req.id, kind=kind, filename=f.filename or kind, checked=checked, stored_name=stored
            )
            req = rq.get_request(s, req.id)
            out, office_id, req_id, state = online_visitor_json(s, req), req.office_id, req.id, req.state
    except Exception:
        discard(stored)
        raise
    request_changed(office_id, req_id, state)
    return jsonify(out)


# Both routes take a plain segment, so neither answers 405 for the other's shape of URL: an id that is not a
# number names no upload (404), as an unknown kind names no document (404).
@bp.get("/visitor/requests/<token>/uploads/<upload_id>")
@api_spec.validate(resp=Response("HTTP_200", HTTP_403=Error, HTTP_404=Error), tags=["online"])
def uploaded_file(token: str, upload_id: str):
    """A file the visitor uploaded, read back through the token."""
    if not upload_id.isdigit() or int(upload_id) >= 2**63:
        raise NotFound("upload_not_found", N_("No such file."))
    with get_db().read() as s:
        req = rq.by_visitor_token(s, token)
        if not papers_open(req):  # they name the visitor, like the invoice and receipt
            return papers_closed()
        up = uploads.get_upload(s, int(upload_id), request_id=req.id)
    return file_response(up)
