"""Invoices: numbering, the billing code, one month of validity, expiry and replacement; the invoice and receipt
documents handed to the printer; and the PNBP summary reports use.

Billing code decision: a SIMPONI billing code for PNBP is 15 digits beginning with 7, 8 or 9 (SPEC). Loket refuses
anything else at the counter, because a code that cannot exist cannot be paid and a typo found at the bank
costs the visitor a second trip. Validity: the invoice is valid through the same day one calendar month after
its (office-local) issue day (31 January -> 28/29 February), to the end of that day.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from clock import business_day, day_bounds, iso, utcnow
from models import Invoice, InvoiceStatus, Office, Payment, PaymentStatus, ProductRequest, Receipt, User, Visitor
from rules import numbering, offices, tariffs
from rules import requests as rq
from rules.errors import N_, NotFound, RuleError

INVOICE_PREFIX = "INV"
RECEIPT_PREFIX = "KW"  # kuitansi
_BILLING = re.compile(r"^[789]\d{14}$")


def normalize_billing_code(value: str) -> str:
    """Drop the spaces, dots and dashes people type between digit groups."""
    return re.sub(r"[\s.\-]", "", value or "")


def validate_billing_code(value: str) -> str:
    code = normalize_billing_code(value)
    if not _BILLING.match(code):
        raise RuleError(
            "bad_billing_code", N_("A billing code has 15 digits and begins with 7, 8 or 9 (SIMPONI)."), status=400
        )
    return code


def add_month(day: date) -> date:
    """The same day a calendar month later, or the month's last day (31 Jan -> 28/29 Feb)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def validity(office: Office, issued_at: datetime) -> datetime:
    """The moment the invoice stops being valid: the end of the local day one month after issue."""
    tz = offices.office_tz(office)
    last_day = add_month(business_day(issued_at, tz))
    return day_bounds(last_day, tz)[1]


def effective_status(inv: Invoice, now: datetime) -> str:
    """The status as of now: an issued invoice past its validity is expired even before anyone records it."""
    if inv.status == InvoiceStatus.issued and now >= inv.valid_until:
        return InvoiceStatus.expired
    return inv.status


def _has_payment(session: Session, inv: Invoice) -> bool:
    return (
        session.exec(
            select(Payment.id).where(
                Payment.invoice_id == inv.id, Payment.status.in_([PaymentStatus.recorded, PaymentStatus.confirmed])
            )
        ).first()
        is not None
    )


def refresh(session: Session, inv: Invoice, now: datetime) -> Invoice:
    """Record the expiry of an invoice whose month has run out (at the moment it ran out)."""
    if inv.status != InvoiceStatus.issued or now < inv.valid_until or _has_payment(session, inv):
        return inv
    inv.status, inv.closed_at, inv.close_reason = InvoiceStatus.expired, inv.valid_until, "validity ended"
    session.add(inv)
    req = session.get(ProductRequest, inv.request_id)
    if req.state in rq.UNPAID_WORK:
        before = req.updated_at
        rq.record(session, req, "expire_invoice", now=now, at=inv.valid_until, invoice=inv.number)
        req.updated_at = max(before, now)
    return inv


def expire_due(session: Session, *, office_id: int, now: datetime | None = None) -> int:
    """Expire every invoice of an office whose validity has ended; returns how many."""
    now = now or utcnow()
    due = session.exec(
        select(Invoice).where(
            Invoice.office_id == office_id, Invoice.status == InvoiceStatus.issued, Invoice.valid_until <= now
        )
    ).all()
    n = 0
    for inv in due:
        if refresh(session, inv, now).status == InvoiceStatus.expired:
            n += 1
    return n


def _check_code_unused(session: Session, office_id: int, code: str) -> None:
    used = session.exec(select(Invoice).where(Invoice.office_id == office_id, Invoice.billing_code == code)).first()
    if used is not None:
        raise RuleError(
            "billing_code_used",
            N_("Billing code %(code)s is already on invoice %(number)s; each invoice needs its own billing code."),
            code=code,
            number=used.number,
        )


