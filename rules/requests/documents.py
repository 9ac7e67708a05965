"""Steps 7-8: the visitor's agreement to the sale terms, and the document checklist the products need."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import npwp as stdnum_npwp

from clock import iso, utcnow
from models import ProductRequest, RequestDocument, Visitor
from rules.errors import N_, Msg, MsgList, RuleError
from rules.requests.machine import (
    CHECKED_BEFORE_INVOICE,
    DOC_WORDS,
    documents,
    get_request,
    get_user,
    lines,
    record,
    require,
)


def documents_needed(req: ProductRequest, categories: set[str]) -> list[str]:
    """The checklist the chosen products need: abstract and SPPD for microdata or maps, NPWP for a private
    buyer of a paid product (asked here, when the request is made, never at the guest book), the request
    letter for Rp 0."""
    kinds = []
    if categories & {"microdata", "map"}:
        kinds += ["abstract", "sppd"]
    if req.segment == "private" and (req.total or 0) > 0:
        kinds.append("npwp")
    if req.zero_tariff:
        kinds.append("request_letter")
    return kinds


def needs_sppd(session: Session, req: ProductRequest) -> bool:
    return "sppd" in documents_needed(req, {ln.category for ln in lines(session, req.id)})


def sync_checklist(session: Session, req: ProductRequest) -> list[RequestDocument]:
    """Make the checklist rows match what the products need (received ticks are kept)."""
    needed = documents_needed(req, {ln.category for ln in lines(session, req.id)})
    have = {d.kind: d for d in documents(session, req.id)}
    for kind, doc in have.items():
        if kind not in needed and not doc.received:
            session.delete(doc)
    for kind in needed:
        if kind not in have:
            session.add(RequestDocument(office_id=req.office_id, request_id=req.id, kind=kind))
    session.flush()
    return [d for d in documents(session, req.id) if d.kind in needed]


def checklist(session: Session, req: ProductRequest) -> list[dict]:
    """The checklist as screens show it: what is needed, whether it is in hand, notes."""
    needed = documents_needed(req, {ln.category for ln in lines(session, req.id)})
    have = {d.kind: d for d in documents(session, req.id)}
    out = []
    for kind in needed:
        d = have.get(kind)
        out.append(
            {
                "kind": kind,
                "label": DOC_WORDS[kind],
                "received": bool(d and d.received),
                "note": d.note if d else "",
                "checked_at": iso(d.checked_at) if d else None,
                "when": "before_invoice" if kind in CHECKED_BEFORE_INVOICE else "before_delivery",
            }
        )
    return out


def tick_document(
    session: Session,
    *,
    request_id: int,
    user_id: int,
    kind: str,
    received: bool,
    note: str = "",
    npwp: str = "",
    now: datetime | None = None,
) -> RequestDocument:
    """Tick (or untick) one checklist item, with a note of what is missing (step 7-8).

    For the NPWP the officer types the number shown unless the visitor's record has one; it is checked (15 or
    16 digits) and kept on the visitor. An NPWP ticked as received without any number is refused.
    """
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "tick_document", user=user)
    docs = {d.kind: d for d in sync_checklist(session, req)}
    if kind == "sppd":
        raise RuleError("sppd_later", N_('The SPPD is signed after the invoice; record it with "SPPD signed".'))
    if kind not in docs:
        raise RuleError(
            "document_not_needed",
            N_("This request does not need a %(document)s."),
            status=400,
            document=Msg(DOC_WORDS.get(kind, kind)),
        )
    changed = {"document": kind, "received": bool(received)}
    if kind == "npwp" and npwp:
        try:
            number = stdnum_npwp.validate(npwp)
        except StdnumError:
            raise RuleError("bad_npwp", N_("This NPWP is not valid (15 or 16 digits)."), status=400) from None
        visitor = session.get(Visitor, req.visitor_id)
        visitor.npwp, visitor.updated_at = number, now
        session.add(visitor)
        changed["npwp_updated"] = True  # never the number itself: the history is not the place for it
    elif kind == "npwp" and received and not session.get(Visitor, req.visitor_id).npwp:
        raise RuleError(
            "npwp_required",
            N_("A private buyer of a paid product needs an NPWP: type the number shown (15 or 16 digits)."),
            status=400,
        )
    doc = docs[kind]
    doc.received, doc.note = bool(received), (note or "").strip()[:300]
    doc.checked_by, doc.checked_at = user.id, now
    session.add(doc)
    record(session, req, "tick_document", now=now, user=user, **changed, note=doc.note)
    return doc


def agree(session: Session, *, request_id: int, user_id: int, now: datetime | None = None) -> ProductRequest:
    """The visitor agrees to the sale terms (format, cost, electronic media) after seeing the tariff (step 7)."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "agree", user=user)
    if not lines(session, req.id):
        raise RuleError("no_lines", N_("Add at least one product before recording the agreement."))
    req.terms_agreed_at = now
    sync_checklist(session, req)
    record(session, req, "agree", now=now, user=user, total=req.total)
    return req


def check_documents(session: Session, *, request_id: int, user_id: int, now: datetime | None = None) -> ProductRequest:
    """The officer confirms the documents are complete (step 8); refused with the list of what is missing."""
    now = now or utcnow()
    user = get_user(session, user_id)
    req = get_request(session, request_id, for_update=True)
    require(req, "check_documents", user=user)
    missing = [d for d in sync_checklist(session, req) if d.kind in CHECKED_BEFORE_INVOICE and not d.received]
    if missing:
        raise RuleError(
            "documents_missing",
            N_("Documents still missing: %(missing)s."),
            missing=MsgList(Msg(DOC_WORDS[d.kind]) for d in missing),
        )
    req.documents_checked_at = now
    record(session, req, "check_documents", now=now, user=user)
    return req
