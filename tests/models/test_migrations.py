"""The models and the migrations describe the same schema: Alembic's autogenerate finds nothing to add."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table)
from commands import alembic_config, migrate
from tests.postgres import pg_url_or_skip


def _differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
            return compare_metadata(ctx, SQLModel.metadata)
    finally:
        engine.dispose()


def test_one_head():
    """The migrations form one line of history: a new migration has exactly one place to go."""
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, heads


def test_sqlite_migrations_match_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'schema.db'}"
    migrate(url)
    assert _differences(url) == []


@pytest.mark.postgres
def test_postgres_migrations_match_the_models():
    with pg_url_or_skip() as url:
        migrate(url)
        assert _differences(url) == []
