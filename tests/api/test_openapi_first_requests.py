"""The first requests of a fresh server, many at once (a restart with every kiosk and officer retrying): the input
guard reads the OpenAPI document, which is built on first use; threads building it together saw a half-built
spectree spec and failed with a KeyError, answered 500 (found by bench/load.py with threaded workers: 7 of 935
tickets on SQLite, 184 of 510 on PostgreSQL)."""

from __future__ import annotations

import threading

from commands import migrate
from tests.conftest import demo_app

THREADS = 16


def first_sign_ins_at_once(app) -> list:
    """THREADS sign-in attempts released together into a fresh app: each answer's status, or the error raised."""
    start = threading.Barrier(THREADS)
    answers: list = []

    def sign_in():
        client = app.test_client()
        start.wait()
        try:
            r = client.post("/api/login", json={"username": "nobody", "password": "wrong password"})
            answers.append(r.status_code)
        except Exception as e:  # noqa: BLE001 - an unhandled error is what this test looks for
            answers.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=sign_in) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return answers


def test_the_first_json_requests_at_once_are_answered_never_500(tmp_path, settings):
    for attempt in range(3):  # three fresh apps: the race needs the document not built yet
        url = f"sqlite:///{tmp_path / f'loket{attempt}.db'}"
        migrate(url)
        app = demo_app(url, settings)
        try:
            answers = first_sign_ins_at_once(app)
        finally:
            app.extensions["loket.db"].dispose()
        assert len(answers) == THREADS
        assert all(a in (400, 401, 429) for a in answers), answers
