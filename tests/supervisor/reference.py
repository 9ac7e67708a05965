"""The report figures worked out ticket by ticket in Python: the computation rules/reports.py replaced.

Kept as the reference the SQL aggregation is checked against (tests/supervisor/test_report_speed.py, on
random histories) and timed against (bench/bench_reports.py, "before"). It reads every ticket of the period
with its guest-book line and its first 'called' event and applies the definitions of rules/reports.py
literally; it never reads the report columns of migration 0006 (waiting_us, service_us, first_call_within).
This is the code of rules/reports.py before 0006, unchanged but for the imports.
"""

from __future__ import annotations

import json
import math
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, type_coerce
from sqlalchemy import select as sa_select
from sqlalchemy.types import NullType
from sqlmodel import Session

from models import GuestBookEntry, Office, Ticket, TicketEvent, TicketStatus, Visitor
from rules import ikm as ikm_rules
from rules import invoices
from rules.reports import (
    DAILY_LIMIT_DAYS,
    ESTIMATE_TOLERANCE_MINUTES,
    GUESTBOOK_DIMENSIONS,
    Filters,
    Period,
    Report,
    _names,
    duration_stats,
    share,
)

# ---- the facts of each ticket ----------------------------------------------------------------------


@dataclass(slots=True)
class TicketFacts:
    """What the reports need of one ticket, read in one query; the two durations are worked out once."""

    id: int
    day: date
    service_id: int  # the queue it was issued for
    final_service_id: int
    counter_id: int | None
    officer_id: int | None
    status: str
    issued_at: datetime
    first_called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    transfer_count: int
    visitor_id: int | None
    estimated_wait_minutes: int | None
    guestbook: dict = field(default_factory=dict)
    within_limit: bool | None = None  # verdict of the first call; None if never called
    waiting_minutes: float | None = None
    service_minutes: float | None = None

    def __post_init__(self) -> None:
        if self.first_called_at is not None:
            self.waiting_minutes = (self.first_called_at - self.issued_at).total_seconds() / 60
        if self.status == TicketStatus.done and self.started_at is not None and self.finished_at is not None:
            self.service_minutes = (self.finished_at - self.started_at).total_seconds() / 60


def _raw(column):
    """The column without SQLAlchemy's result processing (labelled with its own name)."""
    return type_coerce(column, NullType()).label(column.name)


def _aware(moment) -> datetime | None:
    """A stored time as aware UTC: SQLite gives 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC), PostgreSQL a datetime."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def ticket_facts(session: Session, office: Office, period: Period, filters: Filters = Filters()) -> list[TicketFacts]:
    """Every ticket of the period (narrowed by the filters) with its guest-book line and first-call verdict."""
    T, G, V = Ticket.__table__.c, GuestBookEntry.__table__.c, Visitor.__table__.c
    conds = [T.office_id == office.id, T.service_date >= period.start, T.service_date <= period.end]
    if filters.service_id is not None:
        conds.append(T.issued_service_id == filters.service_id)
    if filters.counter_id is not None:
        conds.append(T.counter_id == filters.counter_id)
    if filters.officer_id is not None:
        conds.append(T.officer_id == filters.officer_id)
    # Times and dates come back as the driver gives them (SQLite: text) and are parsed here with the fast
    # fromisoformat: on a year of tickets the generic type processing would cost more than the query.
    q = (
        sa_select(
            T.id,
            _raw(T.service_date),
            T.issued_service_id,
            T.service_id,
            T.counter_id,
            T.officer_id,
            T.status,
            _raw(T.issued_at),
            _raw(T.first_called_at),
            _raw(T.started_at),
            _raw(T.finished_at),
            T.transfer_count,
            T.visitor_id,
            T.estimated_wait_minutes,
            G.purpose,
            V.segment,
            V.institution_category,
            V.education,
            V.occupation,
        )
        .select_from(
            Ticket.__table__.outerjoin(GuestBookEntry.__table__, G.id == T.guestbook_id).outerjoin(
                Visitor.__table__, V.id == G.visitor_id
            )
        )
        .where(and_(*conds))
    )
    facts: dict[int, TicketFacts] = {}
    for r in session.execute(q):
        gb = {}
        if r.purpose is not None:
            gb = {
                "purpose": r.purpose,
                "segment": r.segment or "",
                "institution_category": r.institution_category or "",
                "education": r.education or "",
                "occupation": r.occupation or "",
            }
        day = r.service_date if isinstance(r.service_date, date) else date.fromisoformat(r.service_date)
        facts[r.id] = TicketFacts(
            id=r.id,
            day=day,
            service_id=r.issued_service_id,
            final_service_id=r.service_id,
            counter_id=r.counter_id,
            officer_id=r.officer_id,
            status=r.status,
            issued_at=_aware(r.issued_at),
            first_called_at=_aware(r.first_called_at),
            started_at=_aware(r.started_at),
            finished_at=_aware(r.finished_at),
            transfer_count=r.transfer_count or 0,
            visitor_id=r.visitor_id,
            estimated_wait_minutes=r.estimated_wait_minutes,
            guestbook=gb,
        )
    if facts:
        _attach_first_call_verdicts(session, office, period, facts)
    return list(facts.values())


def _attach_first_call_verdicts(
    session: Session, office: Office, period: Period, facts: dict[int, TicketFacts]
) -> None:
    """The within-limit verdict recorded with each ticket's first call (calls happen on the ticket's own day)."""
    E = TicketEvent.__table__.c
    start, end = period.bounds(ZoneInfo(office.timezone))
    q = (
        sa_select(E.ticket_id, E.detail)
        .where(E.office_id == office.id, E.kind == "called", E.at >= start, E.at < end)
        .order_by(E.at, E.id)
    )
    seen: set[int] = set()
    for ticket_id, detail in session.execute(q):
        if ticket_id in seen or ticket_id not in facts:
            continue
        seen.add(ticket_id)
        facts[ticket_id].within_limit = _verdict(detail)


def _verdict(detail: str | None) -> bool | None:
    """within_limit from a call's detail (JSON written by rules.tickets.record); read fast on long periods."""
    if not detail:
        return None
    if '"within_limit": true' in detail:
        return True
    if '"within_limit": false' in detail:
        return False
    try:
        verdict = json.loads(detail).get("within_limit")
    except (ValueError, AttributeError):
        return None
    return verdict if isinstance(verdict, bool) else None


