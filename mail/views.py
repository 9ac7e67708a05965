"""The supervisor's outbox page (/mail/): what waits, what failed and why, what was sent; retry a message now,
or decide one that was interrupted mid-send (the way /printers/ shows the print queue)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from auth.roles import roles_required
from clock import utcnow
from extensions import get_db, get_settings
from models import MailMessage, MailStatus, ProductRequest
from rules.errors import N_
from rules.privacy import mask_email
from rules.roles import SUPERVISOR_ROLES

bp = Blueprint("mail", __name__, template_folder="templates", url_prefix="/mail")
KIND_LABELS = {
    "confirm_link": N_("E-mail confirmation link"),
    "request_link": N_("Request recorded"),
    "invoice": N_("Invoice"),
    "sample": N_("Data sample and SPPD"),
    "receipt": N_("Receipt"),
    "delivery": N_("Delivery link"),
    "correction": N_("Correction result"),
    "rating": N_("Rating invitation"),
}
STATUS_LABELS = {
    "queued": N_("waiting to be sent"),
    "sending": N_("being sent"),
    "sent": N_("sent"),
    "failed": N_("not sent yet, retried automatically"),
    "refused": N_("refused by the mail server"),
    "needs_decision": N_("interrupted: was it sent?"),
    "cancelled": N_("cancelled"),
}
ATTENTION = (MailStatus.failed, MailStatus.refused, MailStatus.needs_decision)


def _rows(s, q) -> list[dict]:
    msgs = list(s.exec(q))
    numbers = {
        r.id: r.number
        for r in s.exec(
            select(ProductRequest).where(ProductRequest.id.in_({m.request_id for m in msgs if m.request_id}))
        )
    }
    return [
        {
            "id": m.id,
            "kind": m.kind,
            "request": numbers.get(m.request_id, ""),
            "to": mask_email(m.to_addr),
            "status": m.status,
            "attempts": m.attempts,
            "last_error": m.last_error,
            "created_at": m.created_at,
            "sent_at": m.sent_at,
            "next_attempt_at": m.next_attempt_at,
        }
        for m in msgs
    ]


@bp.get("/")
@roles_required(*SUPERVISOR_ROLES)
def outbox():
    """The outbox: messages needing attention, those waiting, and the latest sent."""
    office_id = current_user.office_id
    with get_db().read() as s:
        base = select(MailMessage).where(MailMessage.office_id == office_id)
        attention = _rows(s, base.where(MailMessage.status.in_(ATTENTION)).order_by(MailMessage.id))
        waiting = _rows(
            s, base.where(MailMessage.status.in_((MailStatus.queued, MailStatus.sending))).order_by(MailMessage.id)
        )
        recent = _rows(s, base.order_by(MailMessage.id.desc()).limit(50))
    cfg = get_settings().mail
    return render_template(
        "mail/outbox.html",
        attention=attention,
        waiting=waiting,
        recent=recent,
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
        server=f"{cfg.host}:{cfg.port}" if cfg.enabled else "",
        now=utcnow(),
    )


@bp.post("/<int:message_id>/<action>")
@roles_required(*SUPERVISOR_ROLES)
def act(message_id: int, action: str):
    """Retry a message now, mark an interrupted one as sent, or cancel it."""
    now = utcnow()
    with get_db().write() as s:
        m = s.get(MailMessage, message_id)
        if m is None or m.office_id != current_user.office_id or action not in ("retry", "sent", "cancel"):
            flash(_("No such message."), "error")
            return redirect(url_for("mail.outbox"))
        if m.status in (MailStatus.sent, MailStatus.sending, MailStatus.cancelled) and action != "retry":
            flash(_("This message is %(status)s; nothing to decide.", status=_(STATUS_LABELS[m.status])), "error")
            return redirect(url_for("mail.outbox"))
        if action == "retry":
            if m.status == MailStatus.sending:
                flash(_("This message is being sent now."), "error")
                return redirect(url_for("mail.outbox"))
            m.status, m.next_attempt_at, m.last_error = MailStatus.queued, now, ""
        elif action == "sent":
            m.status, m.sent_at = MailStatus.sent, m.sending_at or now
        else:
            m.status = MailStatus.cancelled
        m.decided_by = current_user.id
        s.add(m)
    flash(_("Done."), "notice")
    return redirect(url_for("mail.outbox"))
