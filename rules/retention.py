"""The retention job: personal data kept no longer than [privacy] says (docs/PRIVACY.md). Run daily by the server
(privacy/scheduler.py, one process a day through `claim_day`) and by hand (`manage.py purge-personal-data`).

In the caller's write transaction (a dry run rolls it back); files to delete are returned, for after the commit:

* visits older than visit_identity_days lose what they typed about who the visitor is (the coarse answers and
  the purpose stay: the reports count them);
* people without any visit, request step or payment for person_days are anonymised like an erasure
  (rules/erasure.py, recorded as kind 'retention'); one with an open request or a ticket in a line waits;
* finished print jobs older than print_payload_days lose their contents (a slip names the buyer);
* slip files older than slip_file_days are deleted;
* access-log rows older than access_log_days are dropped;
* visitor links of tickets and requests closed more than visitor_link_days ago are replaced (dead for good);
* attempt counters older than a day are dropped.

Reports and PNBP sums are the same before and after: no ticket, visit, request, invoice, payment, receipt or
rating is deleted, and the columns the reports read are not touched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import String, cast, exists, func, literal, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from clock import utcnow
from models import (
    DEAD,
    GuestBookEntry,
    Payment,
    PrintJob,
    PrintJobStatus,
    ProductRequest,
    ScheduledRun,
    Ticket,
    TicketStatus,
    Visitor,
)
from rules import access_log, erasure, throttle
from rules.personal_registry import Places, erase_visit_identity
from rules.scrub import Scrubber
from settings import PrivacySettings

JOB = "purge-personal-data"
ENDED_TICKETS = (TicketStatus.done, TicketStatus.no_show, TicketStatus.cancelled)
KINDS = ("visits", "people", "print_payloads", "slip_files", "access_log_rows", "visitor_links", "throttle_rows")
RETENTION_REASON = "retention: no visit, request or payment for %(days)s days ([privacy] person_days)"


@dataclass
class Summary:
    """What a purge did (or would do): counts per kind, the files to delete, the people it could not yet."""

    counts: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)

    def add(self, key: str, n: int) -> None:
        """Count n more of a kind."""
        self.counts[key] = self.counts.get(key, 0) + n

    def record(self, visitor_id: int, done: erasure.Erased | None) -> None:
        """Count one idle person: anonymised (their files to delete) or waiting."""
        if done is None:
            self.waiting.append(visitor_id)
            return
        self.add("people", 1)
        new = [f for f in done.files if f not in self.files]
        self.files += new
        self.add("slip_files", len(new))


def purge(
    session: Session,
    *,
    office_id: int,
    privacy: PrivacySettings,
    places: Places,
    now: datetime | None = None,
    people: bool = True,
) -> Summary:
    """Apply every retention period once (see the module's docstring). people=False leaves idle people to the
    caller, who anonymises them one transaction each (`idle_people`, `anonymise`): a first run over years of
    history then never holds the database for long."""
    now = now or utcnow()
    out = Summary(counts=dict.fromkeys(KINDS, 0))
    _visits(session, office_id, now - timedelta(days=privacy.visit_identity_days), now, out)
    if people:
        for vid in idle_people(session, office_id=office_id, days=privacy.person_days, now=now):
            out.record(
                vid,
                anonymise(
                    session, visitor_id=vid, office_id=office_id, places=places, days=privacy.person_days, now=now
                ),
            )
    _print_payloads(session, office_id, now - timedelta(days=privacy.print_payload_days), out)
    old = [f for f in old_files(places.slip_dirs, now - timedelta(days=privacy.slip_file_days)) if f not in out.files]
    out.files += old
    out.add("slip_files", len(old))
    out.add("access_log_rows", access_log.purge(session, before=now - timedelta(days=privacy.access_log_days)))
    _links(session, office_id, now - timedelta(days=privacy.visitor_link_days), out)
    out.add("throttle_rows", throttle.purge(session, before=now - timedelta(days=1)))
    return out


def _visits(session: Session, office_id: int, cutoff: datetime, now: datetime, out: Summary) -> None:
    """Visits older than the cutoff lose what they typed about who the visitor is."""
    G = GuestBookEntry
    rows = session.exec(
        select(G).where(
            G.office_id == office_id,
            G.created_at < cutoff,
            G.identity_erased_at.is_(None),
            or_(G.name != "", G.email != "", G.phone != "", G.institution_name != "", G.birth_year.is_not(None)),
        )
    ).all()
    erase_visit_identity(session, list(rows), Scrubber(), now)
    out.add("visits", len(rows))


def idle_people(session: Session, *, office_id: int, days: int, now: datetime) -> list[int]:
    """People with no visit, request step or payment for `days` (not erased yet)."""
    cutoff = now - timedelta(days=days)
    V, G, R, P = Visitor, GuestBookEntry, ProductRequest, Payment
    recent = or_(
        exists().where(G.visitor_id == V.id, G.created_at >= cutoff),
        exists().where(R.visitor_id == V.id, R.updated_at >= cutoff),
        exists().where(P.request_id == R.id, R.visitor_id == V.id, P.recorded_at >= cutoff),
    )
    return list(
        session.exec(
            select(V.id)
            .where(V.office_id == office_id, V.erased_at.is_(None), V.created_at < cutoff, ~recent)
            .order_by(V.id)
        )
    )


def anonymise(
    session: Session, *, visitor_id: int, office_id: int, places: Places, days: int, now: datetime
) -> erasure.Erased | None:
    """Anonymise one idle person like an erasure (kind 'retention', by no user); None while a request of theirs
    is open or their ticket is in today's line."""
    if erasure.blockers(session, visitor_id, now):
        return None
    return erasure.erase(
        session,
        visitor_id=visitor_id,
        office_id=office_id,
        user_id=None,
        reason=RETENTION_REASON % {"days": days},
        places=places,
        kind="retention",
        now=now,
    )


def _print_payloads(session: Session, office_id: int, cutoff: datetime, out: Summary) -> None:
    """Finished print jobs older than the cutoff lose their contents."""
    finished = (PrintJobStatus.printed, PrintJobStatus.cancelled)
    n = session.execute(
        update(PrintJob)
        .where(
            PrintJob.office_id == office_id,
            PrintJob.created_at < cutoff,
            PrintJob.status.in_(finished),
            PrintJob.payload != "{}",
        )
        .values(payload="{}")
    ).rowcount
    out.add("print_payloads", n)


def _dead_tokens(session: Session, column):
    """SQL for a new dead token per row: "~" and 32 random hex digits (never handed out, never accepted)."""
    if session.get_bind().dialect.name == "postgresql":
        random_hex = func.md5(cast(func.random(), String) + cast(column, String) + cast(func.clock_timestamp(), String))
    else:
        random_hex = func.lower(func.hex(func.randomblob(16)))
    return literal(DEAD) + random_hex


def _links(session: Session, office_id: int, cutoff: datetime, out: Summary) -> None:
    """Visitor links of tickets and requests closed before the cutoff are replaced by dead tokens (one UPDATE
    each: a first run replaces years of them)."""
    T, R = Ticket, ProductRequest
    n = session.execute(
        update(T)
        .where(
            T.office_id == office_id,
            T.status.in_(ENDED_TICKETS),
            T.service_date < cutoff.date(),
            T.status_token.not_like(f"{DEAD}%"),
        )
        .values(status_token=_dead_tokens(session, T.id))
        .execution_options(synchronize_session=False)
    ).rowcount
    closed_at = R.closed_at.is_not(None) & (R.closed_at < cutoff)
    cancelled_at = R.cancelled_at.is_not(None) & (R.cancelled_at < cutoff)
    n += session.execute(
        update(R)
        .where(
            R.office_id == office_id,
            R.state.in_(("closed", "cancelled")),
            or_(closed_at, cancelled_at),
            R.visitor_token.not_like(f"{DEAD}%"),
        )
        .values(visitor_token=_dead_tokens(session, R.id), rating_token=_dead_tokens(session, -R.id))
        .execution_options(synchronize_session=False)
    ).rowcount
    out.add("visitor_links", n)


def old_files(dirs: tuple[Path, ...], before: datetime) -> list[Path]:
    """Files in the slip directories last written before a moment."""
    limit = before.timestamp()
    return sorted(p for d in dirs if d.is_dir() for p in d.iterdir() if p.is_file() and p.stat().st_mtime < limit)


# ---- once a day, in one process -------------------------------------------------------------------------


def claim_day(session: Session, *, day, holder: str, now: datetime | None = None, name: str = JOB) -> bool:
    """Claim today's run (compare-and-set on the run's row): True for exactly one caller per office day."""
    now = now or utcnow()
    if session.get(ScheduledRun, name) is None:
        try:
            with session.begin_nested():
                session.add(ScheduledRun(name=name))
        except IntegrityError:
            pass  # another process created it first
    claimed = session.execute(
        update(ScheduledRun)
        .where(ScheduledRun.name == name, or_(ScheduledRun.day.is_(None), ScheduledRun.day < day))
        .values(day=day, holder=holder[:200], started_at=now, finished_at=None)
    ).rowcount
    return claimed == 1


def finish_run(session: Session, summary: Summary, *, now: datetime | None = None, name: str = JOB) -> None:
    """Record the run's counts (no names) on its row."""
    row = session.get(ScheduledRun, name)
    if row is not None:
        row.finished_at = now or utcnow()
        row.summary = json.dumps({**summary.counts, "waiting": len(summary.waiting)}, sort_keys=True)
        session.add(row)
