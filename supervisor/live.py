"""The supervisor's live view as data: counters, queues with every waiting ticket's 10-minute clock,
breaches today, printers, and suggestions to open another counter. Plain functions on a session.

Clocks follow rules.service_limit (the same as the wall display and the counter screen): a ticket's clock
starts when the visitor ahead of it in the same queue has finished, so in a line only the head's clock
can be running. The page recomputes states every second from the times sent here and the server time.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from clock import business_day, iso, utcnow
from models import Counter, CounterService, CounterStatus, Office, ProductRequest, Ticket, TicketStatus, User, Visitor
from printer.status import printer_states
from rules import estimate, lines, offices, reports, service_limit, tickets
from rules.privacy import mask_name
from rules.requests import clock as request_clock

log = logging.getLogger(__name__)


def printers_view(session: Session, office_id: int) -> list[dict] | None:
    """The printers' states (printer.status), or None when they cannot be read: a printer problem must not
    blank the supervisor's screen, and it is logged with its cause."""
    try:
        return list(printer_states(session, office_id))
    except Exception:
        log.exception("printer states for office %s failed", office_id)
        return None


def _seconds(since: datetime | None, now: datetime) -> int | None:
    return None if since is None else int((now - since).total_seconds())


def counters_view(session: Session, office: Office, now: datetime) -> list[dict]:
    """Each counter: closed, idle, called/serving whom (masked name) since when, or paused with reason."""
    counters = offices.counters(session, office.id)
    active = {
        t.counter_id: t
        for t in session.exec(
            select(Ticket).where(
                Ticket.office_id == office.id, Ticket.status.in_([TicketStatus.called, TicketStatus.serving])
            )
        )
    }
    visitor_ids = [t.visitor_id for t in active.values() if t.visitor_id]
    visitors = (
        {v.id: v for v in session.exec(select(Visitor).where(Visitor.id.in_(visitor_ids)))} if visitor_ids else {}
    )
    officer_ids = [c.officer_id for c in counters if c.officer_id]
    officers = {u.id: u.name for u in session.exec(select(User).where(User.id.in_(officer_ids)))} if officer_ids else {}
    services = {s.id: s for s in offices.services(session, office.id, active_only=False)}
    out = []
    for c in counters:
        t = active.get(c.id)
        if c.status == CounterStatus.closed:
            state, since = "closed", c.status_since
        elif c.status == CounterStatus.paused:
            state, since = "paused", c.status_since
        elif t is not None:
            state = "serving" if t.status == TicketStatus.serving else "called"
            since = t.started_at if t.status == TicketStatus.serving else t.called_at
        else:
            state, since = "idle", c.status_since
        ticket = None
        if t is not None:
            svc = services.get(t.service_id)
            ticket = {
                "id": t.id,
                "code": t.code,
                "status": t.status,
                "name": mask_name(visitors[t.visitor_id].name) if t.visitor_id in visitors else "",
                # Both names: the page shows its language's (Loket.serviceName).
                "service": {"name": svc.name, "name_en": svc.name_en} if svc else {"name": "", "name_en": ""},
                "called_at": iso(t.called_at),
                "started_at": iso(t.started_at),
            }
        out.append(
            {
                "id": c.id,
                "number": c.number,
                "name": c.name or f"Loket {c.number}",
                "state": state,
                "since": iso(since),
                "seconds": _seconds(since, now),
                "pause_reason": c.pause_reason,
                "officer": officers.get(c.officer_id, "") if c.status != CounterStatus.closed else "",
                "ticket": ticket,
            }
        )
    return out


def services_view(session: Session, office: Office, now: datetime, default_minutes: float) -> list[dict]:
    """Each service's line: every waiting ticket with its clock, the longest wait, and whether it clears in time."""
    day = tickets.today(office, now)
    limit = office.service_limit_minutes
    served_by: dict[int, list[Counter]] = {}
    counters = {c.id: c for c in offices.counters(session, office.id)}
    for cid, sid in session.exec(select(CounterService.counter_id, CounterService.service_id)):
        if cid in counters:
            served_by.setdefault(sid, []).append(counters[cid])
    out = []
    for s in offices.services(session, office.id):
        clocked = lines.line_with_clocks(session, office=office, service_id=s.id, day=day)
        line = [t for t, _, _ in clocked]
        vids = [t.visitor_id for t in line if t.visitor_id]
        names = {v.id: v.name for v in session.exec(select(Visitor).where(Visitor.id.in_(vids)))} if vids else {}
        waiting = []
        for t, start, _ in clocked:
            waiting.append(
                {
                    "id": t.id,
                    "code": t.code,
                    "priority": t.priority,
                    "transferred": t.transfer_count > 0,
                    "name": mask_name(names.get(t.visitor_id, "")),
                    "queued_at": iso(t.queued_at),
                    "waiting_seconds": _seconds(t.queued_at, now),
                    **service_limit.limit_clock(start, limit, now),
                }
            )
        per_visitor = estimate.recent_service_minutes(
            session, office_id=office.id, service_id=s.id, default_minutes=default_minutes, now=now
        )
        loads = estimate.counter_loads(session, office_id=office.id, service_id=s.id, per_visitor=per_visitor, now=now)
        clear = estimate.clearance(len(line), per_visitor, loads, limit)
        can_open = [
            c.number for c in sorted(served_by.get(s.id, []), key=lambda c: c.number) if c.status != CounterStatus.open
        ]
        out.append(
            {
                "id": s.id,
                "code": s.code,
                "prefix": s.prefix,
                "name": s.name,
                "name_en": s.name_en,
                "waiting": len(line),
                "oldest_queued_at": iso(min((t.queued_at for t in line), default=None)),
                "longest_wait_seconds": max((w["waiting_seconds"] for w in waiting), default=0),
                "tickets": waiting,
                "open_counters": [counters[c.counter_id].number for c in loads if c.counter_id in counters],
                "service_minutes": round(per_visitor, 1),
                "clear_minutes": None if clear.minutes == float("inf") else round(clear.minutes, 1),
                "in_time": clear.in_time,
                "extra_counters_needed": 0 if clear.in_time else clear.extra_counters_needed,
                "counters_to_open": can_open,
            }
        )
    return out


