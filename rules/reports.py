"""Report figures for a day, a month or a range: plain functions on a session, with stated definitions.

Definitions (the report prints them; tests check each on hand-made timelines):

* A ticket belongs to the office day it was issued on (``service_date``, local time); a period is a range
  of whole local days, both ends included.
* **Tickets**: tickets issued. **Visitors**: distinct guest-book visitors among them (a ticket issued
  without the guest book counts as a ticket only).
* **Served**: finished tickets. **No-shows**: tickets set aside and not brought back. **Cancelled**:
  withdrawn while waiting. **Not served**: still waiting, called or being served (at the end of the day for
  past days, right now for today).
* **Transfers**: tickets sent to another queue at least once, and the number of transfers.
* **Waiting time**: from taking the number to the first call (``first_called_at - issued_at``), for tickets
  that were called.
* **Service time**: from the start to the finish of the last service (``finished_at - started_at``), for
  finished tickets. A ticket finished without an explicit start counts from its call.
* **Within the limit**: a called ticket whose *first* call came no later than the limit (10 minutes) after
  its clock started: the later of taking the number and the moment the visitor ahead in the same queue
  finished. The verdict is the one recorded with the first call. Share = within / called.
* **Mean, median, 90th percentile**: the median and the 90th percentile use linear interpolation between
  closest ranks (Excel PERCENTILE.INC, NumPy's default, Hyndman-Fan type 7): for n sorted values
  x[0..n-1] and p in [0, 1], h = (n - 1) * p, value = x[floor h] + (h - floor h) * (x[floor h + 1] -
  x[floor h]). The median is the 50th percentile of that method (the usual median).
* **By service**: the queue the ticket was issued for. **By counter / officer**: the one that last handled
  the ticket (tickets never called have none).
* **Guest book**: counted per visit (ticket with a guest-book line); segment, institution category,
  education and occupation are the visitor's profile as last recorded, the purpose is the visit's own.
* **Estimate accuracy**: for called tickets with an estimate stored at issue: error = real waiting time -
  estimate (minutes); mean absolute error, mean error (positive: people waited longer than promised) and
  the share within +/- 5 minutes.
"""

from __future__ import annotations

import calendar
import importlib
import json
import math
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select as sa_select, type_coerce
from sqlalchemy.types import NullType
from sqlmodel import Session, select

from clock import day_bounds
from models import (Counter, GuestBookEntry, Office, Service, Ticket, TicketEvent, TicketStatus, User,
                    Visitor)

ESTIMATE_TOLERANCE_MINUTES = 5
PERCENTILE_METHOD = "linear interpolation between closest ranks (PERCENTILE.INC, type 7)"
GUESTBOOK_DIMENSIONS = ("segment", "institution_category", "education", "occupation", "purpose")
# Above this many days the time chart and table group by month instead of by day.
DAILY_LIMIT_DAYS = 62


# ---- periods --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Whole local days from start to end, both included."""

    start: date
    end: date
    kind: str = "range"  # 'day', 'month' or 'range'

    @classmethod
    def day(cls, d: date) -> "Period":
        return cls(d, d, "day")

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        last = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last), "month")

    @classmethod
    def between(cls, start: date, end: date) -> "Period":
        if end < start:
            start, end = end, start
        return cls(start, end, "range")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """UTC [start, end) of the period."""
        return day_bounds(self.start, tz)[0], day_bounds(self.end, tz)[1]

    @property
    def slug(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


@dataclass(frozen=True)
class Filters:
    """Narrow a report to one service (as issued), one counter or one officer."""

    service_id: int | None = None
    counter_id: int | None = None
    officer_id: int | None = None

    def match(self, f: "TicketFacts") -> bool:
        return ((self.service_id is None or f.service_id == self.service_id)
                and (self.counter_id is None or f.counter_id == self.counter_id)
                and (self.officer_id is None or f.officer_id == self.officer_id))

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.service_id, self.counter_id, self.officer_id))


# ---- statistics -----------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (p in 0..100) by linear interpolation between closest ranks; None when empty."""
    if not values:
        return None
    xs = sorted(values)
    h = (len(xs) - 1) * (p / 100.0)
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def duration_stats(minutes: list[float]) -> dict:
    """count, mean, median, p90 and max of durations in minutes (None when there are none)."""
    if not minutes:
        return {"count": 0, "mean": None, "median": None, "p90": None, "max": None}
    return {"count": len(minutes), "mean": sum(minutes) / len(minutes), "median": percentile(minutes, 50),
            "p90": percentile(minutes, 90), "max": max(minutes)}


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


# ---- the facts of each ticket ----------------------------------------------------------------------

@dataclass(slots=True)
class TicketFacts:
    """What the reports need of one ticket, read in one query; the two durations are worked out once."""

    id: int
    day: date
    service_id: int            # the queue it was issued for
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
    within_limit: bool | None = None   # verdict of the first call; None if never called
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
    q = (sa_select(T.id, _raw(T.service_date), T.issued_service_id, T.service_id, T.counter_id, T.officer_id, T.status,
                   _raw(T.issued_at), _raw(T.first_called_at), _raw(T.started_at), _raw(T.finished_at),
                   T.transfer_count, T.visitor_id,
                   T.estimated_wait_minutes, G.purpose, V.segment, V.institution_category, V.education,
                   V.occupation)
         .select_from(Ticket.__table__
                      .outerjoin(GuestBookEntry.__table__, G.id == T.guestbook_id)
                      .outerjoin(Visitor.__table__, V.id == G.visitor_id))
         .where(and_(*conds)))
    facts: dict[int, TicketFacts] = {}
    for r in session.execute(q):
        gb = {}
        if r.purpose is not None:
            gb = {"purpose": r.purpose, "segment": r.segment or "", "institution_category": r.institution_category or "",
                  "education": r.education or "", "occupation": r.occupation or ""}
        day = r.service_date if isinstance(r.service_date, date) else date.fromisoformat(r.service_date)
        facts[r.id] = TicketFacts(
            id=r.id, day=day, service_id=r.issued_service_id, final_service_id=r.service_id, counter_id=r.counter_id,
            officer_id=r.officer_id, status=r.status, issued_at=_aware(r.issued_at),
            first_called_at=_aware(r.first_called_at), started_at=_aware(r.started_at),
            finished_at=_aware(r.finished_at), transfer_count=r.transfer_count or 0, visitor_id=r.visitor_id,
            estimated_wait_minutes=r.estimated_wait_minutes, guestbook=gb)
    if facts:
        _attach_first_call_verdicts(session, office, period, facts)
    return list(facts.values())


