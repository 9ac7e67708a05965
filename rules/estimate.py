"""The estimated wait for a new ticket: people ahead x recent service time / open counters."""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import median

from sqlmodel import Session, select

from clock import utcnow
from models import Ticket, TicketStatus
from rules.counters import open_counters_for_service

RECENT = 20                    # finished tickets the service time is taken from
RECENT_WINDOW = timedelta(days=14)


def recent_service_minutes(session: Session, *, office_id: int, service_id: int, default_minutes: float,
                           now: datetime | None = None) -> float:
    """Median service time of the service's last finished tickets (two weeks at most), or the default."""
    now = now or utcnow()
    rows = session.exec(select(Ticket.started_at, Ticket.finished_at)
                        .where(Ticket.office_id == office_id, Ticket.service_id == service_id,
                               Ticket.status == TicketStatus.done, Ticket.finished_at >= now - RECENT_WINDOW,
                               Ticket.started_at.is_not(None))
                        .order_by(Ticket.finished_at.desc()).limit(RECENT)).all()
    durations = [(f - s).total_seconds() / 60 for s, f in rows if f and s and f >= s]
    return median(durations) if durations else default_minutes


def estimated_wait_minutes(session: Session, *, office_id: int, service_id: int, ahead: int,
                           default_minutes: float, now: datetime | None = None) -> int:
    """Whole minutes until a ticket with `ahead` people before it is likely to be called."""
    if ahead <= 0:
        return 0
    per_visitor = recent_service_minutes(session, office_id=office_id, service_id=service_id,
                                         default_minutes=default_minutes, now=now)
    counters = max(open_counters_for_service(session, office_id, service_id), 1)
    return max(1, round(ahead * per_visitor / counters))
