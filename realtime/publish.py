"""Publishing a committed change to the office's screens: the call or event at once, then a full snapshot.

Every broadcast goes through `broadcast()`: `publish()` from a request of the web process, `publish_external()`
from a command or worker (through the message queue). A screen that missed an event is corrected by the
next snapshot, and a screen that (re)connects gets one at once (`snapshot_for_joiner`).
"""

from __future__ import annotations

import logging

from flask import current_app

from extensions import socketio
from models import Office
from realtime import hooks
from realtime.coalesce import Batches, Coalescer
from realtime.queue import office_changed
from realtime.rooms import public_room, staff_room
from rules.snapshot import public_snapshot

log = logging.getLogger(__name__)

_snapshots = Coalescer()
_joins = Batches()
_codes: dict[tuple, str] = {}  # (database, office id) -> office code: fixed once the office exists


def _complaints() -> dict:
    return current_app.extensions["loket.settings"].office.complaints.model_dump()


def snapshot_for(session, office: Office) -> dict:
    """The public snapshot of an office (what a wall display shows), read in the caller's session."""
    return public_snapshot(session, office, complaints=_complaints())


def snapshot_for_joiner(office_id: int) -> dict:
    """The snapshot for a screen that has just joined the office's room (shared with others joining now).

    After a restart every screen reconnects within seconds: they share one build that started after each
    asked, so none can miss a change (one committed before is in it, one after is broadcast to the room).
    """
    db = current_app.extensions["loket.db"]
    complaints = _complaints()

    def build():
        with db.read() as s:
            return public_snapshot(s, s.get(Office, office_id), complaints=complaints)

    return _joins.get((db.url, office_id), build)


def publish(
    office_id: int,
    *,
    call: dict | None = None,
    event: str | None = None,
    data: dict | None = None,
    call_token: str | None = None,
    staff_only: bool = False,
    snapshot: bool = True,
) -> None:
    """After a committed change, from a request: announce a call and/or an event, then (coalesced) a snapshot.

    `call_token`: the called ticket's status token when the caller has it (for the visitor's phone).
    `staff_only`: the event goes to the staff room only. `snapshot=False`: nothing in the queue changed.
    Never raises: a broadcast that fails is logged with its cause and does not undo the committed action.
    """
    app = current_app
    try:
        broadcast(
            socketio,
            app.extensions["loket.db"],
            _complaints(),
            office_id,
            call=call,
            event=event,
            data=data,
            min_interval=app.config.get("SNAPSHOT_MIN_INTERVAL", 0.0),
            settle=app.config.get("SNAPSHOT_SETTLE", 0.0),
            call_token=call_token,
            staff_only=staff_only,
            snapshot=snapshot,
        )
    except Exception:
        log.exception("broadcast for office %s failed", office_id)


def publish_external(
    emitter,
    db,
    settings,
    office_id: int,
    *,
    call: dict | None = None,
    event: str | None = None,
    data: dict | None = None,
) -> bool:
    """publish() for a process outside the web server: returns False (and logs) when nothing could be sent."""
    if emitter is None:
        log.info(
            "no message queue configured: screens of office %s learn of the change at their next update", office_id
        )
        return False
    try:
        broadcast(emitter, db, settings.office.complaints.model_dump(), office_id, call=call, event=event, data=data)
        return True
    except Exception:
        log.exception("external broadcast for office %s failed", office_id)
        return False


def _office_code(db, office_id: int) -> str:
    key = (db.url, office_id)
    code = _codes.get(key)
    if code is None:
        with db.read() as s:
            code = _codes[key] = s.get(Office, office_id).code
    return code


def broadcast(
    emitter,
    db,
    complaints: dict,
    office_id: int,
    *,
    call: dict | None = None,
    event: str | None = None,
    data: dict | None = None,
    min_interval: float = 0.0,
    call_token: str | None = None,
    settle: float = 0.0,
    staff_only: bool = False,
    snapshot: bool = True,
) -> None:
    """Emit a call and/or an event to the office's rooms at once, run the screens' hooks, then a snapshot.

    `emitter` is the app's socketio or an external_emitter(); with a message queue the emit reaches the
    screens connected to every server process.
    """
    code = _office_code(db, office_id)
    rooms = [public_room(code), staff_room(code)]
    if call is not None:
        emitter.emit("call", call, to=rooms)
        # Let the connections' writers send the call now, before this request builds the snapshot.
        emitter.sleep(0)
        hooks.after_call(emitter, db, call, call_token)
    if event is not None:
        emitter.emit(event, data or {}, to=rooms[1:] if staff_only else rooms)
        hooks.after_event(emitter, db, event, data or {})
    if not snapshot:
        return

    def send():
        with db.read() as s:
            snap = public_snapshot(s, s.get(Office, office_id), complaints=complaints)
        emitter.emit("snapshot", snap, to=rooms)
        office_changed(emitter, office_id)

    _snapshots.run(
        office_id, send, min_interval, spawn=emitter.start_background_task, sleep=emitter.sleep, settle=settle
    )


def init_app(app) -> None:
    """Run the screens' 'office changed' hooks in this process when told (after socketio.init_app)."""
    socketio.server.manager.loket_office_changed = lambda office_id: hooks.office_changed_here(app, office_id)
