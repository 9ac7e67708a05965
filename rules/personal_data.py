"""A person's rights at the counter (UU 27/2022 PDP): find them, everything held about them (every table of the
registry, and their files), an export of it, a correction, and merging two records of one person. Erasure is in
rules/erasure.py. Each change is recorded as a PrivacyAction: who, when, why, which fields (never their values).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, or_, update
from sqlmodel import Session, SQLModel, select
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import npwp as stdnum_npwp

from clock import iso, utcnow
from models import GuestBookEntry, Invoice, PrivacyAction, ProductRequest, Visitor
from rules import guestbook
from rules.errors import N_, NotFound, RuleError
from rules.personal_registry import FILE_HOLDERS, REGISTRY, About, Ids, Places, ids_of

# Columns that are keys to a visitor's links or papers: shown as hidden in a record and an export (they are
# credentials, not data about the person).
SECRET = re.compile(r"token$")
CORRECTABLE = (
    "name",
    "email",
    "phone",
    "gender",
    "birth_year",
    "education",
    "occupation",
    "institution_category",
    "institution_name",
    "npwp",
)


def get_person(session: Session, visitor_id: int, *, office_id: int) -> Visitor:
    """A person of this office, or a 404 refusal."""
    v = session.get(Visitor, visitor_id)
    if v is None or v.office_id != office_id:
        raise NotFound("person_not_found", N_("No such person."))
    return v


def search(session: Session, *, office_id: int, q: str, limit: int = 50) -> list[Visitor]:
    """People by name, e-mail or phone (on record or typed on a visit), request or invoice number, or #id."""
    q = (q or "").strip()
    if len(q) < 2:
        return []
    V, G = Visitor, GuestBookEntry
    conds = []
    if re.fullmatch(r"#\d+", q):
        conds.append(V.id == int(q[1:]))
    digits = re.sub(r"[\s\-().+]", "", q)
    if digits.isdigit() and len(digits) >= 6:
        phone = guestbook.normalize_phone(q)
        conds += [V.phone == phone, V.id.in_(select(G.visitor_id).where(G.office_id == office_id, G.phone == phone))]
    if "/" in q:
        number = func.upper(ProductRequest.number) == q.upper()
        inv = select(Invoice.request_id).where(func.upper(Invoice.number) == q.upper())
        conds.append(V.id.in_(select(ProductRequest.visitor_id).where(or_(number, ProductRequest.id.in_(inv)))))
    if not conds:
        like = f"%{q.lower()}%"
        typed = select(G.visitor_id).where(
            G.office_id == office_id, or_(func.lower(G.name).like(like), func.lower(G.email).like(like))
        )
        conds += [func.lower(V.name).like(like), func.lower(V.email).like(like), V.id.in_(typed)]
    return list(
        session.exec(select(V).where(V.office_id == office_id, or_(*conds)).order_by(V.updated_at.desc()).limit(limit))
    )


# ---- everything held ------------------------------------------------------------------------------------


@dataclass
class Holding:
    """One table's rows about the person, its title (msgid), and why they stay after an erasure (None: they go)."""

    table: str
    title: str
    rows: list
    kept: str | None


def holdings(session: Session, visitor_id: int) -> tuple[Ids, list[Holding]]:
    """Every row about the person, table by table, in the registry's order."""
    ids = ids_of(session, visitor_id)
    out = [Holding(t, e.title, e.rows(session, ids), e.kept) for t, e in REGISTRY.items() if isinstance(e, About)]
    return ids, out


def files_of(session: Session, ids: Ids, places: Places) -> list[Path]:
    """Every file held about the person (slip files, uploads)."""
    return [p for holder in FILE_HOLDERS.values() for p in holder(session, ids, places)]


def value_json(value):
    """A column's value as JSON carries it (bytes, e.g. an e-mail's attached PDF, as base64)."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return value


def row_json(row: SQLModel) -> dict:
    """Every column of a row; link tokens hidden, JSON texts decoded."""
    out = {}
    for col in row.__table__.columns:
        value = getattr(row, col.key)
        if SECRET.search(col.key) and value:
            value = "(hidden)"
        elif isinstance(value, str) and value[:1] in ("{", "[") and col.key in ("payload", "snapshot", "detail"):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        out[col.key] = value_json(value)
    return out


def export(session: Session, visitor_id: int, *, places: Places, now: datetime | None = None) -> dict:
    """Everything held about a person as one JSON document: every table's rows and the files."""
    ids, held = holdings(session, visitor_id)
    return {
        "person": visitor_id,
        "generated_at": iso(now or utcnow()),
        "tables": {h.table: [row_json(r) for r in h.rows] for h in held},
        "kept_after_erasure": {h.table: h.kept for h in held if h.kept},
        "files": [{"name": p.name, "bytes": p.stat().st_size} for p in files_of(session, ids, places) if p.exists()],
    }


def record_action(
    session: Session,
    *,
    office_id: int,
    visitor_id: int | None,
    kind: str,
    user_id: int | None,
    reason: str,
    detail: dict,
    now: datetime | None = None,
) -> PrivacyAction:
    """One rights action, or the retention job's, with who, when, why and what it touched (no values)."""
    action = PrivacyAction(
        office_id=office_id,
        visitor_id=visitor_id,
        kind=kind,
        at=now or utcnow(),
        user_id=user_id,
        reason=reason[:500],
        detail=json.dumps(detail, sort_keys=True),
    )
    session.add(action)
    session.flush()
    return action


