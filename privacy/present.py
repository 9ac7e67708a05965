"""What the rights screen shows of a person, in the screen's language: the record, every table's rows, the files,
what would stay after an erasure and why; the export's JSON and PDF. Pages and endpoints both build from here."""

from __future__ import annotations

import json

from flask import Response, current_app
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import SQLModel, select

from extensions import get_settings
from models import Office, User, Visitor
from printer.files import places
from rules import access_log, erasure
from rules import personal_data as pd
from rules.personal_registry import REGISTRY, About

IDENTITY = ("name", "email", "phone", "gender", "birth_year", "institution_name", "npwp")
PROFILE = ("education", "occupation", "institution_category", "segment")


def person_json(v: Visitor) -> dict:
    """The person's record as the supervisor sees it (the NPWP in full: it is their own record)."""
    return {
        "id": v.id,
        **{k: getattr(v, k) for k in IDENTITY + PROFILE},
        "created_at": pd.value_json(v.created_at),
        "updated_at": pd.value_json(v.updated_at),
        "erased_at": pd.value_json(v.erased_at),
    }


def titles() -> dict[str, str]:
    """Each personal table's title in the screen's language."""
    return {t: _(e.title) for t, e in REGISTRY.items() if isinstance(e, About)}


def kept_notes() -> dict[str, str]:
    """Why each kept table stays after an erasure, in the screen's language."""
    return {t: _(e.kept) for t, e in REGISTRY.items() if isinstance(e, About) and e.kept}


def record(s, visitor_id: int) -> dict:
    """Everything held about a person, table by table, and what an erasure would do."""
    v = pd.get_person(s, visitor_id, office_id=current_user.office_id)
    ids, held = pd.holdings(s, v.id)
    acts = pd.actions(s, v.id)
    staff = {a.user_id for a in acts if a.user_id}
    names = {u.id: u.name for u in s.exec(select(User).where(User.id.in_(staff)))} if staff else {}
    return {
        "person": person_json(v),
        "tables": [
            {
                "table": h.table,
                "title": _(h.title),
                "kept": _(h.kept) if h.kept else "",
                "columns": [c.key for c in SQLModel.metadata.tables[h.table].columns],
                "rows": [pd.row_json(r) for r in h.rows],
            }
            for h in held
        ],
        "files": [{"name": p.name, "bytes": p.stat().st_size} for p in pd.files_of(s, ids, places(current_app))],
        "blockers": [_(b) for b in erasure.blockers(s, v.id)],
        "actions": [
            {
                "kind": a.kind,
                "at": pd.value_json(a.at),
                "by": names.get(a.user_id, "") if a.user_id else _("the retention job"),
                "reason": a.reason,
                "detail": json.loads(a.detail or "{}"),
            }
            for a in acts
        ],
    }


def export_doc(s, visitor_id: int) -> dict:
    """The export's document (every row of every table about the person, and the files)."""
    v = pd.get_person(s, visitor_id, office_id=current_user.office_id)
    return pd.export(s, v.id, places=places(current_app))


def export_json_response(doc: dict) -> Response:
    """The export as a JSON download (never cached: it is a person's data)."""
    resp = Response(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True), mimetype="application/json")
    resp.headers["Content-Disposition"] = f'attachment; filename="person-{doc["person"]}.json"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def export_pdf_response(s, doc: dict) -> Response:
    """The export as a readable PDF (printer/personal_pdf.py), in the screen's language."""
    from printer.personal_pdf import render

    office = s.get(Office, current_user.office_id)
    data = render(doc, office=office.name, titles=titles(), kept=kept_notes(), tz=get_settings().office.timezone, _=_)
    resp = Response(data, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'attachment; filename="person-{doc["person"]}.pdf"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def log_person_read(s, kind: str, visitor_ids, ref: str = "") -> None:
    """Record the supervisor's read in the caller's write transaction (rules/access_log.py)."""
    access_log.record(
        s, office_id=current_user.office_id, user_id=current_user.id, kind=kind, visitor_ids=visitor_ids, ref=ref
    )


def local(value) -> str:
    """An ISO moment or a datetime as the office's local time ('2026-01-14 10:00'); anything else as text."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(get_settings().office.timezone)
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)
