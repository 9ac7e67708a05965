"""deploy/backup.sh makes a copy that can be read back: SQLite online backup, and pg_dump for PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess

import pytest

from bench import procs
from commands import migrate
from db import Database
from rules import offices
from settings import load_settings

SCRIPT = procs.ROOT / "deploy" / "backup.sh"


def _env(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
    return {**env, "LOKET_DATABASE_URL": url}


def _load_office(url: str) -> None:
    db = Database(url)
    try:
        with db.write() as s:
            offices.sync_from_settings(s, load_settings(env={}))
    finally:
        db.dispose()


def test_sqlite_backup_is_a_readable_copy(tmp_path):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    migrate(url)
    _load_office(url)
    r = subprocess.run(
        ["bash", str(SCRIPT), str(tmp_path / "backups")],
        env=_env(url),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=procs.ROOT,
    )
    assert r.returncode == 0, r.stderr
    copy = r.stdout.strip().splitlines()[-1]
    assert copy.endswith(".sqlite3")
    with sqlite3.connect(copy) as c:
        assert c.execute("SELECT code FROM office").fetchall() == [("1600",)]
        assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.postgres
def test_postgres_backup_restores_into_an_empty_database(tmp_path):
    why = procs.postgres_available()
    if why:
        pytest.skip(why)
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump/pg_restore are not installed (apt-get install postgresql-client)")
    with procs.scratch_postgres("loket_test_backup") as url:
        migrate(url)
        _load_office(url)
        r = subprocess.run(
            ["bash", str(SCRIPT), str(tmp_path / "backups")],
            env=_env(url),
            capture_output=True,
            text=True,
            timeout=120,
            cwd=procs.ROOT,
        )
        assert r.returncode == 0, r.stderr
        dump = r.stdout.strip().splitlines()[-1]
        assert dump.endswith(".pgdump")
    with procs.scratch_postgres("loket_test_restore") as target:
        plain = target.replace("postgresql+psycopg://", "postgresql://", 1)
        r = subprocess.run(
            ["pg_restore", "--no-owner", "--dbname", plain, dump], capture_output=True, text=True, timeout=120
        )
        assert r.returncode == 0, r.stderr
        import psycopg

        with psycopg.connect(plain) as c:
            assert c.execute("SELECT code FROM office").fetchall() == [("1600",)]
