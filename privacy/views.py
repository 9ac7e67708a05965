"""The rights screen's pages (head of the PST unit): finding a person, a person's record with its actions, and the
access log. Reads are logged like the endpoints'; actions go through the JSON endpoints (static/privacy.js)."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from auth.roles import roles_required
from clock import utcnow
from extensions import get_db
from guest_book_labels import choice_labels
from models import User
from privacy import bp, present
from rules import access_log
from rules import personal_data as pd
from rules.roles import PRIVACY_ROLES


def strings() -> dict:
    """Sentences the page's script shows."""
    return {
        "network": _("Cannot reach the server; nothing was changed. Try again."),
    }


@bp.route("/")
@roles_required(*PRIVACY_ROLES)
def search_page():
    """Find a person: by name, e-mail, phone, request or invoice number, or #id."""
    q = request.args.get("q", "").strip()
    people = []
    if q:
        with get_db().write() as s:
            people = pd.search(s, office_id=current_user.office_id, q=q)
            present.log_person_read(s, "person_search", [v.id for v in people])
    return render_template("privacy/search.html", q=q, people=people, strings=strings())


@bp.route("/people/<int:visitor_id>")
@roles_required(*PRIVACY_ROLES)
def person_page(visitor_id: int):
    """Everything held about a person, and the rights actions: export, correct, merge, erase."""
    with get_db().write() as s:
        rec = present.record(s, visitor_id)
        present.log_person_read(s, "person", [visitor_id], ref=f"person:{visitor_id}")
    return render_template(
        "privacy/person.html",
        rec=rec,
        person=rec["person"],
        labels=choice_labels(),
        strings=strings(),
        local=present.local,
    )


@bp.route("/access")
@roles_required(*PRIVACY_ROLES)
def access_page():
    """Who read whose data: latest first, by person, staff member and days back."""
    args = request.args
    visitor_id, user_id = args.get("visitor_id", type=int), args.get("user_id", type=int)
    days = min(max(args.get("days", type=int) or 30, 1), 3650)
    with get_db().read() as s:
        entries = access_log.listing(
            s,
            office_id=current_user.office_id,
            visitor_id=visitor_id,
            user_id=user_id,
            since=utcnow() - timedelta(days=days),
        )
        staff = s.exec(select(User).where(User.office_id == current_user.office_id).order_by(User.name)).all()
    return render_template(
        "privacy/access.html",
        entries=entries,
        kinds={k: _(v) for k, v in access_log.KINDS.items()},
        staff=staff,
        visitor_id=visitor_id,
        user_id=user_id,
        days=days,
        local=present.local,
    )