def _reason(reason: str) -> str:
    """The reason typed for a rights action, or a field error when it says nothing."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise guestbook.FieldsInvalid({"reason": N_("Say why (at least 5 characters): whose request, how it came.")})
    return reason


# ---- correcting ---------------------------------------------------------------------------------------


def _checked(field: str, value):
    """A corrected value as the guest book would store it, or a FieldError naming what is wrong."""
    value = value.strip() if isinstance(value, str) else value
    if field == "name":
        if not value or len(value) < 2 or not re.search(r"[^\W\d_]", value):
            raise guestbook.FieldError(field, N_("Enter your name in letters."))
        return re.sub(r"\s+", " ", value)[:120]
    if field == "email":
        email = guestbook.normalize_email(value)
        if not email:
            raise guestbook.FieldError(field, N_("Enter a valid email address, e.g. nama@contoh.id."))
        return email
    if field == "phone":
        phone = guestbook.normalize_phone(value)
        if not guestbook._PHONE.match(phone):
            raise guestbook.FieldError(field, N_("Enter an Indonesian mobile number, e.g. 0812 3456 7890."))
        return phone
    if field == "birth_year":
        if value in (None, ""):
            return None
        try:
            year = int(value)
        except (TypeError, ValueError):
            raise guestbook.FieldError(field, N_("Enter a number.")) from None
        if not utcnow().year - 110 <= year <= utcnow().year - 10:
            raise guestbook.FieldError(field, N_("Enter a number."))
        return year
    if field == "npwp":
        if not value:
            return ""
        try:
            return stdnum_npwp.validate(value)
        except StdnumError:
            raise guestbook.FieldError(field, N_("This NPWP is not valid (15 or 16 digits).")) from None
    choices = {
        "gender": guestbook.GENDERS,
        "education": guestbook.EDUCATION,
        "occupation": guestbook.OCCUPATIONS,
        "institution_category": guestbook.INSTITUTION_CATEGORIES,
    }
    if field in choices:
        if value and value not in choices[field]:
            raise guestbook.FieldError(field, N_("Choose from the list."))
        return value or ""
    return (value or "")[:200]  # institution_name


def correct(
    session: Session,
    *,
    visitor_id: int,
    office_id: int,
    user_id: int,
    changes: dict,
    reason: str,
    now: datetime | None = None,
) -> PrivacyAction:
    """Correct a person's record at their request. A corrected name or institution is also written on their
    invoices' frozen buyer (the papers printed from then on). Records which fields changed, not the values."""
    now = now or utcnow()
    reason = _reason(reason)
    v = get_person(session, visitor_id, office_id=office_id)
    if v.erased_at is not None:
        raise RuleError("person_erased", N_("This person's data was erased; there is nothing to correct."))
    errors, new = {}, {}
    for field, value in changes.items():
        if field not in CORRECTABLE:
            continue
        try:
            value = _checked(field, value)
        except guestbook.FieldError as e:
            errors[field] = e.msgid
            continue
        if value != getattr(v, field):
            new[field] = value
    if errors:
        raise guestbook.FieldsInvalid(errors)
    if not new:
        raise RuleError("nothing_changed", N_("Nothing was changed."), status=400)
    for field, value in new.items():
        setattr(v, field, value)
    if "institution_category" in new:
        v.segment = guestbook.SEGMENT_OF_CATEGORY.get(v.institution_category, "other") if v.institution_category else ""
    v.updated_at = now
    session.add(v)
    papers = 0
    if {"name", "institution_name"} & set(new):
        ids = ids_of(session, v.id)
        for inv in session.exec(select(Invoice).where(Invoice.id.in_(ids.invoices))) if ids.invoices else []:
            snap = json.loads(inv.snapshot or "{}")
            snap["buyer"] = {"name": v.name, "institution": v.institution_name}
            inv.snapshot = json.dumps(snap, sort_keys=True)
            session.add(inv)
            papers += 1
    return record_action(
        session,
        office_id=office_id,
        visitor_id=v.id,
        kind="correct",
        user_id=user_id,
        reason=reason,
        detail={"fields": sorted(new), "invoices_rewritten": papers},
        now=now,
    )


# ---- merging -------------------------------------------------------------------------------------------


def merge(
    session: Session,
    *,
    into_id: int,
    other_id: int,
    office_id: int,
    user_id: int,
    reason: str,
    now: datetime | None = None,
) -> PrivacyAction:
    """Two records are one person: move every row of `other` (every column that refers to a visitor, in any
    table) to `into`, and delete `other`. The record kept keeps its own identity; correct it if needed."""
    now = now or utcnow()
    reason = _reason(reason)
    if into_id == other_id:
        raise RuleError("same_person", N_("Choose another record to merge."), status=400)
    keep = get_person(session, into_id, office_id=office_id)
    other = get_person(session, other_id, office_id=office_id)
    if keep.erased_at is not None or other.erased_at is not None:
        raise RuleError("person_erased", N_("An erased record cannot be merged."))
    moved = {}
    for table in SQLModel.metadata.sorted_tables:
        for col in table.columns:
            if any(fk.column.table.name == "visitor" for fk in col.foreign_keys):
                n = session.execute(update(table).where(col == other_id).values({col.key: into_id})).rowcount
                if n:
                    moved[f"{table.name}.{col.key}"] = n
    session.expire_all()
    session.delete(session.get(Visitor, other_id))
    keep = session.get(Visitor, into_id)
    keep.updated_at = now
    session.add(keep)
    return record_action(
        session,
        office_id=office_id,
        visitor_id=into_id,
        kind="merge",
        user_id=user_id,
        reason=reason,
        detail={"merged_person": other_id, "moved": moved},
        now=now,
    )


def actions(session: Session, visitor_id: int) -> list[PrivacyAction]:
    """The rights actions recorded for a person, newest first."""
    return list(
        session.exec(
            select(PrivacyAction).where(PrivacyAction.visitor_id == visitor_id).order_by(PrivacyAction.at.desc())
        )
    )
