"""The papers a microdata or map buyer signs, as plain data for printer/agreements.py: the data-use agreement
(SPPD, Surat Perjanjian Penggunaan Data, signed on a Rp 10.000 meterai) and the data-sample handover (berita
acara serah terima contoh data). Prefilled from the request: the office, the buyer as recorded on the person,
the products, the officer; the dates and signatures are left to the pen where they are not known yet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from clock import utcnow
from models import Office, ProductRequest, User, Visitor
from rules import requests as rq
from rules import tariffs
from rules.errors import N_, RuleError

Translate = Callable[[str], str]
KINDS = ("sppd", "sample")


def needed(session: Session, req: ProductRequest) -> list[str]:
    """Which of the two papers the request has: the SPPD for microdata or maps, the handover for microdata."""
    out = []
    if rq.needs_sppd(session, req):
        out.append("sppd")
    if any(ln.category == "microdata" for ln in rq.lines(session, req.id)):
        out.append("sample")
    return out


def document(
    session: Session,
    req: ProductRequest,
    kind: str,
    *,
    translate: Translate = lambda s: s,
    lang: str = "id",
    now: datetime | None = None,
) -> dict:
    """The SPPD or the sample handover of a request, as printer/agreements.py renders it."""
    if kind not in needed(session, req):
        raise RuleError(
            "paper_not_needed",
            N_("This request has no such paper: the SPPD is for microdata and maps, the sample for microdata."),
            status=404,
        )
    office = session.get(Office, req.office_id)
    visitor = session.get(Visitor, req.visitor_id)
    officer = session.get(User, req.officer_id) if req.officer_id else None
    schedules = tariffs.load_schedules()
    products = []
    for ln in rq.lines(session, req.id):
        if kind == "sample" and ln.category != "microdata":
            continue
        if kind == "sppd" and ln.category not in ("microdata", "map"):
            continue
        it = next((s.items[ln.item_code] for s in reversed(schedules) if ln.item_code in s.items), None)
        name = tariffs.item_name(it, lang) if it else ln.item_code
        products.append(f"{name} — {ln.description}" if ln.description else name)
    dated = req.sppd_prepared_at if kind == "sppd" else req.sample_handed_at
    return {
        "kind": kind,
        "office": {"name": office.name, "address": office.address, "code": office.code, "timezone": office.timezone},
        "number": req.number,
        "date": dated or now or utcnow(),
        "buyer": {
            "name": visitor.name,
            "institution": visitor.institution_name,
            "email": visitor.email,
            "phone": visitor.phone,
        },
        "products": products,
        "officer": officer.name if officer else "",
        "handed_over": req.sample_handed_at is not None if kind == "sample" else None,
    }
