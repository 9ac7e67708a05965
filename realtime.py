"""Live updates over Socket.IO: rooms per office, and what is sent when the queue changes.

Rooms: 'public:<office>' for wall displays and kiosks (codes only), 'staff:<office>' for signed-in staff.
Every change is followed by a full snapshot, so a screen that missed an event is corrected by the next
one, and a screen that (re)connects gets a snapshot at once.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import current_app
from socketio import PubSubManager

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


def publish(office_id: int, *, call: dict | None = None, event: str | None = None, data: dict | None = None,
            call_token: str | None = None, staff_only: bool = False) -> None:
    """After a committed change: announce a call (if any), then send every screen of the office a snapshot.

    `call_token`: the called ticket's status token, when the caller has it (saves reading it again for the
    visitor's phone). `staff_only`: the event goes to the staff room only (wall displays have no use for it).
    Never raises: a broadcast that fails must not undo or fail the action already committed.
    """
    try:
        broadcast(socketio, current_app.extensions["loket.db"], complaints(), office_id, call=call, event=event,
                  data=data, min_interval=current_app.config.get("SNAPSHOT_MIN_INTERVAL", 0.0),
                  settle=current_app.config.get("SNAPSHOT_SETTLE", 0.0), call_token=call_token, staff_only=staff_only)
    except Exception:  # noqa: BLE001
        log.exception("broadcast for office %s failed", office_id)


class _Coalescer:
    """At most one snapshot per office is being built in this process; changes meanwhile ask for one more.

    Under load (many tickets a second in one office) every request used to build and send its own full
    snapshot to every screen of the office. Now the request that finds a snapshot already in flight only
    marks the office dirty, and the sender builds one more snapshot after the one in flight (read after
    every commit that asked). A lone change still gets its snapshot at once, in its own request.

    With `min_interval` (seconds; serve.py sets it in production) an office gets at most one snapshot per
    interval from this process: a change inside the interval is folded into one snapshot sent at its end
    by a background task. 'call' events are never delayed; only the queue figures are.

    With `settle` (seconds; serve.py: 50 ms) even the first change of a quiet office is sent by a background
    task that short while later: the request answers at once, and when officers call together their 'call'
    events go out before the CPU is spent on snapshots, which then show those calls together.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._busy: set = set()
        self._dirty: set = set()
        self._scheduled: set = set()
        self._last: dict = {}

    def run(self, key, send, min_interval: float = 0.0, spawn=None, sleep=None, settle: float = 0.0) -> None:
        with self._lock:
            if key in self._busy or key in self._scheduled:
                self._dirty.add(key)  # the snapshot in flight or due will be read after this commit
                return
            wait = self._last.get(key, float("-inf")) + min_interval - time.monotonic() if min_interval else 0
            wait = max(wait, settle)
            if wait > 0:
                self._scheduled.add(key)
                spawn(self._later, key, send, wait, min_interval, spawn, sleep)
                return
            self._busy.add(key)
        self._loop(key, send, min_interval, spawn, sleep)

    def _later(self, key, send, wait, min_interval, spawn, sleep) -> None:
        sleep(wait)
        with self._lock:
            self._scheduled.discard(key)
            self._dirty.discard(key)
            self._busy.add(key)
        try:
            self._loop(key, send, min_interval, spawn, sleep)
        except Exception:  # noqa: BLE001  (a background task has no caller to tell)
            log.exception("deferred snapshot for office %s failed", key)

    def _loop(self, key, send, min_interval, spawn, sleep) -> None:
        try:
            while True:
                send()
                with self._lock:
                    self._last[key] = time.monotonic()
                    if key not in self._dirty:
                        self._busy.discard(key)
                        return
                    self._dirty.discard(key)
                    if min_interval:
                        self._busy.discard(key)
                        self._scheduled.add(key)
                        spawn(self._later, key, send, min_interval, min_interval, spawn, sleep)
                        return
        except BaseException:
            with self._lock:
                self._busy.discard(key)
                self._dirty.discard(key)
            raise


_snapshots = _Coalescer()


class _Batches:
    """Screens (re)connecting to one office at the same moment share one snapshot build.

    After a restart every screen reconnects within seconds; building one snapshot per screen made a
    storm of thousands of identical builds that starved the connection pool. A screen asks after it
    joined its room, and gets a build that started after it asked: it cannot miss a change, because a
    change committed before the build is in it, and one committed after is broadcast to the room.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._pending: dict = {}  # key -> the batch not yet started: [event, result, error]
        self._running: set = set()

    def get(self, key, build):
        with self._lock:
            batch = self._pending.get(key)
            if batch is None:
                batch = self._pending[key] = [threading.Event(), None, None]
            lead = key not in self._running
            if lead:
                self._running.add(key)
        if lead:
            self._run(key, build)
        batch[0].wait()
        if batch[2] is not None:
            raise batch[2]
        return batch[1]

    def _run(self, key, build) -> None:
        while True:
            with self._lock:
                batch = self._pending.pop(key, None)
                if batch is None:
                    self._running.discard(key)
                    return
            try:
                batch[1] = build()
            except Exception as e:  # noqa: BLE001  (handed to every screen of the batch)
                batch[2] = e
            batch[0].set()


_joins = _Batches()


def snapshot_for_joiner(office_id: int) -> dict:
    """The snapshot for a screen that has just joined the office's room (shared with others joining now)."""
    db = current_app.extensions["loket.db"]
    complaints_ = complaints()

    def build():
        with db.read() as s:
            return public_snapshot(s, s.get(Office, office_id), complaints=complaints_)
    return _joins.get((db.url, office_id), build)


