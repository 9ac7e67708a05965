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

How they are computed (a year of a large office in about half a second on SQLite and PostgreSQL;
tests/supervisor/reference.py keeps the ticket-by-ticket computation they are checked against, and
bench/bench_reports.py times both):

* Each ticket row carries its waiting and service time in whole microseconds and its first call's verdict
  (``waiting_us``, ``service_us``, ``first_call_within``; models._ticket_report_figures keeps them in step
  on every write, migration 0006 filled them for older history), so nothing parses times or reads events.
* One query reads the period from ``ix_ticket_report_scan`` alone and groups it by day, service, counter
  and officer, in the index's order: counts in SQL, and each group's waiting times, service times,
  estimate errors, visitor ids and local hours of issue as text. Every breakdown (office, service, counter,
  officer, day or month) is a union of those groups: sums are added, the value lists merged; medians and
  90th percentiles are read from the sorted exact values, so they are exactly those of the definition.
* The guest book is one more query: purposes per visit, and each visitor's profile looked up once.
"""

from __future__ import annotations

import calendar
import math
from collections import Counter as Tally
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import chain
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, String, case, cast, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from clock import day_bounds
from models import Counter, Office, Service, Ticket, TicketStatus, User
from rules import ikm as ikm_rules
from rules import invoices
from rules.report_guestbook import GUESTBOOK_DIMENSIONS, guestbook_breakdown, offset_spans
from rules.requests import clock as request_clock

ESTIMATE_TOLERANCE_MINUTES = 5
PERCENTILE_METHOD = "linear interpolation between closest ranks (PERCENTILE.INC, type 7)"
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
    def day(cls, d: date) -> Period:
        return cls(d, d, "day")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last), "month")

    @classmethod
    def between(cls, start: date, end: date) -> Period:
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

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.service_id, self.counter_id, self.officer_id))

    def conditions(self, office: Office, period: Period) -> list:
        """The WHERE conditions on tickets of the office in the period, narrowed by these filters."""
        T = Ticket.__table__.c
        conds = [T.office_id == office.id, T.service_date >= period.start, T.service_date <= period.end]
        if self.service_id is not None:
            conds.append(T.issued_service_id == self.service_id)
        if self.counter_id is not None:
            conds.append(T.counter_id == self.counter_id)
        if self.officer_id is not None:
            conds.append(T.officer_id == self.officer_id)
        return conds


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
    return {
        "count": len(minutes),
        "mean": sum(minutes) / len(minutes),
        "median": percentile(minutes, 50),
        "p90": percentile(minutes, 90),
        "max": max(minutes),
    }


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


# ---- reading the period: one grouped query ------------------------------------------------------------

_US_PER_MINUTE = 60_000_000
_NOT_SERVED = (TicketStatus.waiting, TicketStatus.called, TicketStatus.serving)
# What the query counts for each group of tickets, in this order (see _group_query).
_COUNTS = (
    "tickets",
    "served",
    "no_shows",
    "cancelled",
    "not_served",
    "transferred_tickets",
    "transfers",
    "judged",
    "within",
    "estimate_close",
)


def minutes(us: int) -> float:
    """Microseconds as minutes, rounded exactly as ``timedelta.total_seconds() / 60`` rounds them."""
    return us / 1_000_000 / 60


class Tickets(NamedTuple):
    """A set of tickets as the report needs them: counts, and the exact values behind every other figure."""

    counts: tuple[int, ...]  # in the order of _COUNTS
    waits: list[int]  # waiting times of called tickets, microseconds, sorted
    services: list[int]  # service times of finished tickets, microseconds, sorted
    errors: list[int]  # waiting time - estimate of called tickets with an estimate, microseconds
    visitors: list[str]  # visitor ids as text, repeated (counted distinct)
    sums: tuple[int, int, int, int]  # of waits, services, errors and their absolute values (added once)

    @classmethod
    def of(cls, counts, waits: list[int], services: list[int], errors: list[int], visitors: list[str]) -> Tickets:
        return cls(
            tuple(counts),
            waits,
            services,
            errors,
            visitors,
            (sum(waits), sum(services), sum(errors), sum(map(abs, errors))),
        )


EMPTY = Tickets.of((0,) * len(_COUNTS), [], [], [], [])


class Part(NamedTuple):
    """The tickets of one bucket (a day; a month in long periods), issuing service, counter and officer."""

    bucket: date  # the day, or the first day of the month
    service_id: int
    counter_id: int | None
    officer_id: int | None
    tickets: Tickets


class Reading(NamedTuple):
    """A period read in one query: its parts, tickets issued per local hour, the range of its guest-book ids."""

    parts: list[Part]
    hours: dict[int, int]
    guestbook_ids: tuple[int, int] | None  # lowest and highest (None: no ticket came through the guest book)


def _merged(lists) -> list[int]:
    """Sorted lists as one sorted list: the sort finds the runs and merges them."""
    lists = [xs for xs in lists if xs]
    if len(lists) == 1:
        return lists[0]
    out = list(chain.from_iterable(lists))
    out.sort()
    return out


def union(sets) -> Tickets:
    """Several sets of tickets (never the same ticket twice) as one."""
    sets = list(sets)
    if not sets:
        return EMPTY
    if len(sets) == 1:
        return sets[0]
    return Tickets(
        counts=tuple(map(sum, zip(*(t.counts for t in sets)))),
        waits=_merged(t.waits for t in sets),
        services=_merged(t.services for t in sets),
        errors=list(chain.from_iterable(t.errors for t in sets)),
        visitors=list(chain.from_iterable(t.visitors for t in sets)),
        sums=tuple(map(sum, zip(*(t.sums for t in sets)))),
    )


def _local_hour(dialect: str, office: Office, period: Period):
    """SQL for the local hour a ticket was issued ('08')."""
    T = Ticket.__table__.c
    if dialect == "postgresql":
        return func.to_char(func.timezone(office.timezone, T.issued_at), "HH24")
    # SQLite knows no time zones: shift by the office's UTC offset, which may change within the period.
    tz = ZoneInfo(office.timezone)
    spans = offset_spans(tz, *period.bounds(tz))
    shift = [f"{int(off.total_seconds()):+d} seconds" for _lo, _hi, off in spans]
    modifier = (
        shift[0]
        if len(spans) == 1
        else case(*[(T.issued_at < hi, sh) for (_lo, hi, _off), sh in zip(spans[:-1], shift)], else_=shift[-1])
    )
    # Whole seconds: SQLite rounds a fraction to milliseconds, and 08:59:59.9996 would count as 09.
    return func.strftime("%H", func.substr(T.issued_at, 1, 19), modifier)


def _group_query(dialect: str, office: Office, period: Period, filters: Filters):
    """The period grouped by day, service, counter and officer (the order of ix_ticket_report_scan): counts,
    and the values behind the other figures as text (sums, maxima and percentiles are taken of them here)."""
    T = Ticket.__table__.c

    def count_if(cond):
        return func.count().filter(cond)

    def listed(col):  # group_concat on SQLite, string_agg (of text) on PostgreSQL; NULLs left out
        return func.aggregate_strings(cast(col, String) if dialect == "postgresql" else col, ",")

    error = T.waiting_us - cast(T.estimated_wait_minutes, BigInteger) * _US_PER_MINUTE
    keys = (T.service_date, T.issued_service_id, T.counter_id, T.officer_id)
    return (
        sa_select(
            *keys,
            func.count(),
            count_if(T.status == TicketStatus.done),
            count_if(T.status == TicketStatus.no_show),
            count_if(T.status == TicketStatus.cancelled),
            count_if(T.status.in_(_NOT_SERVED)),
            count_if(T.transfer_count > 0),
            func.coalesce(func.sum(T.transfer_count), 0),
            func.count(T.first_call_within),
            count_if(T.first_call_within.is_(True)),
            count_if(func.abs(error) <= ESTIMATE_TOLERANCE_MINUTES * _US_PER_MINUTE),
            listed(T.waiting_us),
            listed(T.service_us),
            listed(error),
            listed(T.visitor_id),
            func.min(T.guestbook_id),
            func.max(T.guestbook_id),
            listed(_local_hour(dialect, office, period)),
        )
        .where(*filters.conditions(office, period))
        .group_by(*keys)
    )


def _ints(texts, ordered: bool = True) -> list[int]:
    """Comma-separated whole numbers (from several texts) as one list."""
    joined = ",".join(t for t in texts if t)
    if not joined:
        return []
    return sorted(map(int, joined.split(","))) if ordered else list(map(int, joined.split(",")))


def read(session: Session, office: Office, period: Period, filters: Filters = Filters()) -> Reading:
    """The period's tickets in one query, as parts: every figure of the report is a union of parts."""
    dialect = session.get_bind().dialect.name
    daily = period.days <= DAILY_LIMIT_DAYS
    n = len(_COUNTS)
    cells: dict[tuple, list] = {}
    for r in session.execute(_group_query(dialect, office, period, filters)):
        day = r[0] if isinstance(r[0], date) else date.fromisoformat(r[0])
        cells.setdefault((day if daily else day.replace(day=1), r[1], r[2], r[3]), []).append(r)
    parts = []
    for (bucket, service_id, counter_id, officer_id), rows in cells.items():
        counts = tuple(map(int, map(sum, zip(*(r[4 : 4 + n] for r in rows)))))
        waits, services, errors, visitors = (4 + n + i for i in range(4))
        visitor_text = ",".join(r[visitors] for r in rows if r[visitors])
        parts.append(
            Part(
                bucket,
                service_id,
                counter_id,
                officer_id,
                Tickets.of(
                    counts,
                    _ints(r[waits] for r in rows),
                    _ints(r[services] for r in rows),
                    _ints((r[errors] for r in rows), ordered=False),
                    visitor_text.split(",") if visitor_text else [],
                ),
            )
        )
    rows = [r for rows in cells.values() for r in rows]
    hours = ",".join(r[-1] for r in rows if r[-1])
    tally = Tally(hours.split(",")) if hours else Tally()
    lows, highs = [r[-3] for r in rows if r[-3] is not None], [r[-2] for r in rows if r[-2] is not None]
    return Reading(parts, {int(h): c for h, c in tally.items()}, (min(lows), max(highs)) if lows else None)


