"""Erasing a person's data (on their request) or anonymising it (when the retention period ends): their identity
goes from every table of the registry and their files go, while what state-finance rules and the reports need
stays without it (invoices, payments, receipts; tickets, visits' coarse answers, ratings' scores).

After an erasure nothing in the database names the person: every table's row about them is blanked or scrubbed
by its registry handler, and the database overwrites freed space (SQLite: secure_delete, then a checkpoint that
empties the write-ahead log; db.Database.forget_freed). Every report figure and PNBP sum stays the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from clock import utcnow
from models import GuestBookEntry, Office, ProductRequest, Ticket, TicketStatus, Visitor
from rules import tickets
from rules.errors import N_, RuleError
from rules.personal_data import _reason, files_of, get_person, record_action
from rules.personal_registry import REGISTRY, About, Places, ids_of
from rules.scrub import Scrubber

OPEN_REQUEST_STATES = ("closed", "cancelled")
LIVE_TICKETS = (TicketStatus.waiting, TicketStatus.called, TicketStatus.serving)


@dataclass
class Erased:
    """What an erasure did: its record, the rows touched per table, the files to delete once committed."""

    action_id: int
    rows: dict[str, int]
    files: list[Path]


def blockers(session: Session, visitor_id: int, now: datetime | None = None) -> list[str]:
    """Why the person cannot be erased now (msgids): a request still open, a ticket in today's lines (a ticket
    left waiting or being served on an earlier day is over: its day is)."""
    out = []
    open_requests = session.exec(
        select(ProductRequest.id).where(
            ProductRequest.visitor_id == visitor_id, ProductRequest.state.not_in(OPEN_REQUEST_STATES)
        )
    ).first()
    if open_requests is not None:
        out.append(N_("A request of this person is still open: finish or cancel it first (an invoice may be unpaid)."))
    visitor = session.get(Visitor, visitor_id)
    today = tickets.today(session.get(Office, visitor.office_id), now or utcnow())
    live = session.exec(
        select(Ticket.id).where(
            Ticket.visitor_id == visitor_id, Ticket.status.in_(LIVE_TICKETS), Ticket.service_date >= today
        )
    ).first()
    if live is not None:
        out.append(N_("This person's ticket is still in a line: finish or cancel it first."))
    return out


def scrubber_for(session: Session, visitor: Visitor) -> Scrubber:
    """Every name, e-mail and number the person had on record or typed on a visit."""
    visits = session.exec(select(GuestBookEntry).where(GuestBookEntry.visitor_id == visitor.id)).all()
    return Scrubber(
        names=[
            visitor.name,
            visitor.institution_name,
            *(e.name for e in visits),
            *(e.institution_name for e in visits),
        ],
        emails=[visitor.email, *(e.email for e in visits)],
        numbers=[visitor.phone, visitor.npwp, *(e.phone for e in visits)],
    )


def erase(
    session: Session,
    *,
    visitor_id: int,
    office_id: int,
    user_id: int | None,
    reason: str,
    places: Places,
    kind: str = "erase",
    now: datetime | None = None,
) -> Erased:
    """Erase (kind 'erase', a supervisor at the person's request) or anonymise (kind 'retention', the purge job)
    one person, in the caller's write transaction; the caller deletes `files` after the commit."""
    now = now or utcnow()
    reason = _reason(reason) if kind == "erase" else reason
    visitor = get_person(session, visitor_id, office_id=office_id)
    if visitor.erased_at is not None:
        raise RuleError("person_erased", N_("This person's data was already erased."))
    problems = blockers(session, visitor_id, now)
    if problems:
        raise RuleError("erase_blocked", problems[0])
    scrub = scrubber_for(session, visitor)
    ids = ids_of(session, visitor_id)
    files = files_of(session, ids, places)
    rows = {}
    for table, entry in REGISTRY.items():
        if isinstance(entry, About):
            found = entry.rows(session, ids)
            entry.erase(session, found, scrub, now)
            rows[table] = len(found)
    session.flush()
    action = record_action(
        session,
        office_id=office_id,
        visitor_id=visitor_id,
        kind=kind,
        user_id=user_id,
        reason=scrub.text(reason),
        detail={
            "rows": rows,
            "kept": sorted(t for t, e in REGISTRY.items() if isinstance(e, About) and e.kept and rows.get(t)),
            "files": len(files),
        },
        now=now,
    )
    return Erased(action.id, rows, files)


def delete_files(paths: list[Path]) -> int:
    """Delete files (after the erasure committed); a file already gone counts as deleted."""
    n = 0
    for p in paths:
        try:
            p.unlink()
            n += 1
        except FileNotFoundError:
            n += 1
    return n
