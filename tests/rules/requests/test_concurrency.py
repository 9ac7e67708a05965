"""Many clicks at once on SQLite and PostgreSQL: invoice numbers 1..16 without gaps or doubles, and one
payment, one confirmation, one receipt however many people press the button at the same moment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models import Invoice, Payment, Receipt, RequestEvent, User
from rules import invoices as inv_rules
from rules import payments as pay_rules
from rules import requests as rq
from rules import users
from rules.errors import RuleError
from tests.request_fixtures import T0, billing_code, ntpn, serve_visitor
from tests.rules.test_concurrency import run_threads

N = 16


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request):
    database = request.getfixturevalue("db" if request.param == "sqlite" else "pg_db")
    with database.write() as s:
        if s.exec(select(User).where(User.username == "bendahara")).first() is None:
            users.create_user(
                s,
                office_id=1,
                username="bendahara",
                name="Bendahara",
                role="treasurer",
                password="bendahara-demo",
                enforce_policy=False,
            )
    return database


def _ids(database):
    with database.read() as s:
        return {u.username: u.id for u in s.exec(select(User))}


def checked_requests(database, officer: int, n: int) -> list[int]:
    out = []
    for i in range(n):
        with database.write() as s:
            ticket = serve_visitor(s, officer_id=officer, now=T0 + timedelta(minutes=i))
            req = rq.open_request(s, ticket_id=ticket.id, user_id=officer, now=T0)
            rq.add_line(s, request_id=req.id, user_id=officer, item_code="publication", measure=60, now=T0)
            rq.agree(s, request_id=req.id, user_id=officer, now=T0)
            rq.check_documents(s, request_id=req.id, user_id=officer, now=T0)
            out.append(req.id)
    return out


def test_sixteen_invoices_at_once_are_numbered_one_to_sixteen(database):
    ids = _ids(database)
    reqs = checked_requests(database, ids["petugas1"], N)
    codes = [billing_code() for _ in range(N)]

    def issue(i):
        with database.write() as s:
            return inv_rules.issue_invoice(
                s, request_id=reqs[i], user_id=ids["petugas1"], billing_code=codes[i], now=T0 + timedelta(hours=1)
            ).number

    results = run_threads(N, issue)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(results) == [f"INV/1600/2026/{n:05d}" for n in range(1, N + 1)]


def test_one_payment_one_confirmation_one_receipt_under_simultaneous_clicks(database):
    ids = _ids(database)
    (req_id,) = checked_requests(database, ids["petugas1"], 1)
    t = T0 + timedelta(hours=1)
    with database.write() as s:
        inv_rules.issue_invoice(s, request_id=req_id, user_id=ids["petugas1"], billing_code=billing_code(), now=t)
    ntpns = [ntpn() for _ in range(N)]

    def record(i):
        with database.write() as s:
            return pay_rules.record_payment(
                s, request_id=req_id, user_id=ids["bendahara"], ntpn=ntpns[i], paid_at=t, now=t
            ).id

    results = run_threads(N, record)
    paid = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, RuleError)]
    assert len(paid) == 1 and len(refused) == N - 1 and {e.code for e in refused} == {"already_paid"}

    def confirm(i):
        with database.write() as s:
            return pay_rules.confirm_payment(s, payment_id=paid[0], user_id=ids["bendahara"], now=t).id

    results = run_threads(N, confirm)
    assert sum(isinstance(r, int) for r in results) == 1
    assert {r.code for r in results if isinstance(r, RuleError)} == {"payment_not_pending"}

    def receipt(i):
        with database.write() as s:
            return pay_rules.issue_receipt(s, request_id=req_id, user_id=ids["bendahara"], now=t).number

    results = run_threads(N, receipt)
    assert [r for r in results if isinstance(r, str)] == ["KW/1600/2026/00001"]
    assert {r.code for r in results if isinstance(r, RuleError)} == {"receipt_exists"}
    with database.read() as s:
        assert len(s.exec(select(Payment)).all()) == 1 and len(s.exec(select(Receipt)).all()) == 1
        assert s.exec(select(Invoice)).one().status == "paid"
        kinds = [e.kind for e in s.exec(select(RequestEvent).where(RequestEvent.request_id == req_id))]
        assert (kinds.count("record_payment"), kinds.count("confirm_payment"), kinds.count("issue_receipt")) == (
            1,
            1,
            1,
        )
