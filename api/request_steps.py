"""A step on a paid-product request from a staff screen (the counter's request panel, the treasurer's screen):
run it in one write transaction, answer with the request as staff see it, tell the office's staff screens."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from clock import utcnow
from extensions import get_db, get_settings
from i18n import select_locale, translate
from links import request_links
from mail import outbox
from realtime import publish
from rules import requests as rq


def staff_view(s, req) -> dict:
    """A request as the counter and treasurer screens show it, with the visitor's links and the PDFs'."""
    from rules import uploads
    from rules.requests import clock, readiness

    out = rq.staff_view(s, req, translate=translate, lang=select_locale())
    out["channel"] = req.channel
    out["channel_label"] = translate(rq.CHANNEL_WORDS.get(req.channel, req.channel))
    out["email_confirmed"] = req.email_confirmed_at is not None
    out["shipping_fee"], out["shipping_note"] = req.shipping_fee, req.shipping_note
    out["sppd_received_how"] = req.sppd_received_how
    out["clock"] = clock.clock_json(s, req, utcnow())
    out["uploads"] = [
        {**uploads.upload_json(u), "url": f"/api/requests/{req.id}/uploads/{u.id}"}
        for u in uploads.uploads_of(s, req.id)
    ]
    readiness.annotate(out, translate)
    out["links"] = request_links(get_settings(), req)
    out["links"].update({f"invoice_pdf_{i['id']}": f"/api/invoices/{i['id']}/pdf" for i in out["invoices"]})
    out["links"].update({f"receipt_pdf_{r['id']}": f"/api/receipts/{r['id']}/pdf" for r in out["receipts"]})
    return out


def own_request(s, request_id: int):
    """The request, if it belongs to the signed-in user's office (404 otherwise)."""
    return rq.get_request(s, request_id, office_id=current_user.office_id)


def request_changed(office_id: int, request_id: int, state: str) -> None:
    """Tell the office's staff screens (and the visitor's phone, through its hook) that a request changed."""
    publish(
        office_id, event="request_changed", data={"id": request_id, "state": state}, staff_only=True, snapshot=False
    )


def run_step(request_id: int, fn, status: int = 200):
    """Run fn(session, request) in a write transaction; answer {request, **what fn returned}; broadcast."""
    with get_db().write() as s:
        req = own_request(s, request_id)
        before = outbox.last_event_id(s, req)
        extra = fn(s, req) or {}
        # The e-mails the step calls for, in the same transaction: they go out only if the step commits.
        outbox.for_new_steps(s, rq.get_request(s, req.id), before)
        req = rq.get_request(s, req.id)
        out = {"request": staff_view(s, req), **extra}
        office_id, state = req.office_id, req.state
    request_changed(office_id, request_id, state)
    return jsonify(out), status