_codes: dict[tuple, str] = {}  # (database, office id) -> office code: fixed once the office exists


def _office_code(db, office_id: int) -> str:
    key = (db.url, office_id)
    code = _codes.get(key)
    if code is None:
        with db.read() as s:
            code = _codes[key] = s.get(Office, office_id).code
    return code


def broadcast(emitter, db, complaints_: dict, office_id: int, *, call: dict | None = None, event: str | None = None,
              data: dict | None = None, min_interval: float = 0.0, call_token: str | None = None,
              settle: float = 0.0, staff_only: bool = False) -> None:
    """Emit a call and/or an event to the office's rooms at once, then a (coalesced) snapshot.

    `emitter` is the app's socketio or an external_emitter(); with a message queue the emit reaches the
    screens connected to every server process. Visitors' phones are updated by the process each is
    connected to, told by office_changed().
    """
    code = _office_code(db, office_id)
    rooms = [public_room(code), staff_room(code)]
    if call is not None:
        emitter.emit("call", call, to=rooms)
        # Let the connections' writers send the call now, before this request builds the snapshot.
        emitter.sleep(0)
        from status.live import push_call  # the called visitor's own phone (local: status imports realtime)
        push_call(emitter, db, call, token=call_token)
    if event is not None:
        emitter.emit(event, data or {}, to=rooms[1:] if staff_only else rooms)

    def send():
        with db.read() as s:
            snap = public_snapshot(s, s.get(Office, office_id), complaints=complaints_)
        emitter.emit("snapshot", snap, to=rooms)
        office_changed(emitter, office_id)

    _snapshots.run(office_id, send, min_interval, spawn=emitter.start_background_task, sleep=emitter.sleep,
                   settle=settle)


# ---- visitors' phones: each server process updates the phones connected to it --------------------------

# A namespace no client ever joins: it only carries the 'office_changed' hint between server processes.
INTERNAL_NAMESPACE = "/loket-internal"
OFFICE_CHANGED = "office_changed"


def office_changed(emitter, office_id: int) -> None:
    """Tell every server process (this one included) that an office changed, so each updates its own phones.

    Through the message queue when there is one (also from an external emitter); otherwise straight to
    this process's hook. A phone's state is worked out where the phone is connected, and only while it is.
    """
    manager = emitter.server.manager
    if isinstance(manager, PubSubManager):
        emitter.emit(OFFICE_CHANGED, {"office_id": office_id}, namespace=INTERNAL_NAMESPACE)
    else:
        hook = getattr(manager, "loket_office_changed", None)
        if hook is not None:
            hook(office_id)


class _OfficeChangedHint:
    """Mixed into Flask-SocketIO's pub/sub manager: 'office_changed' on the internal namespace runs the hook
    (set by init_app) instead of being delivered; everything else is delivered as usual."""

    loket_office_changed = None

    def _handle_emit(self, message):
        if message.get("namespace") == INTERNAL_NAMESPACE:
            data = message.get("data")
            data = data[0] if isinstance(data, list) and data else data
            if message.get("event") == OFFICE_CHANGED and self.loket_office_changed and isinstance(data, dict):
                self.loket_office_changed(int(data["office_id"]))
            return
        super()._handle_emit(message)


def client_manager(settings):
    """The Socket.IO client manager for create_app: None without a message queue (one process), else the
    manager Flask-SocketIO would choose for the URL, with the 'office changed' hint taught to it."""
    url = settings.message_queue
    if not url:
        return None
    import socketio as sio
    if url.startswith(("redis://", "rediss://")):
        base = sio.RedisManager
    elif url.startswith("kafka://"):
        base = sio.KafkaManager
    elif url.startswith("zmq"):
        base = sio.ZmqManager
    else:
        base = sio.KombuManager
    cls = type(f"Loket{base.__name__}", (_OfficeChangedHint, base), {})
    return cls(url, channel=settings.message_queue_channel, write_only=False)


_phone_pushes = _Coalescer()


def init_app(app) -> None:
    """Hook this process's phone updates to the app's Socket.IO server (after socketio.init_app)."""
    from status import live
    db = app.extensions["loket.db"]
    minutes = app.extensions["loket.settings"].app.default_service_minutes

    def changed(office_id: int) -> None:
        # Runs in a request thread or in the queue's listener thread: the work goes to a background task.
        if not live.has_phones(db.url, office_id):
            return

        def send():
            live.push_states(socketio, db, office_id, default_minutes=minutes)
        # A phone gets at most one update per PHONE_MIN_INTERVAL (serve.py: 2 s) per office: a place in line
        # changes over minutes, and the visitor's own call is pushed at once (push_call), never throttled.
        interval = app.config.get("PHONE_MIN_INTERVAL", app.config.get("SNAPSHOT_MIN_INTERVAL", 0.0))
        socketio.start_background_task(
            _phone_pushes.run, (db.url, office_id), send, interval,
            socketio.start_background_task, socketio.sleep, app.config.get("SNAPSHOT_SETTLE", 0.0))

    socketio.server.manager.loket_office_changed = changed


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
