"""serve.py as deployed on SQLite: each server process runs the print worker, so a kiosk's slip gets printed
without a separate print-worker unit."""

from __future__ import annotations

import os
import signal
import time

import requests

from bench import procs
from commands import migrate
from db import Database
from rules import devices, offices
from security.limits import DEVICE_COOKIE
from settings import load_settings
from tests.factories import guest_form


def test_serve_py_runs_the_print_worker(tmp_path):
    prints = tmp_path / "kiosk"
    config = (
        (procs.ROOT / "config.toml")
        .read_text(encoding="utf-8")
        .replace('directory = "instance/prints/kiosk"', f'directory = "{prints}"')
    )
    assert str(prints) in config
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    migrate(url)
    db = Database(url)
    try:
        with db.write() as s:
            office = offices.sync_from_settings(s, load_settings(path=tmp_path / "config.toml"))
            service_id = offices.services(s, office.id)[0].id
            code = office.code
            _device, device_token = devices.register_paired(
                s, office_id=office.id, kind="kiosk", station="kiosk-1", label="kiosk"
            )
    finally:
        db.dispose()
    server = procs.Server(
        database_url=url,
        log_path=tmp_path / "server.log",
        extra_env={"LOKET_PRINT_WORKER": "1", "LOKET_CONFIG": str(tmp_path / "config.toml")},
    )
    with server:
        kiosk = requests.Session()
        kiosk.cookies.set(DEVICE_COOKIE, device_token)
        token = kiosk.get(server.url + "/api/session", timeout=10).json()["csrf_token"]
        r = kiosk.post(
            f"{server.url}/api/offices/{code}/tickets",
            json=guest_form(service_id),
            timeout=10,
            headers={"X-CSRFToken": token},
        )
        assert r.status_code == 201, r.text
        job_id = r.json()["print_job_id"]
        deadline = time.monotonic() + 30  # a ceiling for the worker's first rounds, not a speed assertion
        status = None
        while time.monotonic() < deadline:
            status = kiosk.get(f"{server.url}/api/print-jobs/{job_id}", timeout=10).json()["status"]
            if status == "printed":
                break
            time.sleep(0.2)
    assert status == "printed", (tmp_path / "server.log").read_text()[-2000:]
    slips = list(prints.iterdir())
    assert len(slips) == 1 and slips[0].read_bytes().startswith(b"\x1b@")  # ESC @: an ESC/POS job


def test_one_process_reloads_in_place_on_hup_and_stops_cleanly_on_term(tmp_path):
    """systemd's reload (HUP) and stop (TERM) on the one gevent process: HUP runs it again in place (same pid,
    the port answering again), TERM stops it with exit status 0."""
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    migrate(url)
    log = tmp_path / "server.log"
    server = procs.Server(database_url=url, log_path=log).start()
    try:
        assert server.pids() == [server.proc.pid]  # one process, no master
        os.kill(server.proc.pid, signal.SIGHUP)
        deadline = time.monotonic() + 60
        while log.read_text().count("Loket for") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        procs.wait_healthy(server.url, server.proc, 60, "serve.py after HUP")
        assert log.read_text().count("Loket for") == 2 and "stopping to restart" in log.read_text()
        os.kill(server.proc.pid, signal.SIGTERM)
        assert server.proc.wait(timeout=30) == 0
    finally:
        server.stop()