# ---- figures ----------------------------------------------------------------------------------------


def summarize(facts: list[TicketFacts]) -> dict:
    """All the headline figures of a set of tickets (see the module text for each definition)."""
    status = Tally(f.status for f in facts)
    waits = [f.waiting_minutes for f in facts if f.waiting_minutes is not None]
    services = [f.service_minutes for f in facts if f.service_minutes is not None]
    judged = [f for f in facts if f.within_limit is not None]
    within = sum(1 for f in judged if f.within_limit)
    errors = [
        f.waiting_minutes - f.estimated_wait_minutes
        for f in facts
        if f.estimated_wait_minutes is not None and f.first_called_at is not None
    ]
    close = sum(1 for e in errors if abs(e) <= ESTIMATE_TOLERANCE_MINUTES)
    return {
        "tickets": len(facts),
        "visitors": len({f.visitor_id for f in facts if f.visitor_id is not None}),
        "served": status.get(TicketStatus.done, 0),
        "no_shows": status.get(TicketStatus.no_show, 0),
        "cancelled": status.get(TicketStatus.cancelled, 0),
        "not_served": sum(status.get(s, 0) for s in (TicketStatus.waiting, TicketStatus.called, TicketStatus.serving)),
        "transferred_tickets": sum(1 for f in facts if f.transfer_count > 0),
        "transfers": sum(f.transfer_count for f in facts),
        "waiting": duration_stats(waits),
        "service": duration_stats(services),
        "limit": {
            "called": len(judged),
            "within": within,
            "breaches": len(judged) - within,
            "share": share(within, len(judged)),
        },
        "estimate": {
            "count": len(errors),
            "mean_abs_error": sum(abs(e) for e in errors) / len(errors) if errors else None,
            "bias": sum(errors) / len(errors) if errors else None,
            "within_tolerance": close,
            "share_within_tolerance": share(close, len(errors)),
            "tolerance_minutes": ESTIMATE_TOLERANCE_MINUTES,
        },
    }


def group(facts: list[TicketFacts], key) -> dict:
    """Facts split by a key function (None keys kept: 'not called')."""
    out: dict = {}
    for f in facts:
        out.setdefault(key(f), []).append(f)
    return out


def guestbook_breakdown(facts: list[TicketFacts]) -> dict[str, list[tuple[str, int]]]:
    """Visits per value of each guest-book dimension, most frequent first (ties by code)."""
    out = {}
    for dim in GUESTBOOK_DIMENSIONS:
        tally = Tally(f.guestbook[dim] for f in facts if f.guestbook)
        out[dim] = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))
    return out


def arrivals_by_hour(facts: list[TicketFacts], tz: ZoneInfo) -> list[tuple[int, int]]:
    """Tickets issued per local hour of the day (only hours with tickets, in order)."""
    tally = Tally(f.issued_at.astimezone(tz).hour for f in facts)
    return sorted(tally.items())


