"""Helpers for the live-update tests: real Socket.IO screens and a real officer/kiosk over HTTP.

Everything talks to a real server on a real port (the `live_server` fixture, or a `RestartableServer`
that can be stopped hard and started again on the same port and database file).
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
import socketio
from werkzeug.serving import make_server

from security.limits import DEVICE_COOKIE
from tests.factories import guest_form
from tests.kiosks import SERVERS, pair_requests

OFFICE = "1600"
WAIT = 15  # seconds to wait for something that should happen (a ceiling, never an assertion on speed)


class Screen:
    """A Socket.IO client that behaves like a wall display (or a signed-in counter screen) and records events."""

    def __init__(
        self,
        base_url: str,
        *,
        screen: str = "display",
        office: str = OFFICE,
        cookies: str = "",
        reconnection: bool = True,
    ):
        self.base_url, self.screen, self.office = base_url, screen, office
        self.cookies = cookies
        self.events: list[tuple[str, dict]] = []
        self.connects = 0
        self.disconnects = 0
        self._cv = threading.Condition()
        self.client = socketio.Client(
            reconnection=reconnection, reconnection_delay=0.2, reconnection_delay_max=1, randomization_factor=0
        )
        for name in ("call", "snapshot", "ticket_issued"):
            self.client.on(name, self._recorder(name))
        self.client.on("connect", self._on_connect)
        self.client.on("disconnect", self._on_disconnect)

    def _recorder(self, name):
        def record(data=None):
            with self._cv:
                self.events.append((name, data or {}))
                self._cv.notify_all()

        return record

    def _on_connect(self):
        with self._cv:
            self.connects += 1
            self._cv.notify_all()

    def _on_disconnect(self, *args):
        with self._cv:
            self.disconnects += 1
            self._cv.notify_all()

    def connect(self) -> Screen:
        headers = {"Cookie": self.cookies} if self.cookies else {}
        self.client.connect(
            self.base_url,
            transports=["websocket"],
            headers=headers,
            auth={"office": self.office, "screen": self.screen},
            wait_timeout=WAIT,
        )
        return self

    def close(self) -> None:
        ws = getattr(self.client.eio, "ws", None)
        if ws is not None:  # don't wait 3 s for a close handshake the dev server never completes
            close_ws = ws.close
            ws.close = lambda *a, **k: close_ws(timeout=0.5)
        try:
            self.client.disconnect()
        except Exception:  # noqa: BLE001 - already gone
            pass

    def named(self, name: str) -> list[dict]:
        with self._cv:
            return [d for n, d in self.events if n == name]

    def wait_until(self, predicate, what: str, timeout: float = WAIT):
        """Block until predicate(self) is truthy (re-checked on every event); fail with `what` otherwise."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                result = predicate(self)
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    names = [n for n, _ in self.events]
                    pytest.fail(f"timed out waiting for {what}; events so far: {names}")
                self._cv.wait(left)

    def snapshot_where(self, predicate, what: str, *, after: int = 0) -> dict:
        """The first snapshot (from event index `after` on) that satisfies predicate."""

        def find(me):
            for name, data in me.events[after:]:
                if name == "snapshot" and predicate(data):
                    return data
            return None

        return self.wait_until(find, what)


def counter_code(snapshot: dict, number: int) -> str | None:
    """The ticket code a snapshot shows at counter `number` (None when it shows none)."""
    for c in snapshot["counters"]:
        if c["number"] == number:
            return c["ticket"]["code"] if c["ticket"] else None
    raise AssertionError(f"counter {number} is not in the snapshot")


class Http:
    """One browser's worth of HTTP: a cookie jar and the CSRF token, like Loket.api() in the pages."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.s = requests.Session()
        self.token = self.get("/api/session").json()["csrf_token"]

    def get(self, path: str):
        return self.s.get(self.base_url + path, timeout=WAIT)

    def post(self, path: str, json=None):
        return self.s.post(self.base_url + path, json=json, headers={"X-CSRFToken": self.token}, timeout=WAIT)

    def login(self, username: str) -> Http:
        r = self.post("/api/login", json={"username": username, "password": f"{username}-demo"})
        assert r.status_code == 200, r.text
        self.token = r.json()["csrf_token"]
        return self

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.s.cookies)

    def service_id(self, code: str = "penjualan") -> int:
        services = self.get(f"/api/offices/{OFFICE}/services").json()["services"]
        return next(s["id"] for s in services if s["code"] == code)

    def take_ticket(self, service: str = "penjualan") -> dict:
        if DEVICE_COOKIE not in self.s.cookies:
            pair_requests(self.s, self.base_url)
        r = self.post(f"/api/offices/{OFFICE}/tickets", json=guest_form(self.service_id(service)))
        assert r.status_code == 201, r.text
        return r.json()

    def counter_id(self, number: int) -> int:
        snap = self.get(f"/api/offices/{OFFICE}/queue").json()
        return next(c["id"] for c in snap["counters"] if c["number"] == number)

    def open_counter(self, number: int) -> int:
        cid = self.counter_id(number)
        r = self.post(f"/api/counters/{cid}/open")
        assert r.status_code == 200, r.text
        return cid

    def call_next(self, counter_id: int) -> dict:
        r = self.post(f"/api/counters/{counter_id}/call-next")
        assert r.status_code == 200, r.text
        assert r.json()["ticket"], "nobody was waiting"
        return r.json()["ticket"]


class RestartableServer:
    """A live server that can be killed like a process (listening socket and open connections closed)."""

    def __init__(self, app, port: int):
        self.app, self.port = app, port
        self.url = f"http://127.0.0.1:{port}"
        self.server = make_server("127.0.0.1", port, app, threaded=True)
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        process = self.server.process_request

        def tracked(request, client_address):
            with self._lock:
                self._conns.add(request)
            process(request, client_address)

        self.server.process_request = tracked
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> RestartableServer:
        self.thread.start()
        SERVERS[self.url] = self.app
        return self

    def stop(self) -> None:
        """Stop accepting, then cut every open connection (websockets included), as a crash would."""
        self.server.shutdown()
        self.server.server_close()
        with self._lock:
            conns, self._conns = list(self._conns), set()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.thread.join(timeout=5)


@pytest.fixture
def screens():
    """Screens opened by a test, closed afterwards."""
    opened: list[Screen] = []

    def open_screen(base_url: str, **kw) -> Screen:
        s = Screen(base_url, **kw)
        opened.append(s)
        return s

    yield open_screen
    # Closed side by side: websocket-client waits up to 3 s for each close handshake to finish.
    closers = [threading.Thread(target=s.close) for s in opened]
    for t in closers:
        t.start()
    for t in closers:
        t.join()