# ---- figures of a set of tickets -------------------------------------------------------------------------


def _percentile_sorted(xs: list[int], p: float) -> float | None:
    """percentile() of values already sorted, in microseconds, answered in minutes (the same arithmetic)."""
    if not xs:
        return None
    h = (len(xs) - 1) * (p / 100.0)
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    a, b = minutes(xs[lo]), minutes(xs[hi])
    return a + (h - lo) * (b - a)


def _durations(xs: list[int], total: int) -> dict:
    """count, mean, median, p90 and max (minutes) of sorted microseconds; the mean of their exact sum."""
    if not xs:
        return {"count": 0, "mean": None, "median": None, "p90": None, "max": None}
    return {
        "count": len(xs),
        "mean": minutes(total) / len(xs),
        "median": _percentile_sorted(xs, 50),
        "p90": _percentile_sorted(xs, 90),
        "max": minutes(xs[-1]),
    }


def summarize(tickets: Tickets) -> dict:
    """All the headline figures of a set of tickets (see the module text for each definition)."""
    c = dict(zip(_COUNTS, tickets.counts))
    wait_sum, service_sum, error_sum, error_abs_sum = tickets.sums
    n_est = len(tickets.errors)
    return {
        "tickets": c["tickets"],
        "visitors": len(set(tickets.visitors)),
        "served": c["served"],
        "no_shows": c["no_shows"],
        "cancelled": c["cancelled"],
        "not_served": c["not_served"],
        "transferred_tickets": c["transferred_tickets"],
        "transfers": c["transfers"],
        "waiting": _durations(tickets.waits, wait_sum),
        "service": _durations(tickets.services, service_sum),
        "limit": {
            "called": c["judged"],
            "within": c["within"],
            "breaches": c["judged"] - c["within"],
            "share": share(c["within"], c["judged"]),
        },
        "estimate": {
            "count": n_est,
            "mean_abs_error": minutes(error_abs_sum) / n_est if n_est else None,
            "bias": minutes(error_sum) / n_est if n_est else None,
            "within_tolerance": c["estimate_close"],
            "share_within_tolerance": share(c["estimate_close"], n_est),
            "tolerance_minutes": ESTIMATE_TOLERANCE_MINUTES,
        },
    }


