"""Fixtures for the paid-product request: a visitor being served at counter 1, staff ids, hand-set clocks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from models import Counter, User
from rules import counters, guestbook, tickets
from tests import factories

# A hand-set clock: Wednesday 14 January 2026, 10:00 in Palembang (03:00 UTC).
T0 = datetime(2026, 1, 14, 3, 0, tzinfo=UTC)


def user_id(s, username: str) -> int:
    return s.exec(select(User).where(User.username == username)).one().id


class Staff:
    def __init__(self, db):
        with db.read() as s:
            self.officer = user_id(s, "petugas1")
            self.officer2 = user_id(s, "petugas2")
            self.treasurer = user_id(s, "bendahara")
            self.supervisor = user_id(s, "pengawas")
            self.admin = user_id(s, "admin")


@pytest.fixture
def staff(db) -> Staff:
    return Staff(db)


def serve_visitor(s, *, officer_id: int, now: datetime = T0, counter_number: int = 1, **form):
    """Sign the guest book, take a number for the sales service and have counter 1 call and serve it."""
    office = factories.office(s)
    svc = factories.service(s, "penjualan")
    data = factories.guest_form(svc.id, **form)
    ticket = guestbook.sign_and_take_ticket(
        s, office=office, form=guestbook.GuestBookForm.model_validate(data), now=now
    )
    counter = s.exec(select(Counter).where(Counter.office_id == office.id, Counter.number == counter_number)).one()
    if counter.status != "open" or counter.officer_id != officer_id:
        counters.release_counters_of(s, user_id=officer_id, except_counter_id=counter.id)
        counters.open_counter(s, counter_id=counter.id, user_id=officer_id, office_id=office.id, now=now)
    current = tickets.current_ticket(s, counter.id)
    if current is not None:
        tickets.finish(s, ticket_id=current.id, counter_id=counter.id, user_id=officer_id, now=now)
    called = tickets.call_next(s, counter_id=counter.id, user_id=officer_id, now=now)
    assert called.id == ticket.id
    tickets.start(s, ticket_id=ticket.id, counter_id=counter.id, user_id=officer_id, now=now)
    return ticket


@pytest.fixture
def served(db, staff):
    """A function: a new visitor served at counter 1 (education segment unless the form says otherwise)."""

    def make(**form):
        with db.write() as s:
            return serve_visitor(s, officer_id=staff.officer, **form)

    return make


PRIVATE = dict(
    institution_category="private",
    institution_name="PT Data Sejahtera",
    purpose="business",
    npwp="01.300.066.6-091.000",
)


# ---- driving a request along the legal path ------------------------------------------------------

from datetime import timedelta  # noqa: E402

from rules import invoices as inv_rules  # noqa: E402
from rules import payments as pay_rules  # noqa: E402
from rules import requests as rq  # noqa: E402

_billing = iter(range(1, 10**6))


def billing_code() -> str:
    """A fresh, well-formed SIMPONI billing code (15 digits, begins with 7, 8 or 9)."""
    return f"82026{next(_billing):010d}"


_ntpn = iter(range(1, 10**6))


def ntpn() -> str:
    return f"A1B2C3{next(_ntpn):010d}"


PATH = ("open", "agreed", "checked", "invoiced", "preparing", "ready", "delivered", "closed")


def advance(s, req_id: int, staff: Staff, target: str, now: datetime = T0):
    """Move a microdata request along the legal path until it is in `target` (paid on the way to delivered)."""
    req = rq.get_request(s, req_id)
    t = now
    while req.state != target:
        t += timedelta(minutes=1)
        st = req.state
        if st == "open":
            rq.agree(s, request_id=req.id, user_id=staff.officer, now=t)
        elif st == "agreed":
            for d in rq.checklist(s, req):
                if d["when"] == "before_invoice":
                    rq.tick_document(s, request_id=req.id, user_id=staff.officer, kind=d["kind"], received=True, now=t)
            rq.check_documents(s, request_id=req.id, user_id=staff.officer, now=t)
        elif st == "checked":
            if req.total == 0:
                rq.start_preparing(s, request_id=req.id, user_id=staff.officer, now=t)
            else:
                inv_rules.issue_invoice(s, request_id=req.id, user_id=staff.officer, billing_code=billing_code(), now=t)
        elif st == "invoiced":
            rq.start_preparing(s, request_id=req.id, user_id=staff.officer, now=t)
        elif st == "preparing":
            rq.mark_ready(s, request_id=req.id, user_id=staff.officer, now=t)
        elif st == "ready":
            settle(s, req, staff, t)
            rq.deliver(s, request_id=req.id, user_id=staff.officer, download_ref="https://pst.example/dl/abc", now=t)
        elif st == "delivered":
            rq.close(s, request_id=req.id, user_id=staff.officer, now=t)
        else:
            raise AssertionError(f"no legal path from {st} to {target}")
        s.flush()
        req = rq.get_request(s, req_id)
    return req


def settle(s, req, staff: Staff, t: datetime) -> None:
    """Pay, confirm, issue the receipt and record the signed SPPD, as needed before delivery."""
    if not rq.settled(s, req):
        inv = rq.active_invoice(s, req.id)
        pay_rules.record_and_confirm(s, invoice_id=inv.id, user_id=staff.treasurer, ntpn=ntpn(), paid_at=t, now=t)
        pay_rules.issue_receipt(s, invoice_id=inv.id, user_id=staff.treasurer, now=t)
    if rq.needs_sppd(s, req) and req.sppd_signed_at is None:
        rq.sign_sppd(s, request_id=req.id, user_id=staff.officer, now=t)


@pytest.fixture
def new_request(db, staff, served):
    """A function: a request opened from a served ticket with one product line, moved to a state."""

    def make(state: str = "open", *, item="microdata_raw", measure=2_500_001, quantity=1, zero=False, **form):
        ticket = served(**form)
        with db.write() as s:
            req = rq.open_request(s, ticket_id=ticket.id, user_id=staff.officer, now=T0)
            rq.add_line(
                s,
                request_id=req.id,
                user_id=staff.officer,
                item_code=item,
                measure=measure,
                quantity=quantity,
                description="Susenas Maret 2025, Sumatera Selatan",
                now=T0,
            )
            if zero:
                rq.set_zero_tariff(
                    s,
                    request_id=req.id,
                    user_id=staff.officer,
                    use="research_development",
                    letter_ref="B-123/UNSRI/2026",
                    now=T0,
                )
            if state == "cancelled":
                rq.cancel(s, request_id=req.id, user_id=staff.officer, reason="visitor changed their mind", now=T0)
            elif state == "correcting":
                advance(s, req.id, staff, "delivered")
                rq.request_correction(
                    s, request_id=req.id, text="wrong year in the file", by_visitor=True, now=T0 + timedelta(hours=1)
                )
            else:
                advance(s, req.id, staff, state)
            return req.id

    return make