def _snapshot(session: Session, req: ProductRequest) -> str:
    visitor = session.get(Visitor, req.visitor_id)
    return json.dumps(
        {
            "buyer": {"name": visitor.name, "institution": visitor.institution_name},
            "lines": [
                {
                    "item_code": ln.item_code,
                    "category": ln.category,
                    "description": ln.description,
                    "measure": ln.measure,
                    "quantity": ln.quantity,
                    "unit": ln.unit,
                    "unit_price": ln.unit_price,
                    "amount": ln.amount,
                    "rule": json.loads(ln.rule),
                    "schedule": ln.schedule,
                }
                for ln in rq.lines(session, req.id)
            ],
            "shipping": {"fee": req.shipping_fee, "note": req.shipping_note} if req.shipping_fee else None,
        },
        sort_keys=True,
    )


def _new_invoice(
    session: Session, req: ProductRequest, user: User, code: str, now: datetime, replaces: Invoice | None = None
) -> Invoice:
    number, year = numbering.document_number(
        session, office_id=req.office_id, kind="invoice", prefix=INVOICE_PREFIX, now=now
    )
    office = session.get(Office, req.office_id)
    inv = Invoice(
        office_id=req.office_id,
        request_id=req.id,
        number=number,
        year=year,
        billing_code=code,
        total=req.total,
        issued_at=now,
        valid_until=validity(office, now),
        issued_by=user.id,
        replaces_id=replaces.id if replaces else None,
        snapshot=_snapshot(session, req),
    )
    session.add(inv)
    session.flush()
    return inv


def issue_invoice(
    session: Session, *, request_id: int, user_id: int, billing_code: str, now: datetime | None = None
) -> Invoice:
    """Issue the invoice with the billing code the officer made in SIMPONI (step 9); the SPPD form is prepared."""
    now = now or utcnow()
    user = rq.get_user(session, user_id)
    req = rq.get_request(session, request_id, for_update=True)
    rq.require(req, "issue_invoice", user=user)
    rq.needs_clear_first(req)
    if req.total <= 0:
        raise RuleError(
            "nothing_to_pay", N_("This request costs Rp 0; it needs no invoice. Start preparing the product instead.")
        )
    code = validate_billing_code(billing_code)
    _check_code_unused(session, req.office_id, code)
    inv = _new_invoice(session, req, user, code, now)
    if rq.needs_sppd(session, req):
        req.sppd_prepared_at = now
    rq.record(
        session,
        req,
        "issue_invoice",
        now=now,
        user=user,
        invoice=inv.number,
        billing_code=code,
        total=inv.total,
        valid_until=iso(inv.valid_until),
    )
    return inv


def replace_invoice(
    session: Session, *, request_id: int, user_id: int, billing_code: str, reason: str = "", now: datetime | None = None
) -> Invoice:
    """Replace the standing invoice (typically an expired one) by a new one with a new billing code, linked."""
    now = now or utcnow()
    user = rq.get_user(session, user_id)
    req = rq.get_request(session, request_id, for_update=True)
    rq.require(req, "replace_invoice", user=user)
    old = rq.active_invoice(session, req.id)
    if old is None:
        raise RuleError("no_invoice", N_("This request has no invoice to replace."))
    refresh(session, old, now)
    if old.status == InvoiceStatus.paid:
        raise RuleError(
            "invoice_paid", N_("Invoice %(number)s is paid; a paid invoice is never replaced."), number=old.number
        )
    if _has_payment(session, old):
        raise RuleError(
            "payment_pending",
            N_("A payment of invoice %(number)s is waiting for the treasurer; it cannot be replaced now."),
            number=old.number,
        )
    code = validate_billing_code(billing_code)
    _check_code_unused(session, req.office_id, code)
    was = old.status
    old.status, old.closed_at = InvoiceStatus.replaced, now
    old.close_reason = ((reason or "").strip() or ("expired" if was == InvoiceStatus.expired else "replaced"))[:300]
    session.add(old)
    inv = _new_invoice(session, req, user, code, now, replaces=old)
    rq.record(
        session,
        req,
        "replace_invoice",
        now=now,
        user=user,
        invoice=inv.number,
        replaces=old.number,
        was=was,
        billing_code=code,
        valid_until=iso(inv.valid_until),
    )
    return inv


