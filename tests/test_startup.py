"""startup.py: the start-up steps notice there is nothing to do without loading the app, Alembic or the models."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from alembic.script import ScriptDirectory

import startup
from settings import ROOT
from tests.conftest import test_settings as repo_settings
from tests.postgres import pg_url_or_skip


def test_the_heads_read_from_the_files_are_alembics():
    alembic = set(ScriptDirectory.from_config(startup.alembic_config("sqlite://")).get_heads())
    assert startup.script_heads() == alembic


def test_the_heads_of_a_forked_history_are_every_unmerged_branch(tmp_path):
    for name, rev, down in (
        ("a.py", "a", "None"),
        ("b.py", "b", '"a"'),
        ("c.py", "c", '"a"'),
        ("d.py", "d", '("b", "c")'),
        ("e.py", "e", '"d"'),
        ("f.py", "f", '"d"'),
    ):
        (tmp_path / name).write_text(f'"""x"""\nrevision: str = "{rev}"\ndown_revision: str | None = {down}\n')
    assert startup.script_heads(tmp_path) == {"e", "f"}
    (tmp_path / "odd.py").write_text("REVISION = 'g'\n")
    assert startup.script_heads(tmp_path) is None  # unreadable this way: Alembic decides


def test_upgrade_runs_alembic_only_when_the_schema_is_behind(tmp_path):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    assert not startup.schema_is_current(url)
    assert not (tmp_path / "loket.db").exists(), "looking does not create the database"
    assert startup.upgrade(url) is True
    assert startup.schema_is_current(url)
    assert startup.upgrade(url) is False
    from alembic import command

    command.downgrade(startup.alembic_config(url), "0006_report_speed")  # as before a release with a migration
    assert not startup.schema_is_current(url)
    assert startup.upgrade(url) is True and startup.schema_is_current(url)


def test_the_demo_seed_is_a_no_op_until_the_configuration_changes(tmp_path):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    startup.migrate(url)
    settings = repo_settings()
    assert not startup.demo_present(url, settings)
    created = startup.seed_demo(url, settings)
    assert [u for u, _, _ in created] == [u for u, _, _ in startup.DEMO_USERS]
    assert startup.demo_present(url, settings) and startup.seed_demo(url, settings) is None
    renamed = settings.model_copy(update={"office": settings.office.model_copy(update={"name": "BPS Kota Palembang"})})
    assert not startup.demo_present(url, renamed)
    assert startup.seed_demo(url, renamed) == []  # brought in line, no account created twice
    with sqlite3.connect(tmp_path / "loket.db") as c:
        assert c.execute("SELECT name FROM office").fetchall() == [("BPS Kota Palembang",)]
        c.execute("DELETE FROM \"user\" WHERE username = 'admin'")
    assert not startup.demo_present(url, renamed)
    assert [u for u, _, _ in startup.seed_demo(url, renamed)] == ["admin"]


def test_manage_py_start_up_commands_load_neither_the_app_nor_alembic_when_there_is_nothing_to_do(tmp_path):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    startup.migrate(url)
    startup.seed_demo(url, repo_settings())
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['manage.py', sys.argv[1]]\n"
        "runpy.run_path('manage.py', run_name='__main__')\n"
        "print(sorted(m for m in ('app', 'flask', 'alembic', 'sqlmodel', 'models') if m in sys.modules))\n"
    )
    env = {**os.environ, "LOKET_DATABASE_URL": url}
    for command, said in (("db-upgrade", "database up to date"), ("seed-demo", "Demo users already exist")):
        r = subprocess.run(
            [sys.executable, "-c", probe, command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert r.returncode == 0, r.stderr
        assert said in r.stdout and r.stdout.strip().splitlines()[-1] == "[]", r.stdout


@pytest.mark.postgres
def test_postgres_is_looked_at_the_same_way():
    with pg_url_or_skip() as url:
        assert not startup.schema_is_current(url)
        startup.migrate(url)
        assert startup.schema_is_current(url)
        settings = repo_settings()
        assert not startup.demo_present(url, settings)
        startup.seed_demo(url, settings)
        assert startup.demo_present(url, settings)
