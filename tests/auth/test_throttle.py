"""Sign-in throttling: after a few failures each try waits longer, then the account locks for a while; even the
right password is refused meanwhile, with a sentence that says what to do. Every try is recorded."""

from __future__ import annotations

from datetime import timedelta

import clock
from rules import signin


def _try(api, password: str, username: str = "petugas1"):
    return api.post("/api/login?lang=en", json={"username": username, "password": password})


def test_failures_bring_growing_delays_then_a_lockout_that_refuses_the_right_password(api, db):
    # Three failures are free (delay_after = 3); then each try must wait 1 s, 2 s, 4 s ... after the last failure.
    for _ in range(3):
        assert _try(api, "salah").status_code == 401
    waited = []
    for _ in range(7):
        early = _try(api, "salah")
        assert early.status_code == 429 and early.get_json()["error"] == "throttled"
        waited.append(int(early.headers["Retry-After"]))
        assert "Wait" in early.get_json()["message"]
        clock.set_offset(clock.get_offset() + timedelta(seconds=waited[-1]))
        late = _try(api, "salah")
        assert late.status_code == 401, (waited, late.get_json())
    assert waited == [1, 2, 4, 8, 16, 32, 64]

    # The tenth failure locked the account for 15 minutes: the right password is refused too.
    locked = _try(api, "petugas1-demo")
    assert locked.status_code == 429
    body = locked.get_json()
    assert body["error"] == "locked"
    assert body["message"] == (
        "This account is locked for 15 minutes after too many failed sign-ins. Try again later or ask an "
        "administrator to reset the password."
    )
    assert 14 * 60 <= int(locked.headers["Retry-After"]) <= 15 * 60

    clock.set_offset(clock.get_offset() + timedelta(minutes=15, seconds=1))
    assert _try(api, "petugas1-demo").status_code == 200

    with db.read() as s:
        outcomes = [a.outcome for a in reversed(signin.recent(s, "petugas1", limit=50))]
    assert outcomes.count("failed") == 10 and outcomes.count("throttled") == 8 and outcomes[-1] == "ok"


def test_the_sign_in_page_says_so_too(app):
    import re

    client = app.test_client()
    for _ in range(11):
        page = client.get("/login?lang=en")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        r = client.post("/login?lang=en", data={"csrf_token": token, "username": "admin", "password": "wrong"})
        clock.set_offset(clock.get_offset() + timedelta(seconds=70))
    assert r.status_code == 429 and "This account is locked for" in r.text and r.headers["Retry-After"]


def test_an_admin_reset_clears_the_lockout(api, make_api, ids):
    for _ in range(10):
        _try(api, "salah")
        clock.set_offset(clock.get_offset() + timedelta(seconds=70))
    assert _try(api, "petugas1-demo").status_code == 429
    admin = make_api()
    admin.login("admin")
    temporary = admin.post(f"/api/users/{ids.user['petugas1']}/reset-password", json={}).get_json()
    assert _try(api, temporary["temporary_password"]).status_code == 200


def test_one_address_trying_many_accounts_is_locked_too(api):
    # 30 failures from one address across accounts (each account stays under its own threshold).
    names = ["petugas1", "petugas2", "bendahara", "pengawas", "admin", "tamu1", "tamu2", "tamu3", "tamu4", "tamu5"]
    for i in range(30):
        clock.set_offset(clock.get_offset() + timedelta(seconds=70))  # past each account's delay: every try counts
        assert _try(api, "salah", username=names[i % len(names)]).status_code == 401
    r = _try(api, "petugas2-demo", username="petugas2")
    assert r.status_code == 429 and "from this device" in r.get_json()["message"]
