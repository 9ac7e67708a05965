"""Who read whose personal data: one light row per staff read (kind, person, what was read by id; never the data
nor a search text), so a supervisor can answer "who looked at this person" (UU 27/2022: a record of processing).

Recorded reads (the screens call `record`): a request's details and the requests of a ticket's visitor (counter),
request searches (one row per person found), the treasurer's lists, invoice and receipt PDFs, and the rights
screen's search, person record and exports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from clock import utcnow
from models import AccessLog, User, Visitor
from rules.errors import N_
from rules.privacy import mask_name

KINDS = {
    "request": N_("request details"),
    "ticket_requests": N_("requests of a visitor at the counter"),
    "search": N_("request search results"),
    "treasurer_list": N_("treasurer's lists"),
    "pdf": N_("invoice or receipt PDF"),
    "person_search": N_("person search results"),
    "person": N_("person's record"),
    "export": N_("export of a person's data"),
}


# A screen that refreshes itself (the counter's open request every 20 s, the treasurer's lists every 15 s) reads
# the same person again and again: one row per person, staff member, kind and thing read per this window.
COALESCE = timedelta(minutes=10)


def unrecorded(
    session: Session,
    *,
    user_id: int | None,
    kind: str,
    visitor_ids: Iterable[int | None],
    ref: str = "",
    now: datetime | None = None,
) -> list[int]:
    """The persons of a read not yet recorded for this staff member, kind and thing within COALESCE."""
    now = now or utcnow()
    ids = list(dict.fromkeys(v for v in visitor_ids if v is not None))
    if not ids:
        return []
    recent = session.exec(
        select(AccessLog.visitor_id).where(
            AccessLog.user_id == user_id,
            AccessLog.at > now - COALESCE,
            AccessLog.kind == kind,
            AccessLog.ref == ref[:64],
            AccessLog.visitor_id.in_(ids),
        )
    ).all()
    return [v for v in ids if v not in set(recent)]


def record(
    session: Session,
    *,
    office_id: int,
    user_id: int | None,
    kind: str,
    visitor_ids: Iterable[int | None],
    ref: str = "",
    now: datetime | None = None,
    coalesce: bool = True,
) -> int:
    """Add one row per person read (once per COALESCE for the same staff member, kind and ref); returns how many."""
    if kind not in KINDS:
        raise ValueError(f"unknown access kind {kind!r}")
    now = now or utcnow()
    if coalesce:
        ids = unrecorded(session, user_id=user_id, kind=kind, visitor_ids=visitor_ids, ref=ref, now=now)
    else:
        ids = list(dict.fromkeys(v for v in visitor_ids if v is not None))
    for vid in ids:
        session.add(AccessLog(office_id=office_id, at=now, user_id=user_id, kind=kind, visitor_id=vid, ref=ref[:64]))
    return len(ids)


@dataclass
class Entry:
    """A row of the listing: who, when, what, about whom (a masked name; an erased person shows as erased)."""

    at: datetime
    user: str
    username: str
    kind: str
    visitor_id: int | None
    person: str
    ref: str


def listing(
    session: Session,
    *,
    office_id: int,
    visitor_id: int | None = None,
    user_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[Entry]:
    """The latest reads first, narrowed to a person, a staff member and a period."""
    q = select(AccessLog, User, Visitor).where(AccessLog.office_id == office_id)
    q = q.join(User, User.id == AccessLog.user_id, isouter=True).join(
        Visitor, Visitor.id == AccessLog.visitor_id, isouter=True
    )
    if visitor_id is not None:
        q = q.where(AccessLog.visitor_id == visitor_id)
    if user_id is not None:
        q = q.where(AccessLog.user_id == user_id)
    if since is not None:
        q = q.where(AccessLog.at >= since)
    if until is not None:
        q = q.where(AccessLog.at < until)
    rows = session.exec(q.order_by(AccessLog.at.desc(), AccessLog.id.desc()).limit(limit)).all()
    return [
        Entry(
            at=a.at,
            user=u.name if u else "",
            username=u.username if u else "",
            kind=a.kind,
            visitor_id=a.visitor_id,
            person=("" if v is None or v.erased_at else mask_name(v.name)),
            ref=a.ref,
        )
        for a, u, v in rows
    ]


def purge(session: Session, *, before: datetime) -> int:
    """Drop reads older than a moment (the retention job, [privacy] access_log_days)."""
    return session.execute(delete(AccessLog).where(AccessLog.at < before)).rowcount