def time_series(facts: list[TicketFacts], period: Period) -> tuple[str, list[dict]]:
    """Per day (or per month for long periods): tickets, served, within-limit share, median wait."""
    if period.days <= DAILY_LIMIT_DAYS:
        unit = "day"
        keys = [period.start + timedelta(days=i) for i in range(period.days)]
        keyf = lambda f: f.day  # noqa: E731
        label = lambda k: k.isoformat()  # noqa: E731
    else:
        unit = "month"
        keys, d = [], date(period.start.year, period.start.month, 1)
        while d <= period.end:
            keys.append((d.year, d.month))
            d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        keyf = lambda f: (f.day.year, f.day.month)  # noqa: E731
        label = lambda k: f"{k[0]:04d}-{k[1]:02d}"  # noqa: E731
    groups = group(facts, keyf)
    rows = []
    for k in keys:
        s = summarize(groups.get(k, []))
        rows.append(
            {
                "key": label(k),
                "tickets": s["tickets"],
                "served": s["served"],
                "limit_share": s["limit"]["share"],
                "median_wait": s["waiting"]["median"],
            }
        )
    return unit, rows


# ---- the whole report--------------------------------------------------------------------------------


def _breakdown(facts, key, label_of, order_of) -> list[dict]:
    rows = []
    for k, fs in group(facts, key).items():
        rows.append({"id": k, "label": label_of(k), "order": order_of(k), **summarize(fs)})
    rows.sort(key=lambda r: r["order"])
    for r in rows:
        r.pop("order")
    return rows


def build_report(session: Session, office: Office, period: Period, filters: Filters = Filters()) -> Report:
    """Everything a report page, its CSV and its PDF show, computed once."""
    tz = ZoneInfo(office.timezone)
    facts = ticket_facts(session, office, period, filters)
    services, counters, officers = _names(session, office.id)
    by_service = _breakdown(
        facts,
        lambda f: f.service_id,
        lambda k: services[k].name if k in services else str(k),
        lambda k: (services[k].sort_order if k in services else 999, k or 0),
    )
    by_counter = _breakdown(
        facts,
        lambda f: f.counter_id,
        lambda k: (counters[k].name or f"Loket {counters[k].number}") if k in counters else None,
        lambda k: (counters[k].number if k in counters else 10**6, k or 0),
    )
    by_officer = _breakdown(
        facts,
        lambda f: f.officer_id,
        lambda k: officers[k].name if k in officers else None,
        lambda k: (officers[k].name if k in officers else "\uffff", k or 0),
    )
    unit, by_time = time_series(facts, period)
    start, end = period.bounds(tz)
    pnbp = invoices.pnbp_summary(session, office.id, start, end)
    ikm = ikm_rules.ikm_for(session, office.id, start, end)
    return Report(
        office={"id": office.id, "code": office.code, "name": office.name, "timezone": office.timezone},
        period=period,
        filters=filters,
        summary=summarize(facts),
        by_service=by_service,
        by_counter=by_counter,
        by_officer=by_officer,
        time_unit=unit,
        by_time=by_time,
        by_hour=arrivals_by_hour(facts, tz),
        guestbook=guestbook_breakdown(facts),
        pnbp=pnbp,
        ikm=ikm,
        limit_minutes=office.service_limit_minutes,
    )


# ---- comparing two reports -------------------------------------------------------------------------------

# Means are sums divided by counts: the reference adds floats one by one, rules/reports.py adds whole
# microseconds and divides once, so they may differ in the last digits. Every other figure must be equal.
MEANS = ("mean", "mean_abs_error", "bias")


def differences(expected, actual, path: str = "report") -> list[str]:
    """Where two reports (or parts of them) disagree, as 'path: expected != actual' lines."""
    if isinstance(expected, Report):
        fields = (
            "summary",
            "by_service",
            "by_counter",
            "by_officer",
            "time_unit",
            "by_time",
            "by_hour",
            "guestbook",
            "pnbp",
            "ikm",
            "limit_minutes",
        )
        return [d for f in fields for d in differences(getattr(expected, f), getattr(actual, f), f"{path}.{f}")]
    if isinstance(expected, dict) and isinstance(actual, dict):
        if expected.keys() != actual.keys():
            return [f"{path}: keys {sorted(expected)} != {sorted(actual)}"]
        return [d for k in expected for d in differences(expected[k], actual[k], f"{path}.{k}")]
    if isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        if len(expected) != len(actual):
            return [f"{path}: {len(expected)} items != {len(actual)}"]
        return [d for i, (e, a) in enumerate(zip(expected, actual)) for d in differences(e, a, f"{path}[{i}]")]
    if isinstance(expected, float) and isinstance(actual, float) and path.rsplit(".", 1)[-1] in MEANS:
        return (
            []
            if math.isclose(expected, actual, rel_tol=1e-12, abs_tol=1e-12)
            else [f"{path}: {expected!r} != {actual!r}"]
        )
    if type(expected) is not type(actual) and not (
        isinstance(expected, (int, float))
        and isinstance(actual, (int, float))
        and not isinstance(expected, bool)
        and not isinstance(actual, bool)
    ):
        return [f"{path}: {expected!r} ({type(expected).__name__}) != {actual!r} ({type(actual).__name__})"]
    return [] if expected == actual else [f"{path}: {expected!r} != {actual!r}"]
