"""The production start refuses a placeholder or short secret key, and demo accounts that still have their demo
passwords, with a sentence that says what to do; the demo (LOKET_DEMO=1, as ./start.sh sets it) starts."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from commands import DEMO_USERS, migrate
from db import Database
from rules import users
from security.startup import secret_key_problem
from settings import ROOT, load_settings
from startup import seed_demo

EXAMPLE_KEY = re.search(r"^LOKET_SECRET_KEY=(.*)$", (ROOT / "deploy/loket.env.example").read_text(), re.M).group(1)
GOOD_KEY = "9f1c2e7a4b6d8f0a1c3e5a7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f"


def test_the_example_key_and_short_keys_are_refused():
    assert "placeholder" in secret_key_problem(EXAMPLE_KEY)
    assert "too short" in secret_key_problem("s3cr3t")
    assert "placeholder" in secret_key_problem("changeme" * 5)
    assert secret_key_problem(GOOD_KEY) is None


@pytest.fixture
def demo_db(tmp_path):
    """A database with the demo accounts and their demo passwords, as ./start.sh leaves it."""
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    migrate(url)
    seed_demo(url, load_settings(env={}))
    db = Database(url)
    yield url, db
    db.dispose()


def _env(url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
    return {**env, "LOKET_DATABASE_URL": url, "LOKET_PRINT_WORKER": "0", **extra}


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_serve_py_refuses_the_example_key(demo_db):
    url, _db = demo_db
    out = _run(["serve.py", "--bind", "127.0.0.1:1"], _env(url, LOKET_SECRET_KEY=EXAMPLE_KEY, LOKET_DEMO="1"))
    assert out.returncode != 0
    assert "Loket will not start: LOKET_SECRET_KEY is a placeholder" in out.stderr
    assert "secrets.token_hex(32)" in out.stderr  # what to do


def test_serve_py_and_app_py_refuse_demo_passwords_outside_the_demo(demo_db):
    url, db = demo_db
    for program in (["serve.py", "--bind", "127.0.0.1:1"], ["app.py"]):
        out = _run(program, _env(url, LOKET_SECRET_KEY=GOOD_KEY, LOKET_PORT="1"))
        assert out.returncode != 0, program
        message = out.stderr
        assert "The demo account(s) petugas1, petugas2, bendahara, pengawas, admin still have their demo passwords" in (
            message
        ), message
        assert "python manage.py reset-password USERNAME" in message
    # Every demo password changed (or the account deactivated): production may start.
    with db.write() as s:
        for username, *_ in DEMO_USERS[:-1]:
            users.reset_password(s, users.get_user(s, username))
        users.set_active(s, users.get_user(s, "admin"), False)
    ok = _run(["manage.py", "check-production"], _env(url, LOKET_SECRET_KEY=GOOD_KEY))
    assert ok.returncode == 0 and "ready for production" in ok.stdout, ok.stderr


def test_the_demo_starts_with_its_passwords_and_says_so(demo_db):
    url, _db = demo_db
    out = _run(["manage.py", "check-production"], _env(url, LOKET_DEMO="1"))
    assert out.returncode == 0, out.stderr
    assert "DEMO (LOKET_DEMO=1)" in out.stdout and "Not for real use" in out.stdout


def test_start_sh_sets_up_the_demo():
    assert re.search(r"^export LOKET_DEMO=1", (ROOT / "start.sh").read_text(), re.M)