def get_invoice(session: Session, invoice_id: int, *, office_id: int | None = None) -> Invoice:
    inv = session.get(Invoice, invoice_id)
    if inv is None or (office_id is not None and inv.office_id != office_id):
        raise NotFound("invoice_not_found", N_("No such invoice."))
    return inv


# ---- documents for the printer (dict shapes agreed with printer/documents.py) --------------------

Translate = Callable[[str], str]


def _office_json(office: Office) -> dict:
    return {"name": office.name, "short_name": office.short_name, "address": office.address, "code": office.code}


def _doc_lines(snapshot: dict, translate: Translate, lang: str) -> list[dict]:
    out = []
    for ln in snapshot["lines"]:
        it = next(
            (s.items[ln["item_code"]] for s in reversed(tariffs.load_schedules()) if ln["item_code"] in s.items), None
        )
        name = tariffs.item_name(it, lang) if it else ln["item_code"]
        description = f"{name} — {ln['description']}" if ln.get("description") else name
        out.append(
            {
                "description": description,
                "quantity": ln["quantity"],
                "unit": translate(tariffs.PER_WORDS.get(ln["unit"], ln["unit"])),
                "unit_price": ln["unit_price"],
                "amount": ln["amount"],
                "rule": tariffs.describe_rule(ln["rule"], translate),
            }
        )
    return out


def local_last_day(session: Session, inv: Invoice) -> date:
    """The last local day on which the invoice may be paid ('valid until 28 February 2026')."""
    office = session.get(Office, inv.office_id)
    return (inv.valid_until.astimezone(offices.office_tz(office)) - timedelta(days=1)).date()


def invoice_document(
    session: Session, inv: Invoice, *, verify_url: str, translate: Translate = lambda s: s, lang: str = "id"
) -> dict:
    """The invoice as printer.documents renders it (PDF and thermal slip)."""
    office = session.get(Office, inv.office_id)
    snap = json.loads(inv.snapshot)
    officer = session.get(User, inv.issued_by) if inv.issued_by else None
    schedule_names = sorted({ln["schedule"] for ln in snap["lines"]})
    notes = [
        translate(
            N_(
                "Pay with the billing code at a bank, post office or any SIMPONI payment channel; the amount "
                "must match exactly."
            )
        ),
        translate(N_("Tariffs: %(schedule)s. A started block is charged as a whole block."))
        % {"schedule": ", ".join(schedule_names)},
    ]
    lines = _doc_lines(snap, translate, lang)
    if snap.get("shipping"):
        ship = snap["shipping"]
        lines.append(
            {
                "description": translate(N_("Shipping of the hard copy")) + f" — {ship['note']}",
                "quantity": 1,
                "unit": "",
                "unit_price": ship["fee"],
                "amount": ship["fee"],
                "rule": "",
            }
        )
        notes.append(translate(N_("Shipping of a hard copy is paid by the buyer (except a correction's).")))
    if inv.replaces_id:
        old = session.get(Invoice, inv.replaces_id)
        notes.append(translate(N_("Replaces invoice %(number)s.")) % {"number": old.number})
    return {
        "office": _office_json(office),
        "number": inv.number,
        "issued_at": inv.issued_at,
        "valid_until": inv.valid_until,
        "last_valid_day": local_last_day(session, inv),
        "billing_code": inv.billing_code,
        "buyer": snap["buyer"],
        "lines": lines,
        "total": inv.total,
        "officer": officer.name if officer else "",
        "verify_url": verify_url,
        "notes": notes,
        "status": inv.status,
    }


