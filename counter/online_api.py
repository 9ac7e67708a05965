"""The counter's endpoints for requests made outside the counter: entering one received through the national
portal, e-mail or WhatsApp; the online requests waiting (with their 10-working-day clocks); marking a request
clear and complete; shipping; and reading a file the visitor uploaded (staff of the office only)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, Field, ValidationError
from spectree import Response

from api.request_steps import own_request, request_changed, run_step, staff_view
from api.schemas import STAFF_ERRORS, ActionOut
from auth.roles import roles_required
from clock import utcnow
from counter.request_schemas import RequestList
from extensions import api_spec, get_db
from mail import outbox
from rules import guestbook, uploads
from rules import requests as rq
from rules.requests import clock
from rules.roles import COUNTER_ROLES, STAFF_ROLES
from storage import read

bp = Blueprint("counter_online_api", __name__, url_prefix="/api")


class EnterIn(BaseModel):
    """A request received by portal, e-mail or WhatsApp: where from, its reference, the visitor's guest book."""

    channel: str = Field(description="portal | email | whatsapp")
    reference: str = Field(default="", max_length=200, description="the portal's number, the e-mail's date/subject")
    language: str = Field(default="id", description="the visitor's language for e-mails: id | en")
    visitor: dict = Field(description="the guest-book fields (as on the kiosk; phone may be +country)")


class ShippingIn(BaseModel):
    fee: int = Field(ge=0, description="rupiah the buyer pays for posting a hard copy")
    note: str = Field(default="", max_length=300, description="what is shipped, courier, address")


@bp.post("/requests/enter")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=EnterIn, resp=Response(HTTP_201=ActionOut, **STAFF_ERRORS), tags=["requests"])
def enter_request():
    """Enter a request received through the national portal, e-mail or WhatsApp (no ticket; channel recorded)."""
    b = request.context.json
    try:
        form = rq.OnlineVisitorForm.model_validate(b.visitor)
    except ValidationError as e:
        raise guestbook.FieldsInvalid(guestbook.errors_by_field(e)) from None
    with get_db().write() as s:
        req = rq.enter_request(
            s, user_id=current_user.id, channel=b.channel, form=form, reference=b.reference, language=b.language
        )
        outbox.for_new_steps(s, req, 0)
        out, office_id, req_id = {"request": staff_view(s, req)}, req.office_id, req.id
    request_changed(office_id, req_id, "open")
    return jsonify(out), 201


def online_rows(s, office_id: int, now) -> list[dict]:
    """The office's live requests made outside the counter, with their clocks, most urgent first."""
    return [
        {
            **rq.summary_json(s, x["request"]),
            "state_label": _(rq.STATE_WORDS[x["request"].state]),
            "channel": x["request"].channel,
            "channel_label": _(rq.CHANNEL_WORDS[x["request"].channel]),
            "email_confirmed": x["request"].email_confirmed_at is not None,
            "clock": x["clock"],
            "alarm": x["alarm"],
        }
        for x in clock.live_requests(s, office_id, now)
    ]


@bp.get("/requests/online")
@roles_required(*STAFF_ROLES)
@api_spec.validate(resp=Response(HTTP_200=RequestList, **STAFF_ERRORS), tags=["requests"])
def online_requests():
    """Live requests made online or entered from the portal, e-mail or WhatsApp: due day and days left."""
    with get_db().read() as s:
        return jsonify(requests=online_rows(s, current_user.office_id, utcnow()))


@bp.post("/requests/<int:request_id>/clear")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def mark_clear(request_id: int):
    """The request is clear and its requirements complete: its 10 working days begin."""
    return run_step(request_id, lambda s, req: rq.mark_clear(s, request_id=req.id, user_id=current_user.id) and None)


@bp.post("/requests/<int:request_id>/shipping")
@roles_required(*COUNTER_ROLES)
@api_spec.validate(json=ShippingIn, resp=Response(HTTP_200=ActionOut, **STAFF_ERRORS), tags=["requests"])
def set_shipping(request_id: int):
    """A hard copy is posted: the shipping the buyer pays, added to the invoice."""
    b = request.context.json
    return run_step(
        request_id,
        lambda s, req: rq.set_shipping(s, request_id=req.id, user_id=current_user.id, fee=b.fee, note=b.note) and None,
    )


@bp.get("/requests/<int:request_id>/uploads/<int:upload_id>")
@roles_required(*STAFF_ROLES)
def upload_file(request_id: int, upload_id: int):
    """A file uploaded for a request, for the office's staff (never cached; shown inline, never run)."""
    with get_db().read() as s:
        req = own_request(s, request_id)
        up = uploads.get_upload(s, upload_id, request_id=req.id)
    return file_response(up)


def file_response(up):
    """An uploaded file as an answer: its checked type, a safe name, no caching, no sniffing."""
    from flask import Response as FlaskResponse

    resp = FlaskResponse(read(up.stored_name), mimetype=up.content_type)
    ext = uploads.EXTENSIONS.get(up.content_type, "bin")
    resp.headers["Content-Disposition"] = f'inline; filename="{up.kind}-{up.id}.{ext}"'
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp
