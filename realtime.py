"""Live updates over Socket.IO: rooms per office, and what is sent when the queue changes.

Rooms: 'public:<office>' for wall displays and kiosks (codes only), 'staff:<office>' for signed-in staff.
Every change is followed by a full snapshot, so a screen that missed an event is corrected by the next
one, and a screen that (re)connects gets a snapshot at once.
"""

from __future__ import annotations

import logging
import threading

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
        broadcast(socketio, current_app.extensions["loket.db"], complaints(), office_id, call=call, event=event,
                  data=data)
    except Exception:  # noqa: BLE001
        log.exception("broadcast for office %s failed", office_id)


class _Coalescer:
    """At most one snapshot per office is being built in this process; changes meanwhile ask for one more.

    Under load (many tickets a second in one office) every request used to build and send its own full
    snapshot to every screen of the office. Now the request that finds a snapshot already in flight only
    marks the office dirty, and the sender builds one more snapshot after the one in flight (read after
    every commit that asked). A lone change still gets its snapshot at once, in its own request.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._busy: set = set()
        self._dirty: set = set()

    def run(self, key, send) -> None:
        with self._lock:
            if key in self._busy:
                self._dirty.add(key)
                return
            self._busy.add(key)
        try:
            while True:
                send()
                with self._lock:
                    if key not in self._dirty:
                        self._busy.discard(key)
                        return
                    self._dirty.discard(key)
        except BaseException:
            with self._lock:
                self._busy.discard(key)
                self._dirty.discard(key)
            raise


_snapshots = _Coalescer()


def broadcast(emitter, db, complaints_: dict, office_id: int, *, call: dict | None = None, event: str | None = None,
              data: dict | None = None) -> None:
    """Emit a call and/or an event to the office's rooms at once, then a (coalesced) snapshot.

    `emitter` is the app's socketio or an external_emitter(); with a message queue the emit reaches the
    screens connected to every server process.
    """
    with db.read() as s:
        code = s.get(Office, office_id).code
    rooms = [public_room(code), staff_room(code)]
    if call is not None:
        emitter.emit("call", call, to=rooms)
        from status.live import push_call  # the called visitor's own phone (local: status imports realtime)
        push_call(emitter, db, call)
    if event is not None:
        emitter.emit(event, data or {}, to=rooms)

    def send():
        with db.read() as s:
            snap = public_snapshot(s, s.get(Office, office_id), complaints=complaints_)
        emitter.emit("snapshot", snap, to=rooms)
        from status.live import push_states  # each visitor's phone: only its own ticket's room
        push_states(emitter, db, office_id)

    _snapshots.run(office_id, send)


def external_emitter(settings):
    """A write-only Socket.IO emitter for code outside the web processes (print worker, commands).

    It publishes on the deployment's message queue (LOKET_MESSAGE_QUEUE, same channel), so the emit reaches
    the screens connected to every server process. Returns None without a message queue: then only the web
    process itself can reach its screens.
    """
    if not settings.message_queue:
        return None
    from flask_socketio import SocketIO
    # async_mode threading: a command or worker is a plain process (not monkey-patched by gevent).
    return SocketIO(message_queue=settings.message_queue, channel=settings.message_queue_channel,
                    async_mode="threading")


def publish_external(emitter, db, settings, office_id: int, *, call: dict | None = None, event: str | None = None,
                     data: dict | None = None) -> bool:
    """publish() for a process outside the web server: returns False (and logs) when nothing could be sent."""
    if emitter is None:
        log.info("no message queue configured: screens of office %s learn of the change at their next update",
                 office_id)
        return False
    try:
        broadcast(emitter, db, settings.office.complaints.model_dump(), office_id, call=call, event=event, data=data)
        return True
    except Exception:  # noqa: BLE001
        log.exception("external broadcast for office %s failed", office_id)
        return False


def call_message(ticket, counter) -> dict:
    """The payload of a 'call' event: what the display flashes and speaks."""
    from clock import iso
    return {"ticket_id": ticket.id, "code": ticket.code, "counter": counter.number, "counter_name": counter.name,
            "recall": ticket.recall_count > 0, "at": iso(ticket.called_at)}