def group(parts: list[Part], key) -> dict:
    """The tickets of parts by a key function (None keys kept: 'not called')."""
    out: dict = {}
    for p in parts:
        out.setdefault(key(p), []).append(p.tickets)
    return {k: union(ts) for k, ts in out.items()}


def summary(session: Session, office: Office, period: Period, filters: Filters = Filters()) -> dict:
    """The headline figures of a period alone (the live view's 'today')."""
    return summarize(union(p.tickets for p in read(session, office, period, filters).parts))


def time_series(parts: list[Part], period: Period) -> tuple[str, list[dict]]:
    """Per day (or per month for long periods): tickets, served, within-limit share, median wait."""
    if period.days <= DAILY_LIMIT_DAYS:
        unit = "day"
        keys = [period.start + timedelta(days=i) for i in range(period.days)]
        label = lambda k: k.isoformat()  # noqa: E731
    else:
        unit = "month"
        keys, d = [], date(period.start.year, period.start.month, 1)
        while d <= period.end:
            keys.append(d)
            d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        label = lambda k: k.strftime("%Y-%m")  # noqa: E731
    buckets: dict = {}
    for p in parts:
        buckets.setdefault(p.bucket, []).append(p.tickets)
    rows = []
    for k in keys:
        ts = buckets.get(k, [])
        c = dict(zip(_COUNTS, map(sum, zip(*(t.counts for t in ts))))) if ts else dict.fromkeys(_COUNTS, 0)
        rows.append(
            {
                "key": label(k),
                "tickets": c["tickets"],
                "served": c["served"],
                "limit_share": share(c["within"], c["judged"]),
                "median_wait": _percentile_sorted(_merged(t.waits for t in ts), 50),
            }
        )
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
    # Requests outside the counter delivered in the period: within 10 working days (rules.requests.clock).
    online_limit: dict | None = None


