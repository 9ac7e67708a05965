"""Fixtures for the rule tests: hand-set WIB times, ids of the configured office, a scratch PostgreSQL database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from db import Database
from models import Counter, CounterService, Office, Service, User
from rules import counters as counter_rules

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
    service: dict[str, int] = field(default_factory=dict)  # code -> id
    counter: dict[int, int] = field(default_factory=dict)  # number -> id
    user: dict[str, int] = field(default_factory=dict)  # username -> id

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


def add_counters(
    database: Database, ids: Office1600, services_of: list[list[str]], first_number: int = 10
) -> list[int]:
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