def _attach_first_call_verdicts(session: Session, office: Office, period: Period, facts: dict[int, TicketFacts]) -> None:
    """The within-limit verdict recorded with each ticket's first call (calls happen on the ticket's own day)."""
    E = TicketEvent.__table__.c
    start, end = period.bounds(ZoneInfo(office.timezone))
    q = (sa_select(E.ticket_id, E.detail)
         .where(E.office_id == office.id, E.kind == "called", E.at >= start, E.at < end)
         .order_by(E.at, E.id))
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
    errors = [f.waiting_minutes - f.estimated_wait_minutes for f in facts
              if f.estimated_wait_minutes is not None and f.first_called_at is not None]
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
        "limit": {"called": len(judged), "within": within, "breaches": len(judged) - within,
                  "share": share(within, len(judged))},
        "estimate": {"count": len(errors),
                     "mean_abs_error": sum(abs(e) for e in errors) / len(errors) if errors else None,
                     "bias": sum(errors) / len(errors) if errors else None,
                     "within_tolerance": close, "share_within_tolerance": share(close, len(errors)),
                     "tolerance_minutes": ESTIMATE_TOLERANCE_MINUTES},
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
        rows.append({"key": label(k), "tickets": s["tickets"], "served": s["served"],
                     "limit_share": s["limit"]["share"], "median_wait": s["waiting"]["median"]})
    return unit, rows


# ---- the whole report --------------------------------------------------------------------------------

@dataclass
class Report:
    office: dict
    period: Period
    filters: Filters
    summary: dict
    by_service: list[dict]
    by_counter: list[dict]
    by_officer: list[dict]
    time_unit: str
    by_time: list[dict]
    by_hour: list[tuple[int, int]]
    guestbook: dict
    pnbp: dict | None
    ikm: dict | None
    limit_minutes: int
    extras_missing: list[str] = field(default_factory=list)


def _names(session: Session, office_id: int) -> tuple[dict, dict, dict]:
    services = {s.id: s for s in session.exec(select(Service).where(Service.office_id == office_id))}
    counters = {c.id: c for c in session.exec(select(Counter).where(Counter.office_id == office_id))}
    officers = {u.id: u for u in session.exec(select(User).where(User.office_id == office_id))}
    return services, counters, officers


def _breakdown(facts, key, label_of, order_of) -> list[dict]:
    rows = []
    for k, fs in group(facts, key).items():
        rows.append({"id": k, "label": label_of(k), "order": order_of(k), **summarize(fs)})
    rows.sort(key=lambda r: r["order"])
    for r in rows:
        r.pop("order")
    return rows


def optional_figures(name: str, session: Session, office_id: int, start: datetime, end: datetime):
    """A figure another part of Loket provides (PNBP, IKM), if it is installed: (value, available)."""
    module_name, func_name = name.rsplit(".", 1)
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None, False
    fn = getattr(module, func_name, None)
    if fn is None:
        return None, False
    return fn(session, office_id, start, end), True


def build_report(session: Session, office: Office, period: Period, filters: Filters = Filters()) -> Report:
    """Everything a report page, its CSV and its PDF show, computed once."""
    tz = ZoneInfo(office.timezone)
    facts = ticket_facts(session, office, period, filters)
    services, counters, officers = _names(session, office.id)
    by_service = _breakdown(facts, lambda f: f.service_id,
                            lambda k: services[k].name if k in services else str(k),
                            lambda k: (services[k].sort_order if k in services else 999, k or 0))
    by_counter = _breakdown(facts, lambda f: f.counter_id,
                            lambda k: (counters[k].name or f"Loket {counters[k].number}") if k in counters else None,
                            lambda k: (counters[k].number if k in counters else 10**6, k or 0))
    by_officer = _breakdown(facts, lambda f: f.officer_id,
                            lambda k: officers[k].name if k in officers else None,
                            lambda k: (officers[k].name if k in officers else "\uffff", k or 0))
    unit, by_time = time_series(facts, period)
    start, end = period.bounds(tz)
    missing = []
    pnbp, ok = optional_figures("rules.invoices.pnbp_summary", session, office.id, start, end)
    if not ok:
        missing.append("pnbp")
    ikm, ok = optional_figures("rules.ikm.ikm_for", session, office.id, start, end)
    if not ok:
        missing.append("ikm")
    return Report(
        office={"id": office.id, "code": office.code, "name": office.name, "timezone": office.timezone},
        period=period, filters=filters, summary=summarize(facts), by_service=by_service, by_counter=by_counter,
        by_officer=by_officer, time_unit=unit, by_time=by_time, by_hour=arrivals_by_hour(facts, tz),
        guestbook=guestbook_breakdown(facts), pnbp=pnbp, ikm=ikm, limit_minutes=office.service_limit_minutes,
        extras_missing=missing)
