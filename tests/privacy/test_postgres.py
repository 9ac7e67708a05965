"""The retention job and an erasure on PostgreSQL: the same SQL runs there (dead tokens made by the database, the
idle-person query, the registry's handlers)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models import GuestBookEntry, Ticket, User, Visitor
from rules import erasure, guestbook, retention, tickets
from rules.personal_registry import Places
from settings import PrivacySettings
from tests import factories
from tests.request_fixtures import T0


@pytest.mark.postgres
def test_purge_and_erasure_on_postgres(pg_db):
    with pg_db.write() as s:
        office = factories.office(s)
        officer = s.exec(select(User).where(User.username == "petugas1")).one()
        svc = factories.service(s, "konsultasi")
        form = guestbook.GuestBookForm.model_validate(
            factories.guest_form(svc.id, name="Yohana Situmorang", phone="081377770001")
        )
        t = guestbook.sign_and_take_ticket(s, office=office, form=form, now=T0)
        tickets.cancel(s, ticket_id=t.id, by="visitor", now=T0 + timedelta(minutes=5))
        ticket_id, visitor_id = t.id, t.visitor_id
    later = T0 + timedelta(days=400)
    with pg_db.write() as s:
        summary = retention.purge(s, office_id=office.id, privacy=PrivacySettings(), places=Places(), now=later)
    assert summary.counts["visitor_links"] == 1 and summary.counts["visits"] == 1
    with pg_db.write() as s:
        again = retention.purge(s, office_id=office.id, privacy=PrivacySettings(), places=Places(), now=later)
        token = s.get(Ticket, ticket_id).status_token
        entry = s.exec(select(GuestBookEntry)).one()
    assert again.counts["visitor_links"] == 0 and token.startswith("~") and len(token) == 33
    assert entry.name == "" and entry.phone == "" and entry.education  # the coarse answers stay
    with pg_db.write() as s:
        erasure.erase(
            s,
            visitor_id=visitor_id,
            office_id=office.id,
            user_id=officer.id,
            reason="asked at the counter",
            places=Places(),
        )
    with pg_db.read() as s:
        v = s.get(Visitor, visitor_id)
        assert v.erased_at is not None and v.name == "" and v.segment