def _names(session: Session, office_id: int) -> tuple[dict, dict, dict]:
    services = {s.id: s for s in session.exec(select(Service).where(Service.office_id == office_id))}
    counters = {c.id: c for c in session.exec(select(Counter).where(Counter.office_id == office_id))}
    officers = {u.id: u for u in session.exec(select(User).where(User.office_id == office_id))}
    return services, counters, officers


def _breakdown(groups: dict, label_of, order_of) -> list[dict]:
    rows = [{"id": k, "label": label_of(k), "order": order_of(k), **summarize(t)} for k, t in groups.items()]
    rows.sort(key=lambda r: r["order"])
    for r in rows:
        r.pop("order")
    return rows


def build_report(session: Session, office: Office, period: Period, filters: Filters = Filters()) -> Report:
    """Everything a report page, its CSV and its PDF show, computed once."""
    tz = ZoneInfo(office.timezone)
    reading = read(session, office, period, filters)
    parts = reading.parts
    services, counters, officers = _names(session, office.id)
    per_service = group(parts, lambda p: p.service_id)
    # The services partition the office: its sorted values are a merge of theirs (long runs, cheap to merge).
    overall = union(per_service.values()) if per_service else EMPTY
    by_service = _breakdown(
        per_service,
        lambda k: services[k].name if k in services else str(k),
        lambda k: (services[k].sort_order if k in services else 999, k or 0),
    )
    by_counter = _breakdown(
        group(parts, lambda p: p.counter_id),
        lambda k: (counters[k].name or f"Loket {counters[k].number}") if k in counters else None,
        lambda k: (counters[k].number if k in counters else 10**6, k or 0),
    )
    by_officer = _breakdown(
        group(parts, lambda p: p.officer_id),
        lambda k: officers[k].name if k in officers else None,
        lambda k: (officers[k].name if k in officers else "\uffff", k or 0),
    )
    unit, by_time = time_series(parts, period)
    guestbook = (
        guestbook_breakdown(session, office, period, filters, reading.guestbook_ids)
        if reading.guestbook_ids
        else {dim: [] for dim in GUESTBOOK_DIMENSIONS}
    )
    start, end = period.bounds(tz)
    pnbp = invoices.pnbp_summary(session, office.id, start, end)
    ikm = ikm_rules.ikm_for(session, office.id, start, end)
    return Report(
        office={"id": office.id, "code": office.code, "name": office.name, "timezone": office.timezone},
        period=period,
        filters=filters,
        summary=summarize(overall),
        by_service=by_service,
        by_counter=by_counter,
        by_officer=by_officer,
        time_unit=unit,
        by_time=by_time,
        by_hour=sorted(reading.hours.items()),
        guestbook=guestbook,
        pnbp=pnbp,
        ikm=ikm,
        limit_minutes=office.service_limit_minutes,
        online_limit=request_clock.online_limit(session, office.id, start, end),
    )
