"""Fixtures for the rule tests: hand-set WIB times, ids of the configured office, a scratch PostgreSQL database."""

from __future__ import annotations

from contextlib import contextmanager
import socket
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from commands import migrate
from db import Database
from models import Counter, CounterService, Office, Service, User
from rules import counters as counter_rules
from rules import offices, users
from tests.conftest import test_settings

WIB = ZoneInfo("Asia/Jakarta")
# A Monday that is no Indonesian holiday: the kiosk would be open.
DAY = date(2026, 3, 2)


def wib(hh: int, mm: int = 0, ss: int = 0, day: date = DAY) -> datetime:
    """A wall-clock time in Palembang as the aware UTC moment the rules store."""
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=WIB).astimezone(UTC)


@dataclass
class Office1600:
    """Ids of the configured office's rows, looked up once."""

    office_id: int
    service: dict[str, int] = field(default_factory=dict)   # code -> id
    counter: dict[int, int] = field(default_factory=dict)   # number -> id
    user: dict[str, int] = field(default_factory=dict)      # username -> id

    def office(self, s) -> Office:
        return s.get(Office, self.office_id)

    def svc(self, s, code: str) -> Service:
        return s.get(Service, self.service[code])


def load_ids(database: Database) -> Office1600:
    with database.read() as s:
        office = s.exec(select(Office).where(Office.code == "1600")).one()
        ids = Office1600(office_id=office.id)
        ids.service = {x.code: x.id for x in s.exec(select(Service).where(Service.office_id == office.id))}
        ids.counter = {x.number: x.id for x in s.exec(select(Counter).where(Counter.office_id == office.id))}
        ids.user = {x.username: x.id for x in s.exec(select(User).where(User.office_id == office.id))}
    return ids


def open_counter(database: Database, ids: Office1600, number: int, username: str = "petugas1", now=None) -> int:
    with database.write() as s:
        counter_rules.open_counter(s, counter_id=ids.counter[number], user_id=ids.user[username], now=now)
    return ids.counter[number]


def add_counters(database: Database, ids: Office1600, services_of: list[list[str]], first_number: int = 10) -> list[int]:
    """Extra counters (beyond config.toml) serving the given services, opened by petugas1."""
    out = []
    with database.write() as s:
        for i, codes in enumerate(services_of):
            c = Counter(office_id=ids.office_id, number=first_number + i, name=f"Loket {first_number + i}")
            s.add(c)
            s.flush()
            for code in codes:
                s.add(CounterService(counter_id=c.id, service_id=ids.service[code]))
            s.flush()
            counter_rules.open_counter(s, counter_id=c.id, user_id=ids.user["petugas1"])
            out.append(c.id)
    return out


# ---- PostgreSQL --------------------------------------------------------------------------------------

PG_HOST, PG_PORT = "127.0.0.1", 5432


def postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def pg_url_or_skip(prefix: str = "loket_rules"):
    """A new, empty scratch PostgreSQL database (its URL), dropped afterwards; skips when PostgreSQL is absent."""
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT}; the PostgreSQL variant is skipped")
    import psycopg
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=test"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_db():
    """A scratch PostgreSQL database, migrated and holding the configured office and the demo users."""
    with pg_url_or_skip() as url:
        migrate(url)
        database = Database(url)
        try:
            with database.write() as s:
                office = offices.sync_from_settings(s, test_settings())
                for username, role in (("petugas1", "officer"), ("petugas2", "officer")):
                    users.create_user(s, office_id=office.id, username=username, name=username, role=role,
                                      password=f"{username}-demo")
            yield database
        finally:
            database.dispose()
