"""The estimated wait for a new ticket (the kiosk's promise) and how long a queue takes to clear.

The model, in words a supervisor can check by hand:

* **Typical service time T** of a service: the median of the service times (start to finish) of its last
  20 finished tickets within two weeks; the configured default until there are any.
* **Open counters** serving the service, each with a **share**: a counter that also serves other queues
  spends its time on them in proportion to how many wait there: share = waiting in this queue / waiting in
  all the counter's queues (this queue counted as at least 1). A counter serving only this queue has share 1.
  Paused and closed counters do not count.
* A counter that is busy has **r = max(T - minutes since its visitor was called or started, 0)** minutes
  left; an idle counter has none.
* **Wait for a visitor with `ahead` people before them**: 0 if there are more idle counters than people
  ahead; otherwise the time W at which the counters, each working for this queue at its share once its
  current visitor is done, have got through the people ahead:
  ``sum(share_i * (W - r_i)) = ahead * T``, i.e. ``W = (ahead * T + sum(share_i * r_i)) / sum(share_i)``.
  With no open counter the office is assumed to open one (W = ahead * T).
* Shown in whole minutes, rounded half up, at least 1 when W > 0.

Example: 3 ahead, T = 6, counter 1 serves only this queue and is 2 minutes into a visit (r = 4), counter 2
is idle: W = (3*6 + 1*4) / 2 = 11 minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from statistics import median

from sqlalchemy import bindparam, func, union_all
from sqlmodel import Session, select

from clock import business_day, utcnow
from models import Counter, CounterService, CounterStatus, Office, Ticket, TicketStatus

RECENT = 20  # finished tickets the service time is taken from
RECENT_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class CounterLoad:
    """One open counter as the estimate sees it."""

    counter_id: int
    share: float  # part of its time this queue gets (0 < share <= 1)
    remaining: float | None  # minutes left with its current visitor; None when idle


@dataclass(frozen=True)
class Estimate:
    """An estimate and the figures it came from (so a screen or a test can show the working)."""

    minutes: int
    exact: float
    ahead: int
    per_visitor: float
    counters: tuple[CounterLoad, ...]

    @property
    def capacity(self) -> float:
        return sum(c.share for c in self.counters)


# ---- the pure model ------------------------------------------------------------------------------


def expected_wait(ahead: int, per_visitor: float, counters: list[CounterLoad] | tuple[CounterLoad, ...]) -> float:
    """Minutes until a visitor with `ahead` people before them is called (see the module text)."""
    if ahead < 0:
        ahead = 0
    idle = sum(1 for c in counters if c.remaining is None)
    if ahead < idle:
        return 0.0
    capacity = sum(c.share for c in counters)
    if capacity <= 0:
        return ahead * per_visitor
    backlog = sum(c.share * c.remaining for c in counters if c.remaining is not None)
    return (ahead * per_visitor + backlog) / capacity


def whole_minutes(exact: float) -> int:
    """Rounded half up; a wait that is not zero is never shown as 0."""
    if exact <= 0:
        return 0
    return max(1, math.floor(exact + 0.5))


# ---- reading the state -----------------------------------------------------------------------------


def recent_service_minutes(
    session: Session, *, office_id: int, service_id: int, default_minutes: float, now: datetime | None = None
) -> float:
    """Median service time of the service's last finished tickets (two weeks at most), or the default."""
    return recent_service_minutes_of(
        session, office_id=office_id, service_ids=[service_id], default_minutes=default_minutes, now=now
    )[service_id]


def recent_service_minutes_of(
    session: Session, *, office_id: int, service_ids: list[int], default_minutes: float, now: datetime | None = None
) -> dict[int, float]:
    """recent_service_minutes() of several services in one query: each service's last RECENT finished tickets
    (a LIMIT read backwards per service, all in one UNION ALL; it never reads two weeks of history)."""
    now = now or utcnow()
    out = dict.fromkeys(service_ids, default_minutes)
    if not service_ids:
        return out
    params = {"office_id": office_id, "since": now - RECENT_WINDOW, "now": now}
    params.update({f"s{i}": sid for i, sid in enumerate(service_ids)})
    return _medians(out, session.exec(_recent_stmt(len(service_ids)), params=params).all())


