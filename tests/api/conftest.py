"""Helpers for the API tests: counting what was written, the office's ids."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from models import DailySequence, GuestBookEntry, PrintJob, Ticket, Visitor
from tests.rules.conftest import load_ids

TICKETS_URL = "/api/offices/1600/tickets"


def written(db) -> dict[str, int]:
    """How many rows the kiosk can write exist: all zero means nothing was issued."""
    with db.read() as s:
        return {m.__name__: s.exec(select(func.count()).select_from(m)).one()
                for m in (Ticket, Visitor, GuestBookEntry, DailySequence, PrintJob)}


NOTHING = {"Ticket": 0, "Visitor": 0, "GuestBookEntry": 0, "DailySequence": 0, "PrintJob": 0}


@pytest.fixture
def ids(db):
    return load_ids(db)
