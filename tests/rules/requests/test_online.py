"""Requests without a ticket in the rules: the e-mail link's gate, clear and complete, the clock's pauses while
waiting on the visitor (payment, signed SPPD), the verdict at delivery, the live list's alarm, shipping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from models import Payment, ProductRequest
from rules import invoices as inv_rules
from rules import payments as pay_rules
from rules import requests as rq
from rules.errors import RuleError
from rules.requests import clock
from tests import factories
from tests.request_fixtures import billing_code, ntpn


def wib10(day: int, month: int = 2) -> datetime:
    """10:00 in Palembang on a day of 2026 (03:00 UTC)."""
    return datetime(2026, month, day, 3, 0, tzinfo=UTC)


def online_request(s, *, now, items=None, **visitor):
    form = rq.OnlineVisitorForm.model_validate(
        {
            **factories.guest_form(0),
            "phone": "081234567890",
            **visitor,
        }
    )
    lines = [
        rq.OnlineLine.model_validate(x)
        for x in items or [{"item_code": "microdata_raw", "measure": 1_000_000, "description": "Susenas 2024"}]
    ]
    return rq.submit_online(
        s,
        office=factories.office(s),
        form=form,
        items=lines,
        accept_terms=True,
        abstract="Tabulasi pengeluaran rumah tangga untuk tesis magister di Universitas Sriwijaya, 2026.",
        now=now,
    )


def clear(s, req, staff, now):
    rq.confirm_email(s, token=req.visitor_token, now=now)
    rq.tick_document(s, request_id=req.id, user_id=staff.officer, kind="abstract", received=True, now=now)
    rq.check_documents(s, request_id=req.id, user_id=staff.officer, now=now)
    return rq.mark_clear(s, request_id=req.id, user_id=staff.officer, now=now)


def test_nothing_is_worked_on_before_the_link_is_opened(db, staff):
    with db.write() as s:
        req = online_request(s, now=wib10(2))
        assert (req.state, req.channel, req.ticket_id) == ("agreed", "online", None)
        with pytest.raises(RuleError) as err:
            rq.check_documents(s, request_id=req.id, user_id=staff.officer, now=wib10(2))
        assert err.value.code == "email_unconfirmed"
        rq.confirm_email(s, token=req.visitor_token, now=wib10(2))
        rq.confirm_email(s, token=req.visitor_token, now=wib10(3))  # opening the link again changes nothing
        kinds = [e.kind for e in rq.history(s, req.id)]
        assert kinds == ["submit_online", "confirm_email"]


def test_pauses_while_waiting_on_the_visitor_and_the_verdict(db, staff):
    with db.write() as s:
        req = online_request(s, now=wib10(2))
        clear(s, req, staff, wib10(2))  # clear on Monday 2 February 2026; 16-17 February are off
        assert clock.state(s, req, wib10(2)).due.isoformat() == "2026-02-18"
        inv_rules.issue_invoice(s, request_id=req.id, user_id=staff.officer, billing_code=billing_code(), now=wib10(3))
        st = clock.state(s, req, wib10(5))
        assert (st.paused, st.due, st.used) == (True, None, 1)  # Tuesday counted, then waiting for the payment
        assert clock.clock_json(s, req, wib10(5))["paused_for"] == "payment"
        pay_rules.record_payment(
            s, request_id=req.id, user_id=staff.officer, ntpn=ntpn(), paid_at=wib10(6), now=wib10(6)
        )
        assert clock.waiting_on(s, req) == "sppd"  # paid; the signed SPPD is still awaited
        rq.sign_sppd(s, request_id=req.id, user_id=staff.officer, how="post", now=wib10(10))
        assert req.sppd_received_how == "post"
        pay = s.exec(select(Payment)).one()
        pay_rules.confirm_payment(s, payment_id=pay.id, user_id=staff.treasurer, now=wib10(10))
        pay_rules.issue_receipt(s, request_id=req.id, user_id=staff.treasurer, now=wib10(10))
        rq.start_preparing(s, request_id=req.id, user_id=staff.officer, now=wib10(10))
        rq.mark_ready(s, request_id=req.id, user_id=staff.officer, now=wib10(11))
        rq.deliver(s, request_id=req.id, user_id=staff.officer, download_ref="https://x/d", now=wib10(11))
        # Tue 3 and Wed 11 count; Wed 4 - Fri 6 (payment) and Mon 9 - Tue 10 (SPPD) do not.
        assert (req.served_days, req.served_within) == (2, True)
        pauses = clock.pauses_of(req)
        assert [p[2] for p in pauses] == ["payment", "sppd"] and all(p[1] for p in pauses)


def test_the_live_list_rings_before_the_due_day_and_after_it(db, staff):
    with db.write() as s:
        req = online_request(s, now=wib10(2))
        clear(s, req, staff, wib10(2))
        office_id = req.office_id

    def row(now):
        with db.read() as s:
            (x,) = clock.live_requests(s, office_id, now)
            return x["clock"]["left"], x["alarm"], x["clock"]["overdue"]

    assert row(wib10(10)) == (4, False, False)
    assert row(wib10(12)) == (2, True, False)  # two working days left: the alarm
    # 16 and 17 February are cuti bersama and the Lunar New Year: the due day is Wednesday 18, not Monday 16.
    with db.read() as s:
        assert clock.state(s, s.get(ProductRequest, req.id), wib10(13)).due.isoformat() == "2026-02-18"
    assert row(wib10(19)) == (-1, True, True)


def test_a_closure_moves_the_due_day(db, staff):
    from rules import special_days

    with db.write() as s:
        req = online_request(s, now=wib10(2))
        clear(s, req, staff, wib10(2))
        special_days.set_day(s, office_id=req.office_id, day=wib10(5).date(), note="Tutup", note_en="Closed")
        assert clock.state(s, req, wib10(5)).due.isoformat() == "2026-02-19"  # Feb 16-17 off, Thu 5 closed


def test_counter_requests_are_not_timed_in_working_days(db, staff, new_request):
    req_id = new_request("checked")
    with db.write() as s:
        with pytest.raises(RuleError) as err:
            rq.mark_clear(s, request_id=req_id, user_id=staff.officer, now=wib10(2))
        assert err.value.code == "counter_request" or err.value.code == "not_allowed"
        assert "mark_clear" not in rq.allowed(rq.get_request(s, req_id))


def test_the_invoice_waits_for_clear_and_complete(db, staff):
    with db.write() as s:
        req = online_request(s, now=wib10(2))
        rq.confirm_email(s, token=req.visitor_token, now=wib10(2))
        rq.tick_document(s, request_id=req.id, user_id=staff.officer, kind="abstract", received=True, now=wib10(2))
        rq.check_documents(s, request_id=req.id, user_id=staff.officer, now=wib10(2))
        with pytest.raises(RuleError) as err:
            inv_rules.issue_invoice(s, request_id=req.id, user_id=staff.officer, billing_code=billing_code())
        assert err.value.code == "not_clear"
        assert clock.state(s, req, wib10(2)) is None
