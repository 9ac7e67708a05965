"""Live updates over Socket.IO: rooms per office, and what is sent when the queue changes.

Rooms: 'public:<office>' for wall displays and kiosks (codes only), 'staff:<office>' for signed-in staff.
Every change is followed by a full snapshot, so a screen that missed an event is corrected by the next
one, and a screen that (re)connects gets a snapshot at once.
"""

from __future__ import annotations

import logging

from flask import current_app

from extensions import socketio
from models import Office
from rules.snapshot import public_snapshot

log = logging.getLogger(__name__)


def public_room(office_code: str) -> str:
    return f"public:{office_code}"


def staff_room(office_code: str) -> str:
    return f"staff:{office_code}"


def complaints() -> dict:
    return current_app.extensions["loket.settings"].office.complaints.model_dump()


def snapshot_for(session, office: Office) -> dict:
    return public_snapshot(session, office, complaints=complaints())


def publish(office_id: int, *, call: dict | None = None, event: str | None = None, data: dict | None = None) -> None:
    """After a committed change: announce a call (if any), then send every screen of the office a snapshot.

    Never raises: a broadcast that fails must not undo or fail the action that was already committed.
    """
    try:
        db = current_app.extensions["loket.db"]
        with db.read() as s:
            office = s.get(Office, office_id)
            snap = snapshot_for(s, office)
        rooms = (public_room(office.code), staff_room(office.code))
        if call is not None:
            socketio.emit("call", call, to=list(rooms))
        if event is not None:
            socketio.emit(event, data or {}, to=list(rooms))
        socketio.emit("snapshot", snap, to=list(rooms))
    except Exception:  # noqa: BLE001
        log.exception("broadcast for office %s failed", office_id)


def call_message(ticket, counter) -> dict:
    """The payload of a 'call' event: what the display flashes and speaks."""
    from clock import iso
    return {"ticket_id": ticket.id, "code": ticket.code, "counter": counter.number, "counter_name": counter.name,
            "recall": ticket.recall_count > 0, "at": iso(ticket.called_at)}
