"""The durable print queue: a job is a row written in the same transaction as what it prints."""

from __future__ import annotations

import json

from sqlmodel import Session

from clock import utcnow
from models import PrintJob, Ticket


def enqueue(session: Session, *, office_id: int, station: str, kind: str, ref_id: int | None,
            payload: dict, requested_by: int | None = None) -> PrintJob:
    """Queue a piece of paper for a station's printer; the print worker sends it."""
    job = PrintJob(office_id=office_id, station=station, kind=kind, ref_id=ref_id,
                   payload=json.dumps(payload, sort_keys=True, default=str), requested_by=requested_by,
                   next_attempt_at=utcnow())
    session.add(job)
    session.flush()
    return job


def enqueue_ticket(session: Session, ticket: Ticket, *, station: str) -> PrintJob:
    """Queue the ticket slip; what goes on it is rendered from the ticket row when printed."""
    return enqueue(session, office_id=ticket.office_id, station=station, kind="ticket", ref_id=ticket.id,
                   payload={"ticket_id": ticket.id})
