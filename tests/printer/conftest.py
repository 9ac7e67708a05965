"""Printing fixtures: the repository's config with printers pointed at this test's files and a local TCP port,
an ESC/POS printer emulator on that port, and a print worker with short waits."""

from __future__ import annotations

import time

import pytest

from tests.conftest import free_port, test_settings
from tests.printer.emulator import EscPosEmulator


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
            "confirm_timeout": 1,
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


@pytest.fixture
def emulator_factory(printer_port):
    """Printer emulators on the kiosk printer's port (tests/printer/emulator.py), switched off after the test."""
    started = []

    def make(mode: str = "answering", paper: str = "ok", *, on: bool = True) -> EscPosEmulator:
        p = EscPosEmulator(printer_port, mode=mode, paper=paper)
        if on:
            p.start()
        started.append(p)
        return p

    yield make
    for p in started:
        p.stop()


@pytest.fixture
def fake_printer_factory(emulator_factory):
    """A good ESC/POS printer on the kiosk printer's port, with paper 'ok', 'low' or 'out'."""
    return lambda paper="ok": emulator_factory("answering", paper)


@pytest.fixture
def worker(app):
    """A print worker on the test's app: a failing printer probed every 0.1 s, a job's own backoff 0.2 s, 0.4 s,
    ... capped at 1 s, no idle probes, and no broadcasts (tests of those make their own)."""
    from printer.worker import worker_for_app

    w = worker_for_app(
        app,
        poll_seconds=0.05,
        retry_seconds=0.1,
        backoff_base=0.2,
        backoff_cap=1.0,
        lease_seconds=5,
        probe_seconds=0,
        notify=None,
    )
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