@cache
def _recent_stmt(services: int):
    """The last RECENT finished tickets of each of `services` services (bind s0, s1, ...), built once per count."""
    recent = [
        select(Ticket.service_id, Ticket.started_at, Ticket.finished_at)
        .where(
            Ticket.office_id == bindparam("office_id"),
            Ticket.service_id == bindparam(f"s{i}"),
            Ticket.status == TicketStatus.done,
            Ticket.finished_at >= bindparam("since"),
            Ticket.finished_at <= bindparam("now"),
            Ticket.started_at.is_not(None),
        )
        .order_by(Ticket.finished_at.desc(), Ticket.id.desc())
        .limit(RECENT)
        for i in range(services)
    ]
    # SQLite takes ORDER BY / LIMIT inside a UNION only in subqueries.
    return recent[0] if services == 1 else union_all(*(select(*sub.subquery().c) for sub in recent))


def _medians(out: dict[int, float], rows) -> dict[int, float]:
    durations: dict[int, list[float]] = {}
    for sid, s, f in rows:
        if f and s and f >= s:
            durations.setdefault(sid, []).append((f - s).total_seconds() / 60)
    for sid, values in durations.items():
        out[sid] = median(values)
    return out


def counter_loads(
    session: Session, *, office_id: int, service_id: int, per_visitor: float, now: datetime | None = None
) -> list[CounterLoad]:
    """The open counters serving a service, with their share of this queue and the time left with a visitor."""
    return counter_loads_of(session, office_id=office_id, per_visitor={service_id: per_visitor}, now=now)[service_id]


# Read for every ticket issued and every phone update: built once, with bind parameters (see rules/tickets.py).
_OPEN_COUNTER_SERVICES = (
    select(Counter, CounterService.service_id)
    .join(CounterService, CounterService.counter_id == Counter.id)
    .where(Counter.office_id == bindparam("office_id"), Counter.status == CounterStatus.open, Counter.active.is_(True))
    .order_by(Counter.number, CounterService.service_id)
)
_WAITING_COUNTS = (
    select(Ticket.service_id, func.count())
    .where(
        Ticket.office_id == bindparam("office_id"),
        Ticket.service_date == bindparam("day"),
        Ticket.status == TicketStatus.waiting,
        Ticket.service_id.in_(bindparam("service_ids", expanding=True)),
    )
    .group_by(Ticket.service_id)
)
_AT_COUNTERS = select(Ticket).where(
    Ticket.counter_id.in_(bindparam("counter_ids", expanding=True)),
    Ticket.status.in_([TicketStatus.called, TicketStatus.serving]),
)


def counter_loads_of(
    session: Session,
    *,
    office_id: int,
    per_visitor: dict[int, float],
    now: datetime | None = None,
    waiting: dict[int, int] | None = None,
) -> dict[int, list[CounterLoad]]:
    """counter_loads() of several services (keys of per_visitor) of an office in three queries, however many.

    `waiting`: today's waiting tickets per service of the office, when the caller has counted them already.
    """
    now = now or utcnow()
    service_ids = list(per_visitor)
    out: dict[int, list[CounterLoad]] = {sid: [] for sid in service_ids}
    if not service_ids:
        return out
    office = session.get(Office, office_id)
    from zoneinfo import ZoneInfo

    day = business_day(now, ZoneInfo(office.timezone))
    # Every (open counter, service it serves) of the office at once: who serves these queues, and what else
    # each of those counters serves (its share of time).
    serving: dict[int, list[Counter]] = {}
    served: dict[int, set[int]] = {}
    for counter, sid in session.exec(_OPEN_COUNTER_SERVICES, params={"office_id": office_id}):
        served.setdefault(counter.id, set()).add(sid)
        if sid in out:
            serving.setdefault(sid, []).append(counter)
    if not serving:
        return out
    ids = list({c.id for counters in serving.values() for c in counters})
    served = {cid: served[cid] for cid in ids}
    all_sids = set().union(*served.values())
    if waiting is None:
        waiting = dict(
            session.exec(
                _WAITING_COUNTS, params={"office_id": office_id, "day": day, "service_ids": list(all_sids)}
            ).all()
        )
    current = {}
    for t in session.exec(_AT_COUNTERS, params={"counter_ids": ids}):
        current[t.counter_id] = t
    for service_id, counters in serving.items():
        mine = max(waiting.get(service_id, 0), 1)
        loads = []
        for c in counters:
            others = sum(waiting.get(s, 0) for s in served.get(c.id, ()) if s != service_id)
            share = mine / (mine + others)
            t = current.get(c.id)
            remaining = None
            if t is not None:
                since = t.started_at or t.called_at or now
                remaining = max(per_visitor[service_id] - (now - since).total_seconds() / 60, 0.0)
            loads.append(CounterLoad(counter_id=c.id, share=share, remaining=remaining))
        out[service_id] = loads
    return out


