"""Fixtures for the multi-process tests: Loket as deployed (serve.py) on a scratch PostgreSQL database and Redis.

Skipped, with the reason, where PostgreSQL or Redis is not running. Every server process is stopped and the
scratch database dropped when the module's tests are done.
"""

from __future__ import annotations

import threading

import pytest
import requests
import socketio

from bench import procs
from bench.seed import seed
from security.limits import DEVICE_COOKIE

COUNTERS = 6  # one bench office whose six counters all serve every service: officers compete for one line


@pytest.fixture(scope="module")
def pg_url():
    why = procs.postgres_available()
    if why:
        pytest.skip(why)
    with procs.scratch_postgres("loket_test_scale") as url:
        yield url


@pytest.fixture(scope="module")
def redis_url():
    why = procs.redis_available()
    if why:
        pytest.skip(why)
    return procs.REDIS_URL


@pytest.fixture(scope="module")
def seeded(pg_url):
    """One office (7001) with six counters and an officer account for each."""
    return seed(pg_url, 1, COUNTERS, COUNTERS, per_office=COUNTERS)


@pytest.fixture(scope="module")
def servers(pg_url, redis_url, seeded, tmp_path_factory):
    """Two servers sharing the database and the message queue: A with one process, B with two (websocket only)."""
    logs = tmp_path_factory.mktemp("servers")
    channel = procs.unique_channel("loket-test")
    a = procs.Server(database_url=pg_url, workers=1, message_queue=redis_url, channel=channel, log_path=logs / "a.log")
    b = procs.Server(database_url=pg_url, workers=2, message_queue=redis_url, channel=channel, log_path=logs / "b.log")
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        a.stop()
        b.stop()


class Http:
    """One browser: a requests session carrying its cookie and CSRF token."""

    def __init__(self, base: str, device_token: str = ""):
        self.base = base
        self.s = requests.Session()
        if device_token:  # a paired kiosk (bench/seed.py registers one per office)
            self.s.cookies.set(DEVICE_COOKIE, device_token)
        self.token = self.s.get(base + "/api/session", timeout=10).json()["csrf_token"]

    def get(self, path):
        return self.s.get(self.base + path, timeout=30)

    def post(self, path, json=None):
        return self.s.post(self.base + path, json=json, headers={"X-CSRFToken": self.token}, timeout=30)

    def login(self, username, password):
        r = self.post("/api/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        self.token = r.json()["csrf_token"]

    def close(self):
        self.s.close()


class Display:
    """A wall display: a real Socket.IO client over a websocket, recording what it receives."""

    def __init__(self, base: str, office: str):
        self.calls: list[dict] = []
        self.snapshots: list[dict] = []
        self.changed = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("call", lambda data: self._got(self.calls, data))
        self.client.on("snapshot", lambda data: self._got(self.snapshots, data))
        self.client.connect(
            base, auth={"office": office, "screen": "display"}, transports=["websocket"], wait_timeout=10
        )

    def _got(self, into: list, data: dict) -> None:
        with self.changed:
            into.append(data)
            self.changed.notify_all()

    def wait_for(self, predicate, timeout: float = 15) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout=timeout)

    def close(self):
        self.client.disconnect()
