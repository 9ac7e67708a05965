"""The request's one state machine: every legal transition from every state, and every refused one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from models import Invoice, Payment, RequestEvent, RequestState
from rules import ikm
from rules import invoices as inv_rules
from rules import payments as pay_rules
from rules import requests as rq
from rules.errors import RuleError
from tests.request_fixtures import T0, advance, billing_code, ntpn

LATER = T0 + timedelta(hours=2)
STATES = [s.value for s in RequestState]


def _inv(s, r):
    return rq.active_invoice(s, r).id


def _recorded(s, r, staff):
    return pay_rules.record_payment(s, request_id=r, user_id=staff.officer, ntpn=ntpn(), paid_at=LATER, now=LATER).id


def _settle_then(step):
    def run(s, r, staff):
        req = rq.get_request(s, r)
        if not rq.settled(s, req):
            pay_rules.record_and_confirm(
                s, request_id=r, user_id=staff.treasurer, ntpn=ntpn(), paid_at=LATER, now=LATER
            )
            pay_rules.issue_receipt(s, request_id=r, user_id=staff.treasurer, now=LATER)
        if req.sppd_signed_at is None:
            rq.sign_sppd(s, request_id=r, user_id=staff.officer, now=LATER)
        return step(s, r, staff)

    return run


def _zero_then_clear(s, r, staff):
    rq.set_zero_tariff(s, request_id=r, user_id=staff.officer, use="research_development", now=LATER)
    return rq.clear_zero_tariff(s, request_id=r, user_id=staff.officer, now=LATER)


def _ticked_then_check(s, r, staff):
    rq.tick_document(s, request_id=r, user_id=staff.officer, kind="abstract", received=True, now=LATER)
    return rq.check_documents(s, request_id=r, user_id=staff.officer, now=LATER)


# How to take each step (with whatever it needs first, itself a legal step).
STEPS = {
    "add_line": lambda s, r, st: rq.add_line(
        s, request_id=r, user_id=st.officer, item_code="publication", measure=120, now=LATER
    ),
    "remove_line": lambda s, r, st: rq.remove_line(
        s, request_id=r, line_id=rq.lines(s, r)[0].id, user_id=st.officer, now=LATER
    ),
    "set_zero_tariff": lambda s, r, st: rq.set_zero_tariff(
        s, request_id=r, user_id=st.officer, use="research_development", now=LATER
    ),
    "clear_zero_tariff": _zero_then_clear,
    "tick_document": lambda s, r, st: rq.tick_document(
        s, request_id=r, user_id=st.officer, kind="abstract", received=True, now=LATER
    ),
    "agree": lambda s, r, st: rq.agree(s, request_id=r, user_id=st.officer, now=LATER),
    "check_documents": _ticked_then_check,
    "issue_invoice": lambda s, r, st: inv_rules.issue_invoice(
        s, request_id=r, user_id=st.officer, billing_code=billing_code(), now=LATER
    ),
    "replace_invoice": lambda s, r, st: inv_rules.replace_invoice(
        s, request_id=r, user_id=st.officer, billing_code=billing_code(), now=LATER
    ),
    "hand_over_sample": lambda s, r, st: rq.hand_over_sample(s, request_id=r, user_id=st.officer, now=LATER),
    "sign_sppd": lambda s, r, st: rq.sign_sppd(s, request_id=r, user_id=st.officer, now=LATER),
    "record_payment": _recorded,
    "confirm_payment": lambda s, r, st: pay_rules.confirm_payment(
        s, payment_id=_recorded(s, r, st), user_id=st.treasurer, now=LATER
    ),
    "reject_payment": lambda s, r, st: pay_rules.reject_payment(
        s, payment_id=_recorded(s, r, st), user_id=st.treasurer, reason="NTPN not in SIMPONI", now=LATER
    ),
    "issue_receipt": lambda s, r, st: pay_rules.issue_receipt(
        s,
        invoice_id=pay_rules.record_and_confirm(
            s, request_id=r, user_id=st.treasurer, ntpn=ntpn(), paid_at=LATER, now=LATER
        ).invoice_id,
        user_id=st.treasurer,
        now=LATER,
    ),
    "start_preparing": lambda s, r, st: rq.start_preparing(s, request_id=r, user_id=st.officer, now=LATER),
    "mark_ready": lambda s, r, st: rq.mark_ready(s, request_id=r, user_id=st.officer, now=LATER),
    "deliver": _settle_then(
        lambda s, r, st: rq.deliver(s, request_id=r, user_id=st.officer, download_ref="DL-1", now=LATER)
    ),
    "close": lambda s, r, st: rq.close(s, request_id=r, user_id=st.officer, now=LATER),
    "request_correction": lambda s, r, st: rq.request_correction(
        s, request_id=r, text="the file is truncated", by_visitor=True, now=LATER
    ),
    "resolve_correction": lambda s, r, st: rq.resolve_correction(
        s, request_id=r, user_id=st.officer, result="file sent again", now=LATER
    ),
    "rate": lambda s, r, st: ikm.rate(
        s, rating_token=rq.get_request(s, r).rating_token, scores=dict.fromkeys(ikm.CODES, 4), now=LATER
    ),
    "revise": lambda s, r, st: rq.revise(s, request_id=r, user_id=st.officer, reason="wants another year", now=LATER),
    "cancel": lambda s, r, st: rq.cancel(s, request_id=r, user_id=st.officer, reason="no longer needed", now=LATER),
    "set_shipping": lambda s, r, st: rq.set_shipping(
        s, request_id=r, user_id=st.officer, fee=25_000, note="printed copy by post to Palembang", now=LATER
    ),
}
# Steps of requests made outside the counter (no ticket; files uploaded): tests/rules/requests/test_online.py.
ONLINE_STEPS = {"submit_online", "enter_request", "confirm_email", "mark_clear", "upload", "record_transfer"}
ONLINE_STEPS |= {"verify_transfer"}
# Steps whose guard needs a Rp 0 request in that state (a paid request must be invoiced first).
ZERO_ONLY = {("start_preparing", "checked")}


def test_every_step_has_a_way_to_take_it():
    steps = {n for n, t in rq.TRANSITIONS.items() if t.who != "system" and n != "open"}
    assert set(STEPS) == steps - ONLINE_STEPS


def _try(db, req_id, name, staff):
    """Take one step in a transaction that is rolled back; return the state after it."""
    with Session(db.write_engine, expire_on_commit=False) as s:
        try:
            STEPS[name](s, req_id, staff)
            s.flush()
            return rq.get_request(s, req_id).state, [e.kind for e in rq.history(s, req_id)][-1]
        finally:
            s.rollback()


@pytest.mark.parametrize("state", STATES)
def test_each_legal_transition(db, staff, new_request, state):
    legal = [n for n, t in rq.TRANSITIONS.items() if state in t.sources and t.who != "system" and n in STEPS]
    paid_req = new_request(state)
    zero_req = new_request(state, zero=True) if any((n, state) in ZERO_ONLY for n in legal) else None
    for name in legal:
        t = rq.TRANSITIONS[name]
        req_id = zero_req if (name, state) in ZERO_ONLY else paid_req
        after, last_event = _try(db, req_id, name, staff)
        assert after == (t.target or state), (name, state, after)
        assert last_event == name


@pytest.mark.parametrize("state", STATES)
def test_each_refused_transition_says_why(db, staff, new_request, state):
    req_id = new_request(state)
    refused = [n for n, t in rq.TRANSITIONS.items() if state not in t.sources and n in STEPS]
    assert refused
    with db.read() as s:
        number = rq.get_request(s, req_id).number
        events_before = len(rq.history(s, req_id))
    for name in refused:
        with pytest.raises(RuleError) as e:
            _try(db, req_id, name, staff)
        err = e.value
        if err.code in ("not_allowed", "not_allowed_final"):
            assert err.params["number"] == number
            assert err.params["state"] == rq.STATE_WORDS[state]
            if err.code == "not_allowed":
                assert str(err.params["allowed"])  # names the states the step is possible from
                # the step itself, or the step it needs first (e.g. recording a payment before confirming it)
                assert err.params["action"] in {t.label for t in rq.TRANSITIONS.values()}
        else:
            # A preparatory step was refused first (e.g. no invoice to pay): still a refusal with a reason.
            assert err.message and err.status in (400, 404, 409), (name, state, err.code)
    with db.read() as s:
        assert len(rq.history(s, req_id)) == events_before  # nothing was recorded
        assert rq.get_request(s, req_id).state == state


def test_refusal_message_names_the_allowed_states(db, staff, new_request):
    req_id = new_request("open")
    with db.write() as s, pytest.raises(RuleError) as e:
        inv_rules.issue_invoice(s, request_id=req_id, user_id=staff.officer, billing_code=billing_code(), now=LATER)
    assert str(e.value).endswith("is open for changes; to issue the invoice it must be documents checked.")
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.deliver(s, request_id=new_request("cancelled"), user_id=staff.officer, download_ref="x", now=LATER)
    assert e.value.code == "not_allowed_final" and "cancelled; nothing more can be done" in str(e.value)


def test_every_step_is_recorded_with_who_when_and_what(db, staff, new_request):
    req_id = new_request("closed")
    with db.read() as s:
        events = s.exec(select(RequestEvent).where(RequestEvent.request_id == req_id).order_by(RequestEvent.id)).all()
    kinds = [e.kind for e in events]
    assert kinds[:3] == ["open", "add_line", "agree"]
    for k in (
        "tick_document",
        "check_documents",
        "issue_invoice",
        "start_preparing",
        "mark_ready",
        "record_payment",
        "confirm_payment",
        "issue_receipt",
        "sign_sppd",
        "deliver",
        "close",
    ):
        assert k in kinds
    users = {e.kind: e.user_id for e in events}
    assert users["issue_invoice"] == staff.officer and users["issue_receipt"] == staff.treasurer
    assert all(e.at is not None and e.at.tzinfo is not None for e in events)
    transitions = [(e.kind, e.from_state, e.to_state) for e in events if e.from_state != e.to_state]
    assert transitions == [
        ("agree", "open", "agreed"),
        ("check_documents", "agreed", "checked"),
        ("issue_invoice", "checked", "invoiced"),
        ("start_preparing", "invoiced", "preparing"),
        ("mark_ready", "preparing", "ready"),
        ("deliver", "ready", "delivered"),
        ("close", "delivered", "closed"),
    ]
    issued = next(e for e in events if e.kind == "issue_invoice")
    assert '"billing_code": "82026' in issued.detail and '"invoice": "INV/1600/2026/' in issued.detail


def test_roles_officer_steps_are_refused_to_the_treasurer_and_vice_versa(db, staff, new_request):
    req_id = new_request("open")
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.agree(s, request_id=req_id, user_id=staff.treasurer, now=LATER)
    assert e.value.status == 403 and e.value.message.startswith("Only a counter officer")
    inv_req = new_request("invoiced")
    with db.write() as s:
        pay = _recorded(s, inv_req, staff)  # the officer may record what the visitor shows
    for officer in (staff.officer, staff.supervisor, staff.admin):
        with db.write() as s, pytest.raises(RuleError) as e:
            pay_rules.confirm_payment(s, payment_id=pay, user_id=officer, now=LATER)
        assert e.value.status == 403 and e.value.message.startswith("Only the treasurer")
    with db.write() as s:
        pay_rules.confirm_payment(s, payment_id=pay, user_id=staff.treasurer, now=LATER)
    with db.write() as s, pytest.raises(RuleError) as e:
        pay_rules.issue_receipt(s, invoice_id=_inv(s, inv_req), user_id=staff.officer, now=LATER)
    assert e.value.status == 403
    with db.write() as s:
        rec = pay_rules.issue_receipt(s, invoice_id=_inv(s, inv_req), user_id=staff.treasurer, now=LATER)
    assert rec.number == "KW/1600/2026/00001"


def test_rating_only_by_the_visitor_link(db, staff, new_request):
    req_id = new_request("delivered")
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.require(rq.get_request(s, req_id), "rate", user=rq.get_user(s, staff.officer))
    assert e.value.status == 403


# ---- guards inside legal states ------------------------------------------------------------------


def test_agreement_needs_a_product(db, staff, served):
    ticket = served()
    with db.write() as s:
        req = rq.open_request(s, ticket_id=ticket.id, user_id=staff.officer, now=T0)
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.agree(s, request_id=req.id, user_id=staff.officer, now=T0)
    assert e.value.code == "no_lines"


def test_open_request_needs_a_ticket_being_served_with_a_guest_book(db, staff, served):
    from tests import factories

    ticket = served()
    with db.write() as s:
        bare = factories.ticket(s, now=T0)  # no guest book, waiting
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.open_request(s, ticket_id=bare.id, user_id=staff.officer, now=T0)
    assert e.value.code == "ticket_not_served"
    with db.write() as s:
        first = rq.open_request(s, ticket_id=ticket.id, user_id=staff.officer, now=T0)
    assert first.number == "PST/1600/2026/00001" and first.segment == "education"
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.open_request(s, ticket_id=ticket.id, user_id=staff.officer, now=T0)
    assert e.value.code == "request_exists"
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.open_request(s, ticket_id=ticket.id, user_id=staff.treasurer, now=T0)
    assert e.value.status == 403


def test_documents_checklist_follows_the_products_and_the_buyer(db, staff, new_request):
    from tests.request_fixtures import PRIVATE

    pub = new_request("open", item="publication", measure=120)
    micro = new_request("open")
    private_map = new_request("open", item="map_kabkota_desa", measure=None, quantity=2, **PRIVATE)
    zero = new_request("open", zero=True)
    with db.read() as s:
        kinds = {
            k: [d["kind"] for d in rq.checklist(s, rq.get_request(s, r))]
            for k, r in (("pub", pub), ("micro", micro), ("map", private_map), ("zero", zero))
        }
    assert kinds == {
        "pub": [],
        "micro": ["abstract", "sppd"],
        "map": ["abstract", "sppd", "npwp"],
        "zero": ["abstract", "sppd", "request_letter"],
    }


def test_check_refused_until_the_documents_are_in_with_notes(db, staff, new_request):
    from tests.request_fixtures import PRIVATE

    req_id = new_request("agreed", item="map_kabkota_desa", measure=None, **PRIVATE)
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.check_documents(s, request_id=req_id, user_id=staff.officer, now=LATER)
    assert e.value.code == "documents_missing"
    assert str(e.value.params["missing"]) == "data-use abstract, NPWP"
    with db.write() as s:
        rq.tick_document(
            s,
            request_id=req_id,
            user_id=staff.officer,
            kind="abstract",
            received=False,
            note="abstract not signed by the supervisor",
            now=LATER,
        )
        rq.tick_document(
            s, request_id=req_id, user_id=staff.officer, kind="npwp", received=True, npwp="0013000666091000", now=LATER
        )
    with db.read() as s:
        items = {d["kind"]: d for d in rq.checklist(s, rq.get_request(s, req_id))}
        assert (
            items["abstract"]["note"] == "abstract not signed by the supervisor" and not items["abstract"]["received"]
        )
        assert items["npwp"]["received"]
        assert all("0013000666091000" not in e.detail for e in rq.history(s, req_id))  # no NPWP in the history
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.check_documents(s, request_id=req_id, user_id=staff.officer, now=LATER)
    assert str(e.value.params["missing"]) == "data-use abstract"
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.tick_document(s, request_id=req_id, user_id=staff.officer, kind="npwp", received=True, npwp="123", now=LATER)
    assert e.value.code == "bad_npwp"
    with db.write() as s:
        rq.tick_document(s, request_id=req_id, user_id=staff.officer, kind="abstract", received=True, now=LATER)
        assert rq.check_documents(s, request_id=req_id, user_id=staff.officer, now=LATER).state == "checked"


def test_zero_tariff_path_needs_the_request_letter_and_no_invoice(db, staff, new_request):
    req_id = new_request("agreed", zero=True)
    with db.read() as s:
        req = rq.get_request(s, req_id)
        assert req.total == 0 and req.zero_tariff
        assert req.zero_tariff_basis.startswith(
            "PP 13/2024 Pasal 4; segment education; non-commercial use "
            "research_development; request letter B-123/UNSRI/2026"
        )
        assert rq.lines(s, req_id)[0].amount == 0
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.tick_document(s, request_id=req_id, user_id=staff.officer, kind="abstract", received=True, now=LATER)
        rq.check_documents(s, request_id=req_id, user_id=staff.officer, now=LATER)
    assert str(e.value.params["missing"]) == "request letter"
    with db.write() as s:
        for kind in ("abstract", "request_letter"):
            rq.tick_document(s, request_id=req_id, user_id=staff.officer, kind=kind, received=True, now=LATER)
        rq.check_documents(s, request_id=req_id, user_id=staff.officer, now=LATER)
    with db.write() as s, pytest.raises(RuleError) as e:
        inv_rules.issue_invoice(s, request_id=req_id, user_id=staff.officer, billing_code=billing_code(), now=LATER)
    assert e.value.code == "nothing_to_pay"
    with db.write() as s:
        rq.start_preparing(s, request_id=req_id, user_id=staff.officer, now=LATER)
        rq.mark_ready(s, request_id=req_id, user_id=staff.officer, now=LATER)
        with pytest.raises(RuleError) as e:
            rq.deliver(s, request_id=req_id, user_id=staff.officer, download_ref="DL", now=LATER)
        assert e.value.code == "sppd_missing"
        rq.sign_sppd(s, request_id=req_id, user_id=staff.officer, now=LATER)
        assert (
            rq.deliver(s, request_id=req_id, user_id=staff.officer, download_ref="DL", now=LATER).state == "delivered"
        )


def test_zero_tariff_refused_for_a_private_buyer(db, staff, new_request):
    from tests.request_fixtures import PRIVATE

    req_id = new_request("open", **PRIVATE)
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.set_zero_tariff(s, request_id=req_id, user_id=staff.officer, use="research_development", now=LATER)
    assert e.value.code == "zero_tariff_segment"


def test_zero_tariff_refused_when_the_guest_book_says_business(db, staff, new_request):
    req_id = new_request(
        "open", institution_category="regional_government", institution_name="Bappeda Sumsel", purpose="business"
    )
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.set_zero_tariff(s, request_id=req_id, user_id=staff.officer, use="government_duties", now=LATER)
    assert e.value.code == "zero_tariff_commercial"


def test_paid_product_not_prepared_before_invoice_and_not_delivered_before_receipt(db, staff, new_request):
    checked = new_request("checked")
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.start_preparing(s, request_id=checked, user_id=staff.officer, now=LATER)
    assert e.value.code == "invoice_first"
    ready = new_request("ready")
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.deliver(s, request_id=ready, user_id=staff.officer, download_ref="DL", now=LATER)
    assert e.value.code == "not_paid"
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.deliver(s, request_id=ready, user_id=staff.officer, download_ref="  ", now=LATER)
    assert e.value.code == "no_download_ref"


def test_sample_only_for_microdata_and_only_once(db, staff, new_request):
    pub = new_request("invoiced", item="publication", measure=120)
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.hand_over_sample(s, request_id=pub, user_id=staff.officer, now=LATER)
    assert e.value.code == "no_microdata"
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.sign_sppd(s, request_id=pub, user_id=staff.officer, now=LATER)
    assert e.value.code == "no_sppd"
    micro = new_request("invoiced")
    with db.write() as s:
        rq.hand_over_sample(s, request_id=micro, user_id=staff.officer, note="first 100 rows", now=LATER)
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.hand_over_sample(s, request_id=micro, user_id=staff.officer, now=LATER)
    assert e.value.code == "sample_done"
    with db.read() as s:
        req = rq.get_request(s, micro)
        assert req.sample_handed_at == LATER and req.sppd_prepared_at is not None


def test_revise_before_payment_cancels_the_invoice_and_asks_for_agreement_again(db, staff, new_request):
    req_id = new_request("invoiced")
    with db.write() as s:
        rq.revise(s, request_id=req_id, user_id=staff.officer, reason="add the 2024 dataset", now=LATER)
        inv = s.exec(select(Invoice).where(Invoice.request_id == req_id)).one()
        req = rq.get_request(s, req_id)
    assert inv.status == "cancelled" and inv.close_reason == "revised: add the 2024 dataset"
    assert req.state == "open" and req.terms_agreed_at is None and req.documents_checked_at is None
    with db.write() as s:
        rq.add_line(
            s, request_id=req_id, user_id=staff.officer, item_code="microdata_raw", measure=1_000_000, now=LATER
        )
        req = advance(s, req_id, staff, "invoiced", now=LATER)
        assert req.total == 50_020 + 20_000
        assert rq.active_invoice(s, req_id).total == 70_020


def test_no_revise_or_cancel_once_paid(db, staff, new_request):
    req_id = new_request("invoiced")
    with db.write() as s:
        pay = _recorded(s, req_id, staff)
    for fn in (rq.revise, rq.cancel):
        with db.write() as s, pytest.raises(RuleError) as e:
            fn(s, request_id=req_id, user_id=staff.officer, reason="changed", now=LATER)
        assert e.value.code == "payment_pending"
    with db.write() as s:
        pay_rules.confirm_payment(s, payment_id=pay, user_id=staff.treasurer, now=LATER)
    with db.write() as s, pytest.raises(RuleError) as e:
        rq.cancel(s, request_id=req_id, user_id=staff.officer, reason="changed", now=LATER)
    assert e.value.code == "already_paid"


def test_correction_reopens_and_closes_again(db, staff, new_request):
    req_id = new_request("closed")
    with db.write() as s:
        rq.request_correction(
            s, request_id=req_id, text="the kuitansi has a typo in my name", by_visitor=True, now=LATER
        )
        assert rq.get_request(s, req_id).state == "correcting" and rq.get_request(s, req_id).closed_at is None
        rq.resolve_correction(
            s,
            request_id=req_id,
            user_id=staff.officer,
            result="name corrected, file re-sent",
            download_ref="https://pst.example/dl/v2",
            now=LATER + timedelta(hours=1),
        )
        req = rq.get_request(s, req_id)
    assert req.state == "closed" and req.download_ref == "https://pst.example/dl/v2"
    assert req.closed_at == LATER + timedelta(hours=1)
    with db.write() as s:  # and may be reopened again
        assert (
            rq.request_correction(
                s, request_id=req_id, user_id=staff.officer, text="still wrong", now=LATER + timedelta(days=1)
            ).state
            == "correcting"
        )


def test_visitor_history_hides_internal_steps_and_staff(db, staff, new_request):
    req_id = new_request("delivered")
    with db.read() as s:
        h = rq.visitor_history(s, req_id)
    kinds = [e["kind"] for e in h]
    assert "add_line" not in kinds and "tick_document" not in kinds
    assert kinds[0] == "open" and kinds[-1] == "deliver"
    invoice = next(e for e in h if e["kind"] == "issue_invoice")
    assert invoice["label"] == "Invoice issued" and invoice["invoice"].startswith("INV/1600/2026/")
    assert next(e for e in h if e["kind"] == "issue_receipt")["receipt"].startswith("KW/1600/2026/")
    assert all("user_id" not in e and "ntpn" not in e and "billing_code" not in e for e in h)


def test_find_a_request_by_name_email_invoice_number_or_billing_code(db, staff, new_request):
    req_id = new_request("invoiced", name="Rahmawati Siregar", email="rahma.siregar@unsri.ac.id")
    other = new_request("open", name="Budi Hartono")
    with db.read() as s:
        req = rq.get_request(s, req_id)
        inv = rq.active_invoice(s, req_id)
        office = req.office_id
        for q in (
            "rahmawati",
            "SIREGAR",
            "rahma.siregar@unsri",
            inv.number,
            inv.number.lower(),
            inv.billing_code,
            inv.billing_code[:5] + " " + inv.billing_code[5:],
            req.number,
        ):
            found = [r.id for r in rq.find(s, office_id=office, q=q)]
            assert found == [req_id], q
        assert [r.id for r in rq.find(s, office_id=office, q="budi")] == [other]
        assert rq.find(s, office_id=office, q="x") == []


def test_numbers_are_unique_per_office_and_year(db, staff, new_request):
    a, b = new_request("invoiced"), new_request("invoiced")
    with db.read() as s:
        numbers = [rq.active_invoice(s, r).number for r in (a, b)]
    assert numbers == ["INV/1600/2026/00001", "INV/1600/2026/00002"]
    with db.write() as s:  # a new year starts again at 1 (office-local new year)
        c = rq.get_request(s, new_request("checked"))
        from datetime import UTC, datetime

        new_year = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 1 January 2027, 00:00 WIB
        inv = inv_rules.issue_invoice(
            s, request_id=c.id, user_id=staff.officer, billing_code=billing_code(), now=new_year
        )
    assert inv.number == "INV/1600/2027/00001" and inv.year == 2027


def test_payments_table_never_holds_two_live_payments_for_one_invoice(db, staff, new_request):
    req_id = new_request("invoiced")
    with db.write() as s:
        _recorded(s, req_id, staff)
    with db.write() as s, pytest.raises(RuleError) as e:
        _recorded(s, req_id, staff)
    assert e.value.code == "already_paid"
    with db.read() as s:
        assert len(s.exec(select(Payment).where(Payment.request_id == req_id)).all()) == 1
