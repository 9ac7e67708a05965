"""Several server processes as deployed (serve.py): one PostgreSQL database, one Redis message queue.

Server A runs one process, server B two (so B's workers also share a port, websocket only). A call made
through A reaches a display connected to B; officers racing through both never call a ticket twice; a
command outside the web processes reaches the screens through the queue; SQLite refuses several processes.
"""

from __future__ import annotations

import subprocess
import threading

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text

from bench import procs
from tests.factories import guest_form

from .conftest import Display, Http

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

OFFICE = "7001"


def issue(kiosk: Http, seeded: dict, n: int) -> list[int]:
    services = seeded["offices"][OFFICE]["services"]
    ids = []
    for i in range(n):
        r = kiosk.post(f"/api/offices/{OFFICE}/tickets", json=guest_form(services[i % len(services)]))
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return ids


def officer_at(base: str, officer: dict) -> Http:
    h = Http(base)
    h.login(officer["username"], officer["password"])
    r = h.post(f"/api/counters/{officer['counter_id']}/open")
    assert r.status_code == 200, r.text
    return h


def serve_everything_waiting(officers: list[tuple[Http, dict]]) -> None:
    """Finish whatever each counter has, so the next test starts with idle counters."""
    for h, o in officers:
        state = h.get(f"/api/counters/{o['counter_id']}/state").json()
        if state["current"]:
            h.post(f"/api/counters/{o['counter_id']}/tickets/{state['current']['id']}/finish")


def test_a_call_made_on_one_process_reaches_a_display_on_another(servers, seeded):
    a, b = servers
    display = Display(b.url, OFFICE)
    kiosk = Http(a.url, seeded["kiosks"][OFFICE])
    officer = seeded["officers"][0]
    clerk = officer_at(a.url, officer)
    try:
        assert display.wait_for(lambda: display.snapshots)  # joined the room, got the state at once
        (ticket_id,) = issue(kiosk, seeded, 1)
        r = clerk.post(f"/api/counters/{officer['counter_id']}/call-next")
        assert r.status_code == 200, r.text
        called = r.json()["ticket"]
        assert called["id"] == ticket_id

        assert display.wait_for(lambda: any(c["ticket_id"] == ticket_id for c in display.calls))
        call = next(c for c in display.calls if c["ticket_id"] == ticket_id)
        assert (call["code"], call["counter"]) == (called["code"], officer["counter"])

        def shows_call(snap):
            return any(c["ticket"] and c["ticket"]["code"] == called["code"] for c in snap["counters"])

        assert display.wait_for(lambda: any(shows_call(s) for s in display.snapshots))
        serve_everything_waiting([(clerk, officer)])
    finally:
        display.close()
        for h in (kiosk, clerk):
            h.close()


class Phone:
    """A visitor's status page: a Socket.IO client in the '/status' namespace with its ticket's token."""

    def __init__(self, base: str, token: str):
        self.states: list[dict] = []
        self.changed = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("state", self._got, namespace="/status")
        self.client.connect(
            base, namespaces=["/status"], auth={"token": token}, transports=["websocket"], wait_timeout=10
        )

    def _got(self, data: dict) -> None:
        with self.changed:
            self.states.append(data)
            self.changed.notify_all()

    def wait_for(self, predicate, timeout: float = 15) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout=timeout)

    def close(self):
        self.client.disconnect()


def test_a_phone_on_another_process_hears_of_a_change_made_on_one(servers, seeded):
    """Each process updates the phones connected to it: the 'office changed' hint crosses the queue."""
    a, b = servers
    kiosk = Http(a.url, seeded["kiosks"][OFFICE])
    officer = seeded["officers"][0]
    clerk = officer_at(a.url, officer)
    services = seeded["offices"][OFFICE]["services"]
    phones = []
    try:
        first, second = (
            kiosk.post(f"/api/offices/{OFFICE}/tickets", json=guest_form(services[0])).json() for _ in range(2)
        )
        # Several phones on B (two processes), so phones of this ticket land on both of B's workers.
        phones = [Phone(b.url, second["status_token"]) for _ in range(4)]
        for phone in phones:
            assert phone.wait_for(lambda p=phone: p.states)  # its state on connect
            assert phone.states[-1]["ahead"] == 1
        r = clerk.post(f"/api/counters/{officer['counter_id']}/call-next")
        assert r.status_code == 200 and r.json()["ticket"]["id"] == first["id"], r.text
        for phone in phones:
            assert phone.wait_for(lambda p=phone: p.states[-1]["ahead"] == 0), phone.states
    finally:
        for phone in phones:
            phone.close()
        serve_everything_waiting([(clerk, officer)])
        r = clerk.post(f"/api/counters/{officer['counter_id']}/call-next")
        if r.status_code == 200 and r.json()["ticket"]:
            clerk.post(f"/api/counters/{officer['counter_id']}/tickets/{r.json()['ticket']['id']}/finish")
        for h in (kiosk, clerk):
            h.close()