def receipt_document(
    session: Session, rec: Receipt, *, verify_url: str, translate: Translate = lambda s: s, lang: str = "id"
) -> dict:
    """The receipt (kuitansi) as printer.documents renders it."""
    office = session.get(Office, rec.office_id)
    inv = session.get(Invoice, rec.invoice_id)
    pay = session.get(Payment, rec.payment_id)
    snap = json.loads(inv.snapshot)
    treasurer = session.get(User, rec.issued_by)
    return {
        "office": _office_json(office),
        "number": rec.number,
        "issued_at": rec.issued_at,
        "invoice_number": inv.number,
        "billing_code": inv.billing_code,
        "ntpn": pay.ntpn,
        "paid_at": pay.paid_at,
        "payer": snap["buyer"],
        "lines": _doc_lines(snap, translate, lang),
        "total": rec.total,
        "treasurer": treasurer.name if treasurer else "",
        "verify_url": verify_url,
    }


# ---- reports -------------------------------------------------------------------------------------


def pnbp_summary(session: Session, office_id: int, start: datetime, end: datetime) -> dict:
    """PNBP of a period [start, end): what was invoiced and what was received (integer rupiah).

    invoiced: invoices issued in the period that still stand (replaced and cancelled ones are counted apart,
    so a replacement is not counted twice); received: payments the treasurer confirmed, by payment time;
    receipts: receipts issued; by_category: received money per product category; zero_tariff: Rp 0 requests
    (by their agreement time) with the list price waived.
    """
    invs = session.exec(
        select(Invoice).where(Invoice.office_id == office_id, Invoice.issued_at >= start, Invoice.issued_at < end)
    ).all()
    standing = [i for i in invs if i.status in (InvoiceStatus.issued, InvoiceStatus.paid, InvoiceStatus.expired)]
    by_status: dict[str, dict] = {}
    for i in invs:
        s = effective_status(i, end) if i.status == InvoiceStatus.issued else i.status
        b = by_status.setdefault(s, {"count": 0, "total": 0})
        b["count"] += 1
        b["total"] += i.total
    pays = session.exec(
        select(Payment).where(
            Payment.office_id == office_id,
            Payment.status == PaymentStatus.confirmed,
            Payment.paid_at >= start,
            Payment.paid_at < end,
        )
    ).all()
    by_category: dict[str, int] = {}
    for p in pays:
        snap = json.loads(session.get(Invoice, p.invoice_id).snapshot)
        for ln in snap["lines"]:
            by_category[ln["category"]] = by_category.get(ln["category"], 0) + ln["amount"]
    recs = session.exec(
        select(Receipt).where(Receipt.office_id == office_id, Receipt.issued_at >= start, Receipt.issued_at < end)
    ).all()
    zero = session.exec(
        select(ProductRequest).where(
            ProductRequest.office_id == office_id,
            ProductRequest.zero_tariff.is_(True),
            ProductRequest.terms_agreed_at >= start,
            ProductRequest.terms_agreed_at < end,
        )
    ).all()
    waived = 0
    for r in zero:
        for ln in rq.lines(session, r.id):
            waived += json.loads(ln.rule).get("list_amount", 0)
    return {
        "start": iso(start),
        "end": iso(end),
        "currency": "IDR",
        "invoiced": {"count": len(standing), "total": sum(i.total for i in standing)},
        "received": {"count": len(pays), "total": sum(p.amount for p in pays)},
        "receipts": {"count": len(recs), "total": sum(r.total for r in recs)},
        "invoices_by_status": by_status,
        "received_by_category": by_category,
        "zero_tariff": {"count": len(zero), "list_price_waived": waived},
    }
