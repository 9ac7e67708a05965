"""Invoices on hand-set clocks: one month of validity, expiry, replacement, billing codes, PNBP summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from models import Invoice, RequestEvent
from rules import invoices as inv_rules
from rules import payments as pay_rules
from rules import requests as rq
from rules.errors import RuleError
from tests.request_fixtures import T0, billing_code, ntpn

# Issued 14 January 2026 10:01 WIB: valid through 14 February 2026, i.e. until 15 February 00:00 WIB.
END = datetime(2026, 2, 14, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "day, last",
    [
        (date(2026, 1, 14), date(2026, 2, 14)),
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 12, 15), date(2027, 1, 15)),
        (date(2026, 3, 31), date(2026, 4, 30)),
    ],
)
def test_one_calendar_month(day, last):
    assert inv_rules.add_month(day) == last


@pytest.mark.parametrize(
    "code",
    ["82026000000001", "8202600000000012", "72026000000000A", "620260000000001", "020260000000001", "1" * 15, ""],
)
def test_billing_code_refused_unless_15_digits_beginning_with_7_8_or_9(code):
    with pytest.raises(RuleError) as e:
        inv_rules.validate_billing_code(code)
    assert e.value.code == "bad_billing_code" and e.value.status == 400
    assert e.value.message == "A billing code has 15 digits and begins with 7, 8 or 9 (SIMPONI)."


@pytest.mark.parametrize("code", ["720260000000001", "820260000000001", "920260000000001"])
def test_pnbp_billing_codes_beginning_with_7_8_or_9_are_accepted(code):
    assert inv_rules.validate_billing_code(code) == code


def test_billing_code_typed_with_spaces_is_accepted():
    assert inv_rules.validate_billing_code("820 2600 0000 0001") == "820260000000001"
    assert inv_rules.validate_billing_code("820-260-000-000-001") == "820260000000001"


def test_invoice_valid_one_month_in_office_time(db, new_request):
    req_id = new_request("invoiced")
    with db.read() as s:
        inv = rq.active_invoice(s, req_id)
        assert inv.valid_until == END
        assert inv_rules.local_last_day(s, inv) == date(2026, 2, 14)
        assert inv_rules.effective_status(inv, END - timedelta(seconds=1)) == "issued"
        assert inv_rules.effective_status(inv, END) == "expired"


def test_expiry_on_hand_set_clocks(db, staff, new_request):
    req_id = new_request("invoiced")
    with db.write() as s:
        assert inv_rules.expire_due(s, office_id=1, now=END - timedelta(minutes=1)) == 0
    with db.write() as s:
        assert inv_rules.expire_due(s, office_id=1, now=END + timedelta(days=3)) == 1
        inv = rq.active_invoice(s, req_id)
        assert inv.status == "expired" and inv.closed_at == END
        ev = s.exec(
            select(RequestEvent).where(RequestEvent.request_id == req_id, RequestEvent.kind == "expire_invoice")
        ).one()
        assert ev.at == END and ev.user_id is None  # recorded at the moment it ran out, by no one
    with db.write() as s:
        assert inv_rules.expire_due(s, office_id=1, now=END + timedelta(days=4)) == 0  # only once


def test_expired_invoice_cannot_be_paid_and_a_replacement_links_to_it(db, staff, new_request):
    req_id = new_request("invoiced")
    late = END + timedelta(days=2)
    with db.write() as s, pytest.raises(RuleError) as e:
        pay_rules.record_payment(s, request_id=req_id, user_id=staff.treasurer, ntpn=ntpn(), paid_at=END, now=late)
    assert e.value.code == "invoice_expired"
    assert "expired on 2026-02-14" in str(e.value)
    with db.write() as s:
        assert rq.active_invoice(s, req_id).status == "expired"
        new = inv_rules.replace_invoice(
            s, request_id=req_id, user_id=staff.officer, billing_code=billing_code(), now=late
        )
        old = s.get(Invoice, new.replaces_id)
    assert old.status == "replaced" and old.close_reason == "expired"
    assert new.status == "issued" and new.total == old.total and new.number != old.number
    # Replaced at 17 Feb 00:00 WIB (16 Feb 17:00 UTC): valid through 17 March, i.e. until 18 March 00:00 WIB.
    assert new.valid_until == datetime(2026, 3, 17, 17, 0, tzinfo=UTC)
    with db.write() as s:
        pay = pay_rules.record_payment(
            s,
            request_id=req_id,
            user_id=staff.treasurer,
            ntpn=ntpn(),
            paid_at=late + timedelta(hours=1),
            now=late + timedelta(hours=2),
        )
    assert pay.invoice_id == new.id
    with db.write() as s, pytest.raises(RuleError) as e:  # the old one stays closed
        pay_rules.record_payment(s, invoice_id=old.id, user_id=staff.treasurer, ntpn=ntpn(), paid_at=late, now=late)
    assert e.value.code == "invoice_closed"


def test_paid_in_time_but_shown_late_is_accepted(db, staff, new_request):
    req_id = new_request("invoiced")
    with db.write() as s:
        inv_rules.expire_due(s, office_id=1, now=END + timedelta(days=5))
    with db.write() as s:
        pay = pay_rules.record_and_confirm(
            s,
            request_id=req_id,
            user_id=staff.treasurer,
            ntpn=ntpn(),
            paid_at=END - timedelta(minutes=1),
            now=END + timedelta(days=5),
        )
        inv = s.get(Invoice, pay.invoice_id)
    assert pay.status == "confirmed" and inv.status == "paid" and inv.paid_at == END - timedelta(minutes=1)


def test_billing_code_may_not_be_reused(db, staff, new_request):
    a = new_request("invoiced")
    b = new_request("checked")
    with db.read() as s:
        used = rq.active_invoice(s, a).billing_code
    with db.write() as s, pytest.raises(RuleError) as e:
        inv_rules.issue_invoice(s, request_id=b, user_id=staff.officer, billing_code=used, now=T0)
    assert e.value.code == "billing_code_used"


def test_paid_invoice_is_never_replaced(db, staff, new_request):
    req_id = new_request("invoiced")
    with db.write() as s:
        pay_rules.record_and_confirm(
            s,
            request_id=req_id,
            user_id=staff.treasurer,
            ntpn=ntpn(),
            paid_at=T0 + timedelta(hours=1),
            now=T0 + timedelta(hours=1),
        )
    with db.write() as s, pytest.raises(RuleError) as e:
        inv_rules.replace_invoice(
            s, request_id=req_id, user_id=staff.officer, billing_code=billing_code(), now=T0 + timedelta(hours=2)
        )
    assert e.value.code == "invoice_paid"


def test_cancelled_request_cancels_its_invoice_which_cannot_be_paid(db, staff, new_request):
    req_id = new_request("invoiced")
    with db.write() as s:
        inv_id = rq.active_invoice(s, req_id).id
        rq.cancel(s, request_id=req_id, user_id=staff.officer, reason="visitor left", now=T0 + timedelta(hours=1))
    with db.write() as s, pytest.raises(RuleError) as e:
        pay_rules.record_payment(
            s,
            invoice_id=inv_id,
            user_id=staff.treasurer,
            ntpn=ntpn(),
            paid_at=T0 + timedelta(hours=2),
            now=T0 + timedelta(hours=2),
        )
    assert e.value.code == "not_allowed_final"
    with db.read() as s:
        assert s.get(Invoice, inv_id).status == "cancelled"


def test_invoice_document_has_the_agreed_shape(db, staff, new_request):
    req_id = new_request("invoiced", name="Rahmawati Siregar", institution_name="Universitas Sriwijaya")
    with db.read() as s:
        inv = rq.active_invoice(s, req_id)
        doc = inv_rules.invoice_document(s, inv, verify_url="http://pst.local/v/abc")
    assert doc["number"] == inv.number and doc["billing_code"] == inv.billing_code and doc["total"] == 50_020
    assert doc["office"]["code"] == "1600" and doc["office"]["name"] == "BPS Provinsi Sumatera Selatan"
    assert doc["buyer"] == {"name": "Rahmawati Siregar", "institution": "Universitas Sriwijaya"}
    assert doc["officer"] == "Petugas Satu" and doc["verify_url"] == "http://pst.local/v/abc"
    (line,) = doc["lines"]
    assert line["description"] == "Data mikro tanpa pengolahan (per dataset) — Susenas Maret 2025, Sumatera Selatan"
    assert (line["quantity"], line["unit"], line["unit_price"], line["amount"]) == (1, "dataset", 50_020, 50_020)
    assert "1.501 x each further 1.000 bytes Rp 20" in line["rule"]
    # The last day is the document's own field, said once on paper ("Valid until", long date): no note repeats
    # it as an ISO date (issue 15).
    assert doc["last_valid_day"].isoformat() == "2026-02-14" and not any("2026-02-14" in n for n in doc["notes"])
    assert any("PP 13/2024" in n for n in doc["notes"])


def test_pnbp_summary(db, staff, new_request):
    paid = new_request("invoiced", item="publication", measure=120)  # Rp 80.000, paid
    new_request("invoiced", item="map_kabkota_desa", measure=None, quantity=2)  # Rp 140.000, outstanding
    cancelled = new_request("invoiced")  # Rp 50.020, cancelled
    new_request("checked", zero=True)  # Rp 0 (list Rp 50.020)
    t = T0 + timedelta(hours=3)
    with db.write() as s:
        pay_rules.record_and_confirm(s, request_id=paid, user_id=staff.treasurer, ntpn=ntpn(), paid_at=t, now=t)
        pay_rules.issue_receipt(s, request_id=paid, user_id=staff.treasurer, now=t)
        rq.cancel(s, request_id=cancelled, user_id=staff.officer, reason="duplicate", now=t)
    with db.read() as s:
        out = inv_rules.pnbp_summary(s, 1, T0 - timedelta(days=1), T0 + timedelta(days=1))
        later = inv_rules.pnbp_summary(s, 1, T0 + timedelta(days=1), T0 + timedelta(days=40))
    assert out["invoiced"] == {"count": 2, "total": 220_000}
    assert out["received"] == {"count": 1, "total": 80_000}
    assert out["receipts"] == {"count": 1, "total": 80_000}
    assert out["invoices_by_status"]["cancelled"] == {"count": 1, "total": 50_020}
    assert out["received_by_category"] == {"publication": 80_000}
    assert out["zero_tariff"] == {"count": 1, "list_price_waived": 50_020}
    assert later["invoiced"]["count"] == 0 and later["received"]["total"] == 0