def test_officers_racing_through_two_processes_never_call_a_ticket_twice(servers, seeded, pg_url):
    a, b = servers
    kiosk = Http(b.url, seeded["kiosks"][OFFICE])
    ticket_ids = issue(kiosk, seeded, 60)
    kiosk.close()
    # Six officers, three on each server, all call at the same moment and keep calling until the line is empty.
    officers = [(officer_at((a, b)[i % 2].url, o), o) for i, o in enumerate(seeded["officers"])]
    start = threading.Barrier(len(officers))
    answers: dict[str, list[int]] = {o["username"]: [] for _, o in officers}
    failures: list[str] = []

    def work(h: Http, o: dict):
        try:
            start.wait(timeout=30)
            while True:
                r = h.post(f"/api/counters/{o['counter_id']}/call-next")
                if r.status_code != 200:
                    failures.append(f"{o['username']}: {r.status_code} {r.text[:200]}")
                    return
                ticket = r.json()["ticket"]
                if ticket is None:
                    return
                answers[o["username"]].append(ticket["id"])
                r = h.post(f"/api/counters/{o['counter_id']}/tickets/{ticket['id']}/finish")
                if r.status_code != 200:
                    failures.append(f"finish {o['username']}: {r.status_code} {r.text[:200]}")
                    return
        except Exception as e:  # noqa: BLE001  (reported below, with the officer)
            failures.append(f"{o['username']}: {e!r}")

    threads = [threading.Thread(target=work, args=pair) for pair in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for h, _ in officers:
        h.close()
    assert not failures
    called = [tid for ids in answers.values() for tid in ids]
    assert sorted(called) == sorted(ticket_ids)  # every ticket called, none twice
    assert sum(1 for ids in answers.values() if ids) > 1  # the work really was shared
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            counts = dict(
                conn.execute(
                    text(
                        "SELECT ticket_id, count(*) FROM ticketevent WHERE kind = 'called' AND ticket_id = ANY(:ids) "
                        "GROUP BY ticket_id"
                    ),
                    {"ids": ticket_ids},
                ).all()
            )
    finally:
        engine.dispose()
    assert counts == dict.fromkeys(ticket_ids, 1)


def test_a_command_outside_the_web_processes_reaches_displays_through_the_queue(servers, seeded, pg_url, redis_url):
    import realtime
    from db import Database
    from settings import load_settings

    a, b = servers
    display = Display(b.url, OFFICE)
    try:
        assert display.wait_for(lambda: display.snapshots)
        before = len(display.snapshots)
        settings = load_settings(
            env={"LOKET_MESSAGE_QUEUE": redis_url, "LOKET_MESSAGE_QUEUE_CHANNEL": b.env["LOKET_MESSAGE_QUEUE_CHANNEL"]}
        )
        emitter = realtime.external_emitter(settings)
        db = Database(pg_url)
        try:
            office_id = seeded["offices"][OFFICE]["id"]
            sent = realtime.publish_external(
                emitter, db, settings, office_id, event="printer_status", data={"printer": "kiosk-1", "ok": False}
            )
        finally:
            db.dispose()
        assert sent
        assert display.wait_for(lambda: len(display.snapshots) > before)
        assert display.snapshots[-1]["office"]["code"] == OFFICE
    finally:
        display.close()


def test_external_emitter_needs_a_message_queue():
    import realtime
    from settings import load_settings

    assert realtime.external_emitter(load_settings(env={})) is None


def test_several_processes_on_one_port_speak_websocket_only(servers):
    _, b = servers
    r = requests.get(b.url + "/socket.io/?EIO=4&transport=polling", timeout=10)
    assert r.status_code == 400  # a polling session would live in one worker only


@pytest.mark.parametrize(
    "env, message",
    [
        ({"LOKET_DATABASE_URL": "sqlite:////tmp/never-created-loket.db"}, "SQLite allows one server process only"),
        ({"LOKET_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/none"}, "need a message queue"),
    ],
)
def test_serve_refuses_several_processes_without_postgres_and_redis(env, message):
    import os

    clean = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
    r = subprocess.run(
        [procs.PYTHON, str(procs.ROOT / "serve.py"), "--workers", "2"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=procs.ROOT,
    )
    assert r.returncode != 0
    assert message in r.stderr
