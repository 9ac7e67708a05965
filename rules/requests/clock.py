"""The 10-working-day clock of a request made outside the counter (online, portal, e-mail, WhatsApp).

It starts when the officer marks the request clear and complete (`mark_clear`), pauses while the request
waits on the visitor, and stops when the product is delivered, which records the days used and the verdict
(ProductRequest.served_days, served_within) for the reports.

Waiting on the visitor (the reading of the standard, docs/ONLINE.md): the visitor's steps of the online flow
are paying (step 11) and signing the SPPD (step 12); the office can do nothing about either. So the clock
pauses while
  * "payment": an invoice has been sent and no payment (billing-code NTPN or a transfer's proof) has come in;
  * "sppd": the SPPD was sent with the invoice and the signed one has not come back.
The treasurer's checking of a payment or a transfer proof is the office's work and does not pause it.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from clock import business_day, iso
from models import InvoiceStatus, Office, Payment, PaymentStatus, ProductRequest
from rules import offices
from rules.requests.machine import active_invoice, lines
from rules.working_days import LIMIT_DAYS, ClockState, clock_state, served_within
from settings import Settings

PAUSE_WORDS = {
    "payment": "waiting for the payment",
    "sppd": "waiting for the signed SPPD",
}
_settings: Settings | None = None


def use_settings(settings: Settings) -> None:
    """The office calendar's settings (working week, holidays, cuti bersama): set by the app at start."""
    global _settings
    _settings = settings


def _current_settings() -> Settings:
    global _settings
    if _settings is None:
        from settings import load_settings

        _settings = load_settings()
    return _settings


def waiting_on(session: Session, req: ProductRequest) -> str:
    """Why the request waits on the visitor now ("payment", "sppd"), or "" when the office has the next step."""
    if req.delivered_at is not None or req.state in ("closed", "cancelled", "delivered", "correcting"):
        return ""
    inv = active_invoice(session, req.id)
    if inv is not None and inv.status == InvoiceStatus.issued:
        paid = session.exec(
            select(Payment.id).where(
                Payment.invoice_id == inv.id,
                Payment.status.in_([PaymentStatus.recorded, PaymentStatus.confirmed]),
            )
        ).first()
        if paid is None:
            return "payment"
    needs_sppd = any(ln.category in ("microdata", "map") for ln in lines(session, req.id))
    if needs_sppd and req.sppd_prepared_at is not None and req.sppd_signed_at is None:
        return "sppd"
    return ""


def pauses_of(req: ProductRequest) -> list[list]:
    """The stored pauses: [[start ISO, end ISO or None, reason], ...]."""
    return json.loads(req.clock_pauses or "[]")


def sync(session: Session, req: ProductRequest, now: datetime) -> None:
    """Open or close the pause after a step, so the stored pauses always say when the visitor was waited on."""
    if req.clear_at is None:
        return
    pauses = pauses_of(req)
    is_open = bool(pauses) and pauses[-1][1] is None
    reason = waiting_on(session, req)
    if reason and not is_open:
        pauses.append([iso(now), None, reason])
    elif is_open and not reason:
        pauses[-1][1] = iso(now)
    elif is_open and reason != pauses[-1][2]:
        pauses[-1][1] = iso(now)
        pauses.append([iso(now), None, reason])
    else:
        return
    req.clock_pauses = json.dumps(pauses)
    session.add(req)


def _local_pauses(req: ProductRequest, tz) -> list[tuple[date, date | None]]:
    out = []
    for start, end, _reason in pauses_of(req):
        s = business_day(datetime.fromisoformat(start), tz)
        e = business_day(datetime.fromisoformat(end), tz) if end else None
        out.append((s, e))
    return out


def calendar_for(session: Session, office_id: int, start: date, end: date):
    """The office's working calendar for a span (public holidays, cuti bersama as configured, closures)."""
    from rules.special_days import office_calendar

    return office_calendar(session, _current_settings(), office_id, start - timedelta(days=1), end)


def state(session: Session, req: ProductRequest, now: datetime) -> ClockState | None:
    """Where the request stands against the 10 working days today; None before it is clear and complete."""
    if req.clear_at is None:
        return None
    tz = offices.office_tz(session.get(Office, req.office_id))
    start = business_day(req.clear_at, tz)
    today = business_day(req.delivered_at or now, tz)
    cal = calendar_for(session, req.office_id, start, max(today, start) + timedelta(days=120))
    return clock_state(cal, start, today, _local_pauses(req, tz), LIMIT_DAYS)


def stop(session: Session, req: ProductRequest, now: datetime) -> None:
    """At delivery: close a pause still open and record the working days used and the verdict."""
    if req.clear_at is None:
        return
    pauses = pauses_of(req)
    if pauses and pauses[-1][1] is None:
        pauses[-1][1] = iso(now)
        req.clock_pauses = json.dumps(pauses)
    tz = offices.office_tz(session.get(Office, req.office_id))
    start, served = business_day(req.clear_at, tz), business_day(now, tz)
    cal = calendar_for(session, req.office_id, start, served)
    req.served_days, req.served_within = served_within(cal, start, served, _local_pauses(req, tz), LIMIT_DAYS)
    session.add(req)


def clock_json(session: Session, req: ProductRequest, now: datetime) -> dict | None:
    """The clock as screens show it: due day, days used and left, paused (why) or overdue."""
    st = state(session, req, now)
    if st is None:
        return None
    pauses = pauses_of(req)
    return {
        "limit_days": LIMIT_DAYS,
        "clear_at": iso(req.clear_at),
        "used": st.used,
        "left": st.left,
        "due": st.due.isoformat() if st.due else None,
        "paused": st.paused,
        "paused_for": pauses[-1][2] if st.paused and pauses else "",
        "overdue": st.overdue,
        "served_days": req.served_days,
        "served_within": req.served_within,
    }