def speeds_of(
    session: Session,
    *,
    office_id: int,
    service_ids: list[int],
    default_minutes: float,
    now: datetime | None = None,
    waiting: dict[int, int] | None = None,
) -> dict[int, tuple[float, list[CounterLoad]]]:
    """Each service's typical service time and counter loads: what expected_wait() needs, for many tickets."""
    now = now or utcnow()
    per_visitor = recent_service_minutes_of(
        session, office_id=office_id, service_ids=service_ids, default_minutes=default_minutes, now=now
    )
    loads = counter_loads_of(session, office_id=office_id, per_visitor=per_visitor, now=now, waiting=waiting)
    return {sid: (per_visitor[sid], loads[sid]) for sid in service_ids}


def estimate(
    session: Session,
    *,
    office_id: int,
    service_id: int,
    ahead: int,
    default_minutes: float,
    now: datetime | None = None,
) -> Estimate:
    """The estimate with its working: typical service time, counters and their shares."""
    now = now or utcnow()
    per_visitor = recent_service_minutes(
        session, office_id=office_id, service_id=service_id, default_minutes=default_minutes, now=now
    )
    loads = counter_loads(session, office_id=office_id, service_id=service_id, per_visitor=per_visitor, now=now)
    exact = expected_wait(ahead, per_visitor, loads)
    return Estimate(
        minutes=whole_minutes(exact), exact=exact, ahead=max(ahead, 0), per_visitor=per_visitor, counters=tuple(loads)
    )


def estimated_wait_minutes(
    session: Session,
    *,
    office_id: int,
    service_id: int,
    ahead: int,
    default_minutes: float,
    now: datetime | None = None,
) -> int:
    """Whole minutes until a ticket with `ahead` people before it is likely to be called (the kiosk's figure)."""
    return estimate(
        session, office_id=office_id, service_id=service_id, ahead=ahead, default_minutes=default_minutes, now=now
    ).minutes


# ---- can the queue be cleared in time? ----------------------------------------------------------------


@dataclass(frozen=True)
class Clearance:
    """How long until the last visitor now waiting is called, and how many more counters would keep the limit."""

    waiting: int
    minutes: float  # until the last one waiting is called, with the counters open now
    limit_minutes: int
    extra_counters_needed: int  # more (idle, dedicated) counters so the last one is called within the limit
    per_visitor: float

    @property
    def in_time(self) -> bool:
        return self.minutes <= self.limit_minutes


def clearance(
    waiting: int, per_visitor: float, counters: list[CounterLoad], limit_minutes: int, max_extra: int = 10
) -> Clearance:
    """Pure: the wait of the last of `waiting` visitors, and the extra counters that would bring it in the limit.

    The last visitor has waiting - 1 people ahead. Each extra counter is counted as idle and serving only
    this queue (share 1). If even max_extra more counters would not do, max_extra is returned. With people
    waiting and no counter open, the wait is infinite and at least one counter is needed.
    """
    if waiting <= 0:
        return Clearance(0, 0.0, limit_minutes, 0, per_visitor)
    if not counters:
        now_wait, extra = math.inf, 1
    else:
        now_wait, extra = expected_wait(waiting - 1, per_visitor, counters), 0
    while extra < max_extra:
        trial = list(counters) + [CounterLoad(counter_id=-(i + 1), share=1.0, remaining=None) for i in range(extra)]
        if expected_wait(waiting - 1, per_visitor, trial) <= limit_minutes:
            break
        extra += 1
    return Clearance(waiting, now_wait, limit_minutes, extra, per_visitor)
