"""Printing fixtures: the repository's config with printers pointed at this test's files and a local TCP port,
a fake ESC/POS network printer, and a print worker with short backoff."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from tests.conftest import free_port, test_settings


@pytest.fixture
def printer_port():
    return free_port()


@pytest.fixture
def prints_dir(tmp_path):
    return tmp_path / "prints"


@pytest.fixture
def settings(printer_port, prints_dir):
    """config.toml, but kiosk-1 prints to a network printer on 127.0.0.1:<free port> (down until a test starts
    one), counters 1-2 and the treasurer to files in this test's folder, counter 3 has no printer."""
    base = test_settings()
    printers = {
        "kiosk": {
            "backend": "network",
            "host": "127.0.0.1",
            "port": printer_port,
            "timeout": 2,
            "paper_mm": 80,
            "profile": "TM-T20II",
            "label": "Kiosk",
        },
        "loket": {"backend": "file", "directory": str(prints_dir / "loket"), "paper_mm": 80, "profile": "TM-T88V"},
        "bendahara": {
            "backend": "file",
            "directory": str(prints_dir / "bendahara"),
            "paper_mm": 58,
            "profile": "POS-5890",
        },
        "tanpa": {"backend": "none"},
    }
    stations = {
        "kiosk-1": "kiosk",
        "counter-1": "loket",
        "counter-2": "loket",
        "counter-3": "tanpa",
        "treasurer": "bendahara",
    }
    return base.model_copy(update={"printers": printers, "stations": stations})


class FakePrinter:
    """An ESC/POS printer on 127.0.0.1: keeps every byte each connection sent and answers status queries
    (DLE EOT 1 / DLE EOT 4) like a real one, with paper 'ok', 'low' or 'out'."""

    PAPER = {"ok": 0x12, "low": 0x1E, "out": 0x72}

    def __init__(self, port: int, paper: str = "ok"):
        self.port = port
        self.paper = paper
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(8)
        self._sock.settimeout(0.1)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._lock = threading.Lock()
        self._active = 0

    def start(self) -> FakePrinter:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self._active += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        data = bytearray()
        conn.settimeout(5)
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except (TimeoutError, OSError):
                    break
                if not chunk:
                    break
                data += chunk
                # Answer each real-time status request in the chunk (a real printer answers at once).
                for i in range(len(chunk) - 2):
                    if chunk[i : i + 2] == b"\x10\x04":
                        n = chunk[i + 2]
                        conn.sendall(bytes([self.PAPER[self.paper] if n == 4 else 0x12]))
        with self._lock:
            self.connections.append(bytes(data))
            self._active -= 1

    @property
    def received(self) -> bytes:
        """Everything received, once every open connection has been closed by the sender."""
        wait_for(lambda: self._active == 0, timeout=10)
        with self._lock:
            return b"".join(self.connections)


@pytest.fixture
def fake_printer_factory(printer_port):
    started = []

    def make(paper: str = "ok") -> FakePrinter:
        p = FakePrinter(printer_port, paper).start()
        started.append(p)
        return p

    yield make
    for p in started:
        p.stop()


@pytest.fixture
def worker(app):
    """A print worker on the test's app with a short backoff (0.2 s, 0.4 s, ... capped at 1 s)."""
    from printer.worker import worker_for_app

    w = worker_for_app(app, poll_seconds=0.05, backoff_base=0.2, backoff_cap=1.0, lease_seconds=5, probe_seconds=0)
    yield w
    if w.has_lease:
        w.release_lease()


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.05):
    """Wait until predicate() is true (not a timed assertion: the timeout only stops a hung test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not reached before the test's safety timeout")
