"""deploy/backup.sh makes a copy that can be read back: SQLite online backup, and pg_dump for PostgreSQL."""

from __future__ import annotations

import os
import re
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


def _backup(url: str, dest, **env) -> subprocess.Popen:
    return subprocess.Popen(
        ["bash", str(SCRIPT), str(dest)],
        env={**_env(url), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=procs.ROOT,
    )


def _offices(path) -> list:
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return c.execute("SELECT code FROM office").fetchall()


def test_two_backups_in_the_same_second_keep_both_copies(tmp_path):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    migrate(url)
    _load_office(url)
    dest = tmp_path / "backups"
    runs = [_backup(url, dest), _backup(url, dest)]  # started together: the same second
    outs = []
    for r in runs:
        stdout, stderr = r.communicate(timeout=60)
        assert r.returncode == 0, stderr
        outs.append(stdout.strip().splitlines()[-1])
    assert outs[0] != outs[1]
    for out in outs:  # names with microseconds: loket-20261205T190102.123456Z.sqlite3
        assert re.fullmatch(r"loket-\d{8}T\d{6}\.\d{6}Z\.sqlite3", os.path.basename(out)), out
        assert _offices(out) == [("1600",)]
    assert sorted(p.name for p in dest.glob("loket-*.sqlite3")) == sorted(os.path.basename(o) for o in outs)


def test_a_backup_never_overwrites_another_even_with_the_same_name(tmp_path):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    migrate(url)
    _load_office(url)
    dest = tmp_path / "backups"
    stamp = {"LOKET_BACKUP_STAMP": "20261205T190102.000000Z"}  # two runs that chose the very same name
    first = _backup(url, dest, **stamp)
    assert first.wait(60) == 0, first.stderr.read()
    before = (dest / "loket-20261205T190102.000000Z.sqlite3").read_bytes()
    second = _backup(url, dest, **stamp)
    assert second.wait(60) == 0, second.stderr.read()
    assert second.stdout.read().strip().endswith("loket-20261205T190102.000000Z-1.sqlite3")
    assert (dest / "loket-20261205T190102.000000Z.sqlite3").read_bytes() == before
    assert _offices(dest / "loket-20261205T190102.000000Z-1.sqlite3") == [("1600",)]
    # A run that fails leaves no empty or half-written file behind.
    failed = _backup(f"sqlite:///{tmp_path / 'missing' / 'x.db'}", dest, **stamp)
    assert failed.wait(60) != 0
    left = sorted(p.name for p in dest.glob("loket-*") if not p.name.endswith(("-wal", "-shm")))  # our reads' WAL
    assert left == [
        "loket-20261205T190102.000000Z-1.sqlite3",
        "loket-20261205T190102.000000Z.sqlite3",
    ]


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
