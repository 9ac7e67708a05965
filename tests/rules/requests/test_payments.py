"""Payments and receipts: NTPN checks, the treasurer alone confirms and issues receipts, none without payment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rules import payments as pay_rules
from rules import requests as rq
from rules.errors import RuleError
from tests.request_fixtures import T0, ntpn

T = T0 + timedelta(hours=1)


@pytest.mark.parametrize(
    "value, ok",
    [
        ("A1B2C3D4E5F6G7H8", True),
        ("a1b2 c3d4 e5f6 g7h8", True),
        ("0123456789ABCDEF", True),
        ("A1B2C3D4E5F6G7H", False),
        ("A1B2C3D4E5F6G7H8I", False),
        ("A1B2C3D4E5F6G7H!", False),
        ("", False),
    ],
)
def test_ntpn_is_16_letters_and_digits(value, ok):
    if ok:
        assert pay_rules.validate_ntpn(value) == value.replace(" ", "").upper()
    else:
        with pytest.raises(RuleError) as e:
            pay_rules.validate_ntpn(value)
        assert e.value.code == "bad_ntpn"


def test_no_receipt_without_a_confirmed_payment(db, staff, new_request):
    req_id = new_request("invoiced")
    with db.write() as s, pytest.raises(RuleError) as e:
        pay_rules.issue_receipt(s, request_id=req_id, user_id=staff.treasurer, now=T)
    assert e.value.code == "not_paid"
    with db.write() as s:
        pay = pay_rules.record_payment(s, request_id=req_id, user_id=staff.officer, ntpn=ntpn(), paid_at=T, now=T)
    with db.write() as s, pytest.raises(RuleError) as e:  # recorded is not confirmed
        pay_rules.issue_receipt(s, request_id=req_id, user_id=staff.treasurer, now=T)
    assert e.value.code == "not_paid"
    with db.write() as s:
        pay_rules.confirm_payment(s, payment_id=pay.id, user_id=staff.treasurer, now=T)
        rec = pay_rules.issue_receipt(s, request_id=req_id, user_id=staff.treasurer, now=T)
    assert rec.number == "KW/1600/2026/00001" and rec.total == 50_020 and rec.payment_id == pay.id
    with db.write() as s, pytest.raises(RuleError) as e:
        pay_rules.issue_receipt(s, request_id=req_id, user_id=staff.treasurer, now=T)
    assert e.value.code == "receipt_exists" and "KW/1600/2026/00001" in str(e.value)


def test_rejected_payment_can_be_recorded_again_with_the_right_ntpn(db, staff, new_request):
    req_id = new_request("invoiced")
    wrong = ntpn()
    with db.write() as s:
        pay = pay_rules.record_payment(s, request_id=req_id, user_id=staff.officer, ntpn=wrong, paid_at=T, now=T)
    with db.write() as s, pytest.raises(RuleError) as e:
        pay_rules.reject_payment(s, payment_id=pay.id, user_id=staff.treasurer, reason="", now=T)
    assert e.value.code == "no_reason"
    with db.write() as s:
        pay_rules.reject_payment(
            s, payment_id=pay.id, user_id=staff.treasurer, reason="NTPN not found in SIMPONI", now=T
        )
    with db.write() as s, pytest.raises(RuleError) as e:
        pay_rules.confirm_payment(s, payment_id=pay.id, user_id=staff.treasurer, now=T)
    assert e.value.code == "payment_not_pending"
    with db.write() as s:
        again = pay_rules.record_and_confirm(
            s, request_id=req_id, user_id=staff.treasurer, ntpn=wrong, paid_at=T, now=T + timedelta(minutes=5)
        )
    assert again.status == "confirmed"


def test_ntpn_used_once_per_office(db, staff, new_request):
    a, b = new_request("invoiced"), new_request("invoiced")
    code = ntpn()
    with db.write() as s:
        pay_rules.record_payment(s, request_id=a, user_id=staff.treasurer, ntpn=code, paid_at=T, now=T)
    with db.write() as s, pytest.raises(RuleError) as e:
        pay_rules.record_payment(s, request_id=b, user_id=staff.treasurer, ntpn=code.lower(), paid_at=T, now=T)
    assert e.value.code == "ntpn_used"


def test_payment_time_must_be_plausible(db, staff, new_request):
    req_id = new_request("invoiced")
    for paid_at, code in (
        (T + timedelta(hours=1), "future_payment"),
        (T0 - timedelta(days=1), "payment_before_invoice"),
    ):
        with db.write() as s, pytest.raises(RuleError) as e:
            pay_rules.record_payment(s, request_id=req_id, user_id=staff.treasurer, ntpn=ntpn(), paid_at=paid_at, now=T)
        assert e.value.code == code


def test_amount_is_the_invoice_total_and_billing_code_is_the_invoice_s(db, staff, new_request):
    req_id = new_request("invoiced", item="map_kabkota_kecamatan", measure=None, quantity=4)
    with db.write() as s:
        pay = pay_rules.record_payment(s, request_id=req_id, user_id=staff.treasurer, ntpn=ntpn(), paid_at=T, now=T)
        inv = rq.active_invoice(s, req_id)
    assert pay.amount == inv.total == 120_000 and pay.billing_code == inv.billing_code


def test_treasurer_queue(db, staff, new_request):
    pending, unreceipted, waiting = new_request("invoiced"), new_request("preparing"), new_request("ready")
    with db.write() as s:
        pay_rules.record_payment(s, request_id=pending, user_id=staff.officer, ntpn=ntpn(), paid_at=T, now=T)
        pay_rules.record_and_confirm(s, request_id=unreceipted, user_id=staff.treasurer, ntpn=ntpn(), paid_at=T, now=T)
    with db.read() as s:
        q = pay_rules.treasurer_queue(s, office_id=1, now=T)
    assert [p.request_id for p in q["pending_payments"]] == [pending]
    assert [i.request_id for i in q["unreceipted"]] == [unreceipted]
    # an invoice whose payment waits for the treasurer is not also offered as unpaid (one list per invoice)
    assert {i.request_id for i in q["open_invoices"]} == {waiting}


def test_no_second_payment_while_one_waits_and_the_invoice_is_open_again_once_rejected(db, staff, new_request):
    req_id = new_request("invoiced")
    with db.write() as s:
        first = pay_rules.record_payment(s, request_id=req_id, user_id=staff.officer, ntpn=ntpn(), paid_at=T, now=T)
    with db.write() as s, pytest.raises(RuleError) as e:  # the treasurer cannot record a second one over it
        pay_rules.record_and_confirm(s, request_id=req_id, user_id=staff.treasurer, ntpn=ntpn(), paid_at=T, now=T)
    assert e.value.code == "already_paid"
    with db.write() as s:
        q = pay_rules.treasurer_queue(s, office_id=1, now=T)
        assert [p.id for p in q["pending_payments"]] == [first.id] and q["open_invoices"] == []
        pay_rules.reject_payment(s, payment_id=first.id, user_id=staff.treasurer, reason="NTPN not in SIMPONI", now=T)
    with db.read() as s:
        q = pay_rules.treasurer_queue(s, office_id=1, now=T)
    assert q["pending_payments"] == [] and [i.request_id for i in q["open_invoices"]] == [req_id]
