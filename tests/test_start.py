"""The start path (./start.sh, as the README says) after a crash: `kill -9`, start again, and the system is healthy
within 3 s of being started; a wall display (a real Socket.IO client) has a fresh snapshot within 2 s of that.

These are the only timed assertions of the suite, because the issue asks for these figures. They are measured
from the moment the process is started, with the machine as loaded as it is, against the issue's own bounds.
"""

from __future__ import annotations

import time

import pytest

from bench import procs
from db import Database
from rules import tickets
from tests.realtime.conftest import Http, Screen, counter_code

HEALTHY_WITHIN = 3.0  # seconds from starting ./start.sh to /healthz answering 200
RESYNC_WITHIN = 2.0  # seconds from healthy to the display's fresh snapshot

pytestmark = pytest.mark.slow


def test_after_kill_9_start_sh_is_healthy_within_3_s_and_a_display_resyncs_within_2_s(tmp_path):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    server = procs.StartScript(database_url=url, log_path=tmp_path / "start.log")
    display = None
    try:
        server.start()
        server.wait_healthy(timeout=180)  # the first start migrates and loads the demo office: not timed
        visitor = Http(server.url)
        first, second = visitor.take_ticket("penjualan"), visitor.take_ticket("penjualan")
        officer = Http(server.url).login("petugas1")
        counter_id = officer.open_counter(1)
        officer.call_next(counter_id)
        display = Screen(server.url)  # reconnects after 0.2 s, 0.4 s, ... at most 1 s apart
        display.connect()
        before = display.wait_until(lambda d: d.named("snapshot"), "the first snapshot")[0]
        assert counter_code(before, 1) == first["code"]

        server.kill()  # kill -9: no goodbye to the display, no clean shutdown of the database
        display.wait_until(lambda d: d.disconnects >= 1, "the display to notice the server is gone")
        # While the server is down the queue moves on (another process, a script): the first visitor is
        # finished and the second called, straight in the database file.
        db = Database(url)
        try:
            with db.write() as s:
                tickets.finish(s, ticket_id=first["id"], counter_id=counter_id, user_id=None)
                assert tickets.call_next(s, counter_id=counter_id, user_id=None).code == second["code"]
        finally:
            db.dispose()
        mark = len(display.events)

        started = server.start()
        healthy = server.wait_healthy(timeout=60)
        fresh = display.snapshot_where(
            lambda snap: counter_code(snap, 1) == second["code"], "a fresh snapshot after the restart", after=mark
        )
        resynced = time.monotonic()
    finally:
        if display is not None:
            display.close()
        server.kill()
    assert fresh["last_calls"][0]["code"] == second["code"] and fresh["server_time"] > before["server_time"]
    assert healthy - started <= HEALTHY_WITHIN, f"healthy {healthy - started:.2f} s after start.sh started"
    assert resynced - healthy <= RESYNC_WITHIN, f"the display resynced {resynced - healthy:.2f} s after healthy"
    log = (tmp_path / "start.log").read_text()
    assert log.count("database up to date") == 2 and "Demo users already exist" in log
