"""Issue 15: the NPWP is asked only when a private buyer requests a paid product, at the counter (the guest book
asks it of no one: tests/kiosk/test_guestbook.py)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models import Visitor
from rules import requests as rq
from rules.errors import RuleError
from tests.request_fixtures import PRIVATE, T0

NO_NPWP = {**PRIVATE, "npwp": ""}


def _kinds(s, req_id):
    return [d["kind"] for d in rq.checklist(s, rq.get_request(s, req_id))]


def test_a_company_visitor_without_an_npwp_is_asked_for_it_only_with_a_paid_product(db, staff, served):
    ticket = served(**NO_NPWP)
    with db.write() as s:
        req = rq.open_request(s, ticket_id=ticket.id, user_id=staff.officer, now=T0)
        assert _kinds(s, req.id) == []  # nothing to pay yet: nothing asked
        rq.add_line(s, request_id=req.id, user_id=staff.officer, item_code="microdata_raw", measure=2_500_001, now=T0)
        assert req.total > 0 and _kinds(s, req.id) == ["abstract", "sppd", "npwp"]
        rq.agree(s, request_id=req.id, user_id=staff.officer, now=T0)
        rq.tick_document(s, request_id=req.id, user_id=staff.officer, kind="abstract", received=True, now=T0)
        req_id = req.id
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.check_documents(s, request_id=req_id, user_id=staff.officer, now=T0)
    assert e.value.code == "documents_missing" and str(e.value.params["missing"]) == "NPWP"
    # Ticked without a number, with none on record: refused with what to do.
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.tick_document(s, request_id=req_id, user_id=staff.officer, kind="npwp", received=True, now=T0)
    assert e.value.code == "npwp_required" and e.value.status == 400
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.tick_document(s, request_id=req_id, user_id=staff.officer, kind="npwp", received=True, npwp="123", now=T0)
    assert e.value.code == "bad_npwp"
    with db.write() as s:
        rq.tick_document(
            s, request_id=req_id, user_id=staff.officer, kind="npwp", received=True, npwp="01.300.066.6-091.000", now=T0
        )
        assert rq.check_documents(s, request_id=req_id, user_id=staff.officer, now=T0).state == "checked"
    with db.read() as s:
        assert s.exec(select(Visitor.npwp).where(Visitor.id == rq.get_request(s, req_id).visitor_id)).one() == (
            "013000666091000"
        )


def test_an_npwp_on_record_is_enough_to_tick(db, staff, new_request):
    req_id = new_request("agreed", **PRIVATE)  # the NPWP typed at the kiosk, optional there, is on record
    with db.write() as s:
        doc = rq.tick_document(s, request_id=req_id, user_id=staff.officer, kind="npwp", received=True, now=T0)
        assert doc.received


@pytest.mark.parametrize("form", [{}, {"institution_category": "central_government"}])
def test_no_npwp_asked_of_other_buyers(db, staff, new_request, form):
    req_id = new_request("open", **form)
    with db.read() as s:
        assert "npwp" not in _kinds(s, req_id)
