"""Numbers handed out atomically: tickets (one counter row per service and business day) and documents such as
invoices, receipts and requests (one row per office, kind and year)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from clock import business_day
from models import DailySequence, Office, YearSequence
from rules import offices


def next_number(session: Session, *, office_id: int, service_id: int, service_date: date) -> int:
    """Take the next number of the day for a service. Safe under concurrency on SQLite and PostgreSQL.

    A single INSERT ... ON CONFLICT DO UPDATE ... RETURNING both creates the day's row (numbers restart
    at local midnight because the day is part of the key) and increments it under the row lock.
    """
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:
        raise RuntimeError(f"numbering needs PostgreSQL or SQLite, not {dialect}")
    table = DailySequence.__table__
    stmt = (
        insert(table)
        .values(office_id=office_id, service_id=service_id, service_date=service_date, last_number=1)
        .on_conflict_do_update(
            index_elements=[table.c.office_id, table.c.service_id, table.c.service_date],
            set_={"last_number": table.c.last_number + 1},
        )
        .returning(table.c.last_number)
    )
    return session.execute(stmt).scalar_one()


def format_code(prefix: str, number: int) -> str:
    """'B', 7 -> 'B-007'."""
    return f"{prefix}-{number:03d}"


def next_in_year(session: Session, *, office_id: int, kind: str, year: int) -> int:
    """Take the next number of a kind of document for an office and year, atomically (like ticket numbers)."""
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:
        raise RuntimeError(f"numbering needs PostgreSQL or SQLite, not {dialect}")
    table = YearSequence.__table__
    stmt = (
        insert(table)
        .values(office_id=office_id, kind=kind, year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[table.c.office_id, table.c.kind, table.c.year],
            set_={"last_number": table.c.last_number + 1},
        )
        .returning(table.c.last_number)
    )
    return session.execute(stmt).scalar_one()


def document_number(session: Session, *, office_id: int, kind: str, prefix: str, now: datetime) -> tuple[str, int]:
    """'INV/1600/2026/00001': prefix, office code, the office's local year, a number restarting each year."""
    office = session.get(Office, office_id)
    year = business_day(now, offices.office_tz(office)).year
    n = next_in_year(session, office_id=office_id, kind=kind, year=year)
    return f"{prefix}/{office.code}/{year}/{n:05d}", year
