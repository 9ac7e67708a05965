"""Accounts: the password policy, changing your own password, an administrator's reset with a forced change at the
next sign-in, and the commands that do the same from the shell."""

from __future__ import annotations

import re

import pytest

from rules import passwords, users
from rules.errors import RuleError

CONTEXT = passwords.Context(
    username="petugas1", name="Petugas Satu", office_names=("BPS Provinsi Sumatera Selatan", "BPS Sumsel", "1600")
)


@pytest.mark.parametrize(
    "password,why",
    [
        ("12345678", "at least 12"),
        ("123456789012", "too common"),
        ("password1234", "too common"),
        ("qwertyuiop123", "too common"),
        ("petugas1-2026-ok!", "username"),
        ("Sumsel-BPS-sumsel", "office's name"),
        ("bpssumsel-loket-77", "office's name"),
        ("aaaaaaaaaaaaaaaa", "too common"),
    ],
)
def test_the_policy_refuses_short_common_and_personal_passwords(password, why):
    err = passwords.problem(password, CONTEXT)
    assert err is not None and err.code == "weak_password"
    assert why in str(err), str(err)


@pytest.mark.parametrize("password", ["kopi tubruk di pagi hari", "Lampu-Merah-Jembatan-Ampera", "tK7#qLm2!vXp9"])
def test_the_policy_accepts_long_unrelated_words(password):
    assert passwords.problem(password, CONTEXT) is None


def test_a_generated_temporary_password_passes_the_policy():
    assert all(passwords.problem(passwords.generate(), CONTEXT) is None for _ in range(20))


def test_create_user_applies_the_policy(db):
    with db.write() as s:
        with pytest.raises(RuleError) as e:
            users.create_user(s, office_id=1, username="baru", name="Baru", role="officer", password="12345678")
        assert e.value.code == "weak_password"


def test_change_your_own_password_on_the_page(app, api):
    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"csrf_token": token, "username": "petugas1", "password": "petugas1-demo"})
    page = client.get("/account/password?lang=en")
    assert page.status_code == 200 and "Change password" in page.text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": token, "current_password": "petugas1-demo"}
    weak = client.post("/account/password?lang=en", data={**form, "new_password": "12345678", "confirm": "12345678"})
    assert weak.status_code == 400 and "at least 12 characters" in weak.text
    differ = client.post("/account/password?lang=en", data={**form, "new_password": "a" * 12, "confirm": "b" * 12})
    assert differ.status_code == 400 and "The two new passwords differ." in differ.text
    good = "jembatan ampera di waktu senja"
    done = client.post("/account/password", data={**form, "new_password": good, "confirm": good})
    assert done.status_code == 302 and done.headers["Location"].endswith("/counter/")
    assert client.get("/counter/").status_code == 200  # still signed in here
    assert api.post("/api/login", json={"username": "petugas1", "password": "petugas1-demo"}).status_code == 401
    assert api.post("/api/login", json={"username": "petugas1", "password": good}).status_code == 200


def test_a_wrong_current_password_is_refused_and_counts_as_a_failed_sign_in(api, db):
    api.login("petugas1")
    r = api.post(
        "/api/account/password?lang=en",
        json={"current_password": "not-it", "new_password": "jembatan ampera di waktu senja"},
    )
    assert r.status_code == 403 and r.get_json()["error"] == "wrong_password"
    from rules import signin

    with db.read() as s:
        assert [a.outcome for a in signin.recent(s, "petugas1")][:2] == ["failed", "ok"]


def test_an_admin_reset_forces_a_new_password_at_the_next_sign_in(make_api, ids):
    officer, admin = make_api(), make_api()
    officer.login("petugas1")
    admin.login("admin")
    r = admin.post(f"/api/users/{ids.user['petugas1']}/reset-password", json={})
    assert r.status_code == 200, r.get_json()
    temporary = r.get_json()["temporary_password"]
    assert r.get_json()["user"]["must_change_password"] is True
    assert officer.get("/api/session").get_json()["user"] is None  # the reset ended the officer's session

    r = officer.post("/api/login", json={"username": "petugas1", "password": temporary})
    assert r.status_code == 200 and r.get_json()["user"]["must_change_password"] is True
    officer.token = r.get_json()["csrf_token"]
    blocked = officer.post(f"/api/counters/{ids.counter[1]}/open")
    assert blocked.status_code == 403 and blocked.get_json()["error"] == "password_change_required"
    page = officer.get("/counter/")
    assert page.status_code == 302 and page.headers["Location"].endswith("/account/password")

    r = officer.post(
        "/api/account/password", json={"current_password": temporary, "new_password": "sungai musi mengalir tenang"}
    )
    assert r.status_code == 200 and r.get_json()["user"]["must_change_password"] is False
    officer.token = r.get_json()["csrf_token"]
    assert officer.post(f"/api/counters/{ids.counter[1]}/open").status_code == 200


def test_only_an_admin_resets_and_not_their_own_password(make_api, ids):
    supervisor, admin = make_api(), make_api()
    supervisor.login("pengawas")
    assert supervisor.post(f"/api/users/{ids.user['petugas1']}/reset-password", json={}).status_code == 403
    admin.login("admin")
    assert admin.post(f"/api/users/{ids.user['admin']}/reset-password", json={}).status_code == 400
    assert admin.post("/api/users/999999/reset-password", json={}).status_code == 404


def test_the_commands_reset_a_password_and_deactivate_an_account(app, api):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["reset-password", "petugas2"])
    assert out.exit_code == 0, out.output
    temporary = re.search(r"temporary password (\S+)", out.output).group(1)
    r = api.post("/api/login", json={"username": "petugas2", "password": temporary})
    assert r.status_code == 200 and r.get_json()["user"]["must_change_password"] is True
    out = runner.invoke(args=["set-active", "petugas2", "--inactive"])
    assert out.exit_code == 0 and "every session ended" in out.output
    assert api.get("/api/session").get_json()["user"] is None
    out = runner.invoke(args=["reset-password", "nobody"])
    assert out.exit_code != 0 and "No such user." in out.output
