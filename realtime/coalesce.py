"""Sending less under load: at most one build per office in flight, and screens joining together share one."""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)


class Coalescer:
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
        except Exception:
            log.exception("deferred send for %s failed", key)

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


class Batches:
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
