"""The rights screen's JSON endpoints (head of the PST unit only): find people, a person's record, its export (JSON,
PDF), correct, merge, erase, and the access log. Every read of a person is logged; every change is recorded with
who, when and why (rules/personal_data.py, rules/erasure.py)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from spectree import Response

from api.schemas import STAFF_ERRORS, Error
from auth.roles import roles_required
from clock import iso, utcnow
from extensions import api_spec, get_db
from printer.files import places
from privacy import present
from privacy import schemas as S
from rules import access_log, erasure
from rules import personal_data as pd
from rules.roles import PRIVACY_ROLES

bp = Blueprint("privacy_api", __name__, url_prefix="/api/privacy")


def brief(v) -> dict:
    """A person as a search result lists them."""
    return {
        "id": v.id,
        "name": v.name,
        "email": v.email,
        "phone": v.phone,
        "institution_name": v.institution_name,
        "erased": v.erased_at is not None,
        "updated_at": iso(v.updated_at),
    }


@bp.get("/people")
@roles_required(*PRIVACY_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.PeopleOut, **STAFF_ERRORS), tags=["privacy"])
def find_people():
    """People by name, e-mail or phone (on record or typed on a visit), request or invoice number, or #id (?q=)."""
    with get_db().write() as s:
        found = pd.search(s, office_id=current_user.office_id, q=request.args.get("q", ""))
        present.log_person_read(s, "person_search", [v.id for v in found])
        return jsonify(people=[brief(v) for v in found])


@bp.get("/people/<int:visitor_id>")
@roles_required(*PRIVACY_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.RecordOut, **STAFF_ERRORS), tags=["privacy"])
def person(visitor_id: int):
    """Everything held about a person: every table's rows, the files, what blocks an erasure, the actions."""
    with get_db().write() as s:
        out = present.record(s, visitor_id)
        present.log_person_read(s, "person", [visitor_id], ref=f"person:{visitor_id}")
        return jsonify(out)


def _export(visitor_id: int, fmt: str):
    """Build the export, record it (a rights action and a read), answer the file."""
    with get_db().write() as s:
        doc = present.export_doc(s, visitor_id)
        pd.record_action(
            s,
            office_id=current_user.office_id,
            visitor_id=visitor_id,
            kind="export",
            user_id=current_user.id,
            reason=request.args.get("reason", "")[:500],
            detail={"format": fmt, "rows": {t: len(rows) for t, rows in doc["tables"].items()}},
        )
        present.log_person_read(s, "export", [visitor_id], ref=f"export:{fmt}")
        return present.export_json_response(doc) if fmt == "json" else present.export_pdf_response(s, doc)


@bp.get("/people/<int:visitor_id>/export.json")
@roles_required(*PRIVACY_ROLES)
@api_spec.validate(resp=Response(HTTP_404=Error, HTTP_401=Error, HTTP_403=Error), tags=["privacy"])
def export_json(visitor_id: int):
    """Everything held about the person as a JSON file (every row of every table, the files); recorded."""
    return _export(visitor_id, "json")


@bp.get("/people/<int:visitor_id>/export.pdf")
@roles_required(*PRIVACY_ROLES)
@api_spec.validate(resp=Response(HTTP_404=Error, HTTP_401=Error, HTTP_403=Error), tags=["privacy"])
def export_pdf(visitor_id: int):
    """The same as a readable PDF, in the screen's language; recorded."""
    return _export(visitor_id, "pdf")


@bp.post("/people/<int:visitor_id>/correct")
@roles_required(*PRIVACY_ROLES)
@api_spec.validate(json=S.CorrectIn, resp=Response(HTTP_200=S.ActionDone, **STAFF_ERRORS), tags=["privacy"])
def correct(visitor_id: int):
    """Correct the person's record at their request (name and institution also on their invoices' buyer)."""
    b = request.context.json
    changes = {k: v for k, v in b.model_dump(exclude={"reason"}).items() if v is not None}
    with get_db().write() as s:
        action = pd.correct(
            s,
            visitor_id=visitor_id,
            office_id=current_user.office_id,
            user_id=current_user.id,
            changes=changes,
            reason=b.reason,
        )
        return jsonify(ok=True, action_id=action.id, message=_("Corrected."))


@bp.post("/people/<int:visitor_id>/merge")
@roles_required(*PRIVACY_ROLES)
@api_spec.validate(json=S.MergeIn, resp=Response(HTTP_200=S.ActionDone, **STAFF_ERRORS), tags=["privacy"])
def merge(visitor_id: int):
    """Merge another record of the same person into this one (its visits, tickets, requests move here)."""
    b = request.context.json
    with get_db().write() as s:
        action = pd.merge(
            s,
            into_id=visitor_id,
            other_id=b.other_id,
            office_id=current_user.office_id,
            user_id=current_user.id,
            reason=b.reason,
        )
        return jsonify(ok=True, action_id=action.id, message=_("Merged."))


@bp.post("/people/<int:visitor_id>/erase")
@roles_required(*PRIVACY_ROLES)
@api_spec.validate(json=S.EraseIn, resp=Response(HTTP_200=S.ActionDone, **STAFF_ERRORS), tags=["privacy"])
def erase(visitor_id: int):
    """Erase the person's identity from every table and their files; invoices, payments and receipts stay
    without it (state-finance rules), as do the rows the reports count."""
    b = request.context.json
    if not b.confirm:
        return jsonify(error="not_confirmed", message=_("Tick the box to confirm the erasure.")), 400
    db = get_db()
    with db.write() as s:
        done = erasure.erase(
            s,
            visitor_id=visitor_id,
            office_id=current_user.office_id,
            user_id=current_user.id,
            reason=b.reason,
            places=places(current_app),
        )
    erasure.delete_files(done.files)
    db.forget_freed()
    return jsonify(ok=True, action_id=done.action_id, message=_("Erased."))


@bp.get("/access-log")
@roles_required(*PRIVACY_ROLES)
@api_spec.validate(resp=Response(HTTP_200=S.AccessOut, **STAFF_ERRORS), tags=["privacy"])
def access_list():
    """Who read whose data, latest first (?visitor_id=, ?user_id=, ?days= back from now, default 30)."""
    args = request.args
    days = args.get("days", type=int) or 30
    with get_db().read() as s:
        rows = access_log.listing(
            s,
            office_id=current_user.office_id,
            visitor_id=args.get("visitor_id", type=int),
            user_id=args.get("user_id", type=int),
            since=utcnow() - timedelta(days=min(max(days, 1), 3650)),
        )
    return jsonify(
        entries=[
            {
                "at": iso(e.at),
                "user": e.user,
                "username": e.username,
                "kind": e.kind,
                "kind_label": _(access_log.KINDS[e.kind]),
                "visitor_id": e.visitor_id,
                "person": e.person,
                "ref": e.ref,
            }
            for e in rows
        ]
    )