def suggestions(services: list[dict]) -> list[dict]:
    """Open another counter where the last one waiting would not be called within the limit."""
    out = []
    for s in services:
        if s["waiting"] and not s["in_time"]:
            out.append(
                {
                    "service_id": s["id"],
                    "service": {"name": s["name"], "name_en": s["name_en"]},
                    "waiting": s["waiting"],
                    "clear_minutes": s["clear_minutes"],
                    "extra_counters_needed": s["extra_counters_needed"],
                    "counters_to_open": s["counters_to_open"],
                }
            )
    return out


def today_figures(session: Session, office: Office, now: datetime, services: list[dict]) -> dict:
    """Today so far: tickets, served, first calls within/over the limit, and visitors over the limit now."""
    period = reports.Period.day(tickets.today(office, now))
    summary = reports.summary(session, office, period)
    waiting_breached = sum(1 for s in services for t in s["tickets"] if t["state"] == "breached")
    return {
        "tickets": summary["tickets"],
        "served": summary["served"],
        "no_shows": summary["no_shows"],
        "called": summary["limit"]["called"],
        "within": summary["limit"]["within"],
        "called_late": summary["limit"]["breaches"],
        "waiting_breached": waiting_breached,
        "breaches": summary["limit"]["breaches"] + waiting_breached,
        "limit_share": summary["limit"]["share"],
        "median_wait": summary["waiting"]["median"],
    }


def supervisor_snapshot(
    session: Session, office: Office, *, default_minutes: float, now: datetime | None = None
) -> dict:
    """Everything the live view shows, with the server time so the page's clocks follow the server's."""
    now = now or utcnow()
    services = services_view(session, office, now, default_minutes)
    printers = printers_view(session, office.id)
    return {
        "server_time": iso(now),
        "office": {"code": office.code, "name": office.name, "timezone": office.timezone},
        "limit_minutes": office.service_limit_minutes,
        "counters": counters_view(session, office, now),
        "services": services,
        "today": today_figures(session, office, now, services),
        "suggestions": suggestions(services),
        "printers": printers,
        "online": online_view(session, office, now),
    }


_online_cache: dict[tuple, tuple[float, list[dict]]] = {}
_ONLINE_TTL = 60.0  # seconds: a closure added meanwhile shows within a minute


def online_view(session: Session, office: Office, now: datetime) -> list[dict]:
    """Requests made outside the counter whose 10 working days run short or ran out (the alarm), then the others
    with a running clock; no personal data (a wall view): number, channel, due day, days left.

    The view is asked for after every change at the office (each supervisor's screen); the clocks change only
    with the day or a step on one of these requests, so the list is kept until then (or a minute)."""
    version = session.exec(
        select(func.count(), func.max(ProductRequest.updated_at)).where(
            ProductRequest.office_id == office.id, ProductRequest.channel != "counter"
        )
    ).one()
    key = (id(session.get_bind()), office.id, business_day(now, offices.office_tz(office)), tuple(version))
    hit = _online_cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < _ONLINE_TTL:
        return hit[1]
    rows = [
        {
            "number": x["request"].number,
            "channel": x["request"].channel,
            "due": x["clock"]["due"],
            "left": x["clock"]["left"],
            "paused": x["clock"]["paused"],
            "overdue": x["clock"]["overdue"],
            "alarm": x["alarm"],
        }
        for x in request_clock.live_requests(session, office.id, now)
        if x["clock"] is not None
    ]
    if len(_online_cache) > 64:
        _online_cache.clear()
    _online_cache[key] = (time.monotonic(), rows)
    return rows
