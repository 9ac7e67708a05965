"""Staff reads of personal data are recorded (who, when, what, about whom; no data, no search text), a screen that
refreshes itself counts once per 10 minutes, and the supervisor can list who looked at whom."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

import clock
from models import AccessLog, Invoice, ProductRequest, Receipt, User


def _log(db) -> list[tuple]:
    with db.read() as s:
        users = {u.id: u.username for u in s.exec(select(User))}
        rows = s.exec(select(AccessLog).order_by(AccessLog.id)).all()
        return [(users[a.user_id], a.kind, a.visitor_id, a.ref) for a in rows]


def test_staff_reads_are_recorded_once_per_screen_refresh(db, make_api, supervisor, new_request):
    req_id = new_request("delivered", name="Rahmawati Siregar", email="rahma@unsri.ac.id")
    other = new_request("open", name="Rahmat Hidayat")
    with db.read() as s:
        req, req2 = s.get(ProductRequest, req_id), s.get(ProductRequest, other)
        vid, vid2 = req.visitor_id, req2.visitor_id
        inv = s.exec(select(Invoice).where(Invoice.request_id == req_id)).one()
        rec = s.exec(select(Receipt).where(Receipt.request_id == req_id)).one()
    officer, treasurer = make_api(), make_api()
    officer.login("petugas1")
    treasurer.login("bendahara")
    assert _log(db) == []

    assert officer.get(f"/api/requests/{req_id}").status_code == 200
    assert officer.get(f"/api/requests/{req_id}").status_code == 200  # the panel refreshing: no second row
    assert officer.get("/api/requests?q=rahma").status_code == 200  # finds both: one row per person found
    assert officer.get(f"/api/tickets/{req.ticket_id}/requests").status_code == 200
    assert treasurer.get(f"/api/invoices/{inv.id}/pdf").status_code == 200
    assert treasurer.get(f"/api/receipts/{rec.id}/pdf").status_code == 200
    assert treasurer.get("/api/treasurer/queue").status_code == 200
    assert supervisor.get(f"/api/privacy/people/{vid}").status_code == 200
    assert _log(db) == [
        ("petugas1", "request", vid, f"request:{req_id}"),
        ("petugas1", "search", vid, ""),
        ("petugas1", "search", vid2, ""),
        ("petugas1", "ticket_requests", vid, f"ticket:{req.ticket_id}"),
        ("bendahara", "pdf", vid, f"invoice:{inv.id}"),
        ("bendahara", "pdf", vid, f"receipt:{rec.id}"),
        ("pengawas", "person", vid, f"person:{vid}"),
    ]  # (the treasurer's lists held no one: the delivered request is paid and receipted)
    # Ten minutes on, the same read is a new row.
    clock.set_offset(timedelta(minutes=11))
    assert officer.get(f"/api/requests/{req_id}").status_code == 200
    assert _log(db)[-1] == ("petugas1", "request", vid, f"request:{req_id}")
    assert len(_log(db)) == 8
    # No row carries what was read or searched for.
    with db.read() as s:
        for a in s.exec(select(AccessLog)):
            assert "rahma" not in (a.ref + a.kind).lower()


def test_the_supervisor_lists_who_looked_at_whom(db, make_api, supervisor, new_request):
    from rules import payments
    from tests.request_fixtures import T0, Staff, ntpn

    req_id = new_request("invoiced", name="Rahmawati Siregar")
    with db.write() as s:
        vid = s.get(ProductRequest, req_id).visitor_id
        # A payment waits for the treasurer: the buyer is on the treasurer's list.
        payments.record_payment(s, user_id=Staff(db).officer, ntpn=ntpn(), paid_at=T0, request_id=req_id, now=T0)
    for username in ("petugas1", "petugas2"):
        c = make_api()
        c.login(username)
        assert c.get(f"/api/requests/{req_id}").status_code == 200
    treasurer = make_api()
    treasurer.login("bendahara")
    assert treasurer.get("/api/treasurer/queue").status_code == 200

    entries = supervisor.get(f"/api/privacy/access-log?visitor_id={vid}&lang=en").get_json()["entries"]
    assert [(e["username"], e["kind"]) for e in entries] == [
        ("bendahara", "treasurer_list"),
        ("petugas2", "request"),
        ("petugas1", "request"),
    ]
    assert entries[-1]["person"] == "Rahmawati S." and entries[-1]["kind_label"] == "request details"
    with db.read() as s:
        officer2 = s.exec(select(User).where(User.username == "petugas2")).one().id
    only = supervisor.get(f"/api/privacy/access-log?user_id={officer2}").get_json()["entries"]
    assert [(e["username"], e["visitor_id"]) for e in only] == [("petugas2", vid)]
    page = supervisor.get(f"/privacy/access?visitor_id={vid}&lang=en").get_data(as_text=True)
    assert page.count("<tr>") == 4 and "Petugas Dua" in page and "treasurer&#39;s lists" in page
    # Reading the access log is the supervisor's alone.
    officer = make_api()
    officer.login("petugas1")
    assert officer.get("/api/privacy/access-log").status_code == 403
