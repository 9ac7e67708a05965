"""The outbox against a real SMTP server: down, then up: every message sent once, in order; a refused one set
aside; an interrupted one never sent again alone; the supervisor's page."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

import clock
from mail.worker import worker_for_app
from models import MailMessage
from tests.online.conftest import PUBLICATION, visitor_form
from tests.smtp_server import SmtpServer


def submit(client, email: str) -> str:
    r = client.post(
        "/api/online/1600/requests",
        json={"visitor": visitor_form(email=email), "lines": [PUBLICATION], "accept_terms": True},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()["number"]


def statuses(db) -> list[tuple[int, str, int]]:
    with db.read() as s:
        return [(m.id, m.status, m.attempts) for m in s.exec(select(MailMessage).order_by(MailMessage.id))]


def test_server_down_then_up_every_message_once_in_order(app, db, make_api, smtp_port):
    visitor = make_api()
    numbers = [submit(visitor, f"pengguna{i}@example.id") for i in range(4)]
    worker = worker_for_app(app, backoff_base=30, backoff_cap=600)
    try:
        # Nothing listens on the port: the oldest message fails and waits; the others wait behind it.
        assert worker.run_once() == 0
        rows = statuses(db)
        assert [(st, n) for _, st, n in rows] == [("failed", 1), ("queued", 0), ("queued", 0), ("queued", 0)]
        with db.read() as s:
            first = s.get(MailMessage, rows[0][0])
            assert "ConnectionRefused" in first.last_error or "Errno" in first.last_error
        # Before its backoff has passed, nothing is tried again (not even the later ones).
        assert worker.run_once() == 0
        assert statuses(db)[0][2] == 1
        # Still down after the backoff: tried again, the wait doubles.
        clock.set_offset(timedelta(seconds=31))
        assert worker.run_once() == 0
        assert statuses(db)[0][1:] == ("failed", 2)
        # The server comes up; after the next backoff every message goes out, oldest first.
        server = SmtpServer(smtp_port).start()
        try:
            clock.set_offset(timedelta(seconds=31 + 61))
            assert worker.run_once() == 4
            received = server.inbox.wait_for(4)
            assert [next(n for n in numbers if n in m["Subject"]) for m in received] == numbers
            assert [m["To"] for m in received] == [f"pengguna{i}@example.id" for i in range(4)]
            # Sent once: another round and another worker send nothing more.
            assert worker.run_once() == 0
            assert {st for _, st, _ in statuses(db)} == {"sent"}
            assert len({m["Message-ID"] for m in received}) == 4
        finally:
            server.stop()
        assert len(server.inbox.messages) == 4
    finally:
        worker.release_lease()


def test_a_message_interrupted_mid_send_waits_for_a_decision(app, db, make_api, smtp):
    submit(make_api(), "zqvisitor@example.id")
    crashed = worker_for_app(app)
    assert crashed.acquire_lease()
    crashed.claim_next()  # claimed, then the process "dies" before the server answered
    crashed.has_lease = False
    from mail import worker as mail_worker

    mail_worker._RUNNING.discard(crashed.holder)
    successor = worker_for_app(app)
    try:
        assert successor.run_once() == 0
        assert statuses(db)[0][1] == "needs_decision"
        assert smtp.inbox.messages == []
    finally:
        successor.release_lease()
    # The supervisor sees it and decides: send again.
    sup = make_api()
    sup.login("pengawas")
    page = sup.get("/mail/")
    assert page.status_code == 200 and b"zqvisitor" not in page.data and b"z***" in page.data
    assert b"mail-retry-" in page.data
    message_id = statuses(db)[0][0]
    r = sup.post(f"/mail/{message_id}/retry", data={"csrf_token": sup.token})
    assert r.status_code == 302
    again = worker_for_app(app)
    try:
        assert again.run_once() == 1
    finally:
        again.release_lease()
    assert len(smtp.inbox.wait_for(1)) == 1


def test_only_supervisors_see_the_outbox(app, make_api):
    officer = make_api()
    officer.login("petugas1")
    assert officer.get("/mail/").status_code in (302, 403)  # a page answers by sending to the sign-in
    assert make_api().get("/mail/").status_code in (302, 401)
