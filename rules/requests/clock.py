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


def state(session: Session, req: ProductRequest, now: datetime, cal=None) -> ClockState | None:
    """Where the request stands against the 10 working days today; None before it is clear and complete.
    `cal`: the office's calendar when the caller built one for several requests (see live_requests)."""
    if req.clear_at is None:
        return None
    tz = offices.office_tz(session.get(Office, req.office_id))
    start = business_day(req.clear_at, tz)
    today = business_day(req.delivered_at or now, tz)
    if cal is None:
        cal = calendar_for(session, req.office_id, start, max(today, start) + timedelta(days=_AHEAD_DAYS))
    return clock_state(cal, start, today, _local_pauses(req, tz), LIMIT_DAYS)


# How far ahead a calendar is built for a due day (10 working days and a long pause fit easily).
_AHEAD_DAYS = 120


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


def clock_json(session: Session, req: ProductRequest, now: datetime, cal=None) -> dict | None:
    """The clock as screens show it: due day, days used and left, paused (why) or overdue."""
    st = state(session, req, now, cal)
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


def online_limit(session: Session, office_id: int, start: datetime, end: datetime) -> dict:
    """Requests made outside the counter delivered in [start, end): how many were timed, and the share served
    within 10 working days of being clear and complete (the verdict `stop` recorded at delivery). One query over
    ix_productrequest_office_delivered (office_id, delivered_at, served_within)."""
    from sqlalchemy import func

    R = ProductRequest
    timed, within = session.exec(
        select(func.count(R.served_within), func.count().filter(R.served_within.is_(True))).where(
            R.office_id == office_id, R.delivered_at >= start, R.delivered_at < end
        )
    ).one()
    within = within or 0
    return {"delivered": timed, "within": within, "late": timed - within, "share": within / timed if timed else None}


# The supervisor's alarm rings this many working days before the due day (and stays on once it is missed).
ALARM_DAYS_LEFT = 2


def live_requests(session: Session, office_id: int, now: datetime) -> list[dict]:
    """The office's live requests made outside the counter with their clocks, most urgent first: overdue, then
    by days left; those whose clock has not started (not yet clear, e-mail unconfirmed) last."""
    rows = session.exec(
        select(ProductRequest).where(
            ProductRequest.office_id == office_id,
            ProductRequest.channel != "counter",
            ProductRequest.state.not_in(["closed", "cancelled", "delivered"]),
        )
    ).all()
    out, cal = [], None
    started = [r.clear_at for r in rows if r.clear_at is not None]
    if started:  # one calendar for them all: holidays and closures are read once
        tz = offices.office_tz(session.get(Office, office_id))
        first, today = business_day(min(started), tz), business_day(now, tz)
        cal = calendar_for(session, office_id, first, max(today, first) + timedelta(days=_AHEAD_DAYS))
    for r in rows:
        c = clock_json(session, r, now, cal)
        alarm = bool(c and (c["overdue"] or (not c["paused"] and c["left"] <= ALARM_DAYS_LEFT)))
        out.append({"request": r, "clock": c, "alarm": alarm})
    return sorted(out, key=lambda x: (x["clock"] is None, x["clock"]["left"] if x["clock"] else 0, x["request"].id))
