"""Hand-made timelines for the supervisor's tests: every step at a chosen minute of one office day.

The day is Monday 2 March 2026 in Palembang (WIB, UTC+7); minute 0 is 08:00 local (01:00 UTC). Each step
runs in its own write transaction through the same rules the counter screen uses, so the rows (tickets,
events, counters) are exactly what the product writes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from models import Counter, Ticket, User
from rules import counters as counter_rules
from rules import guestbook, tickets
from tests import factories

DAY = date(2026, 3, 2)
BASE = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 WIB


def at(minutes: float, day_offset: int = 0) -> datetime:
    """The moment `minutes` after 08:00 local, `day_offset` days after the base day."""
    return BASE + timedelta(days=day_offset, minutes=minutes)


class Timeline:
    """Script a day: t.issue(0), t.open(0, 1, 'petugas1'), t.call(1, 1), t.start(...), t.finish(...)."""

    def __init__(self, db, day_offset: int = 0):
        self.db = db
        self.day_offset = day_offset

    def at(self, m: float) -> datetime:
        return at(m, self.day_offset)

    def _counter(self, s, number: int) -> Counter:
        return s.exec(select(Counter).where(Counter.number == number)).one()

    def _user(self, s, username: str) -> User:
        return s.exec(select(User).where(User.username == username)).one()

    def issue(
        self,
        m: float,
        service: str = "penjualan",
        *,
        visitor: dict | None = None,
        priority_reason: str = "",
        estimate: int | None = None,
    ) -> int:
        """Issue a ticket; with `visitor` (guest-book fields) it goes through the guest book."""
        with self.db.write() as s:
            if visitor is not None:
                svc = factories.service(s, service)
                form = guestbook.GuestBookForm.model_validate(factories.guest_form(svc.id, **visitor))
                t = guestbook.sign_and_take_ticket(s, office=factories.office(s), form=form, now=self.at(m))
            else:
                t = factories.ticket(s, service, now=self.at(m), priority_reason=priority_reason)
            if estimate is not None:
                t.estimated_wait_minutes = estimate
                s.add(t)
            return t.id

    def open(self, m: float, counter: int, username: str) -> None:
        with self.db.write() as s:
            counter_rules.open_counter(
                s, counter_id=self._counter(s, counter).id, user_id=self._user(s, username).id, now=self.at(m)
            )

    def pause(self, m: float, counter: int, reason: str = "break") -> None:
        with self.db.write() as s:
            c = self._counter(s, counter)
            counter_rules.pause(s, counter_id=c.id, user_id=c.officer_id, reason=reason, now=self.at(m))

    def resume(self, m: float, counter: int) -> None:
        with self.db.write() as s:
            c = self._counter(s, counter)
            counter_rules.resume(s, counter_id=c.id, user_id=c.officer_id, now=self.at(m))

    def close(self, m: float, counter: int) -> None:
        with self.db.write() as s:
            c = self._counter(s, counter)
            counter_rules.close_counter(s, counter_id=c.id, user_id=c.officer_id, now=self.at(m))

    def call(self, m: float, counter: int) -> int | None:
        """Call the next ticket at a counter (finishing its current visitor if being served)."""
        with self.db.write() as s:
            c = self._counter(s, counter)
            t = tickets.call_next(s, counter_id=c.id, user_id=c.officer_id, now=self.at(m))
            return t.id if t else None

    def start(self, m: float, ticket_id: int) -> None:
        with self.db.write() as s:
            t = s.get(Ticket, ticket_id)
            tickets.start(s, ticket_id=ticket_id, counter_id=t.counter_id, user_id=t.officer_id, now=self.at(m))

    def finish(self, m: float, ticket_id: int) -> None:
        with self.db.write() as s:
            t = s.get(Ticket, ticket_id)
            tickets.finish(s, ticket_id=ticket_id, counter_id=t.counter_id, user_id=t.officer_id, now=self.at(m))

    def serve(self, counter: int, called: float, started: float, finished: float) -> int:
        """Call the next ticket at `called`, start at `started`, finish at `finished`; returns its id."""
        tid = self.call(called, counter)
        assert tid is not None, "no one waiting"
        self.start(started, tid)
        self.finish(finished, tid)
        return tid

    def recall(self, m: float, ticket_id: int) -> None:
        with self.db.write() as s:
            t = s.get(Ticket, ticket_id)
            tickets.recall(s, ticket_id=ticket_id, counter_id=t.counter_id, user_id=t.officer_id, now=self.at(m))

    def no_show(self, m: float, ticket_id: int) -> None:
        with self.db.write() as s:
            t = s.get(Ticket, ticket_id)
            tickets.no_show(
                s,
                ticket_id=ticket_id,
                counter_id=t.counter_id,
                user_id=t.officer_id,
                recalls_required=0,
                now=self.at(m),
            )

    def transfer(self, m: float, ticket_id: int, to_service: str) -> None:
        with self.db.write() as s:
            t = s.get(Ticket, ticket_id)
            tickets.transfer(
                s,
                ticket_id=ticket_id,
                counter_id=t.counter_id,
                to_service_id=factories.service(s, to_service).id,
                user_id=t.officer_id,
                now=self.at(m),
            )

    def cancel(self, m: float, ticket_id: int) -> None:
        with self.db.write() as s:
            tickets.cancel(s, ticket_id=ticket_id, now=self.at(m))
