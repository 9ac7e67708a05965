"""After a person's data is erased, no table and no file under the app's instance folder holds their name, e-mail
or phone, while every figure of the period's report and the PNBP sums are what they were."""

from __future__ import annotations

import dataclasses
import re

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from models import Invoice, Office, ProductRequest, Rating, Receipt, Ticket, Visitor
from rules import invoices, reports


def needles(person) -> list[bytes]:
    """The person's name, e-mail and phone, in the spellings a file or a row may hold them."""
    digits = re.sub(r"\D", "", person.phone)
    out = [person.name, person.email, person.phone, digits, "+62" + digits[1:], "62" + digits[1:]]
    out += [person.name.upper(), person.email.upper()]
    return [x.encode() for x in out]


def tables_holding(db, person) -> dict[str, list[str]]:
    """Every table's rows as text (every column), and which of the person's strings they hold."""
    found = {}
    with db.read() as s:
        for table in SQLModel.metadata.sorted_tables:
            for row in s.execute(sa.select(table)):
                text = " ".join("" if v is None else str(v) for v in row).encode()
                hits = [n.decode() for n in needles(person) if n.lower() in text.lower()]
                if hits:
                    found.setdefault(table.name, []).extend(hits)
    return found


def files_holding(root, person) -> dict[str, list[str]]:
    """Every file under the instance folder (the database and its log, slips, anything), read as bytes."""
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes().lower()
        hits = [n.decode() for n in needles(person) if n.lower() in data]
        if hits:
            found[str(path.relative_to(root))] = hits
    return found


def figures(app, supervisor) -> tuple:
    """Every figure of January's report (the rules' Report and the CSV the supervisor downloads) and its PNBP."""
    db = app.extensions["loket.db"]
    with db.read() as s:
        office = s.exec(select(Office)).one()
        period = reports.Period.month(2026, 1)
        report = dataclasses.asdict(reports.build_report(s, office, period))
        start, end = period.bounds(reports.ZoneInfo(office.timezone))
        pnbp = invoices.pnbp_summary(s, office.id, start, end)
    csv = supervisor.get("/supervisor/reports.csv?period=month&month=2026-01&lang=en")
    assert csv.status_code == 200
    return report, pnbp, csv.data


def test_after_erasure_nothing_names_the_person_and_the_figures_stay(app, db, instance, supervisor, make_person):
    erased = make_person(name="Yohana Situmorang", email="yohana.s@contoh.id", phone="081377770001")
    kept = make_person(name="Dimas Prasetyo", email="dimas.p@contoh.id", phone="081377770002", counter_number=2)
    # Staff read both (the access log), the supervisor exports one (a rights action naming her in its reason).
    assert supervisor.get(f"/api/privacy/people/{erased.visitor_id}?lang=en").status_code == 200
    assert supervisor.get(f"/api/privacy/people/{erased.visitor_id}/export.pdf").status_code == 200
    r = supervisor.post(
        f"/api/privacy/people/{erased.visitor_id}/correct",
        json={"institution_name": "CV Situmorang Data Nusantara", "reason": "Yohana Situmorang asked by phone"},
    )
    assert r.status_code == 200, r.get_json()

    # The scan sees the person before: in tables, in the database file, in the slips.
    assert {"visitor", "guestbookentry", "invoice", "printjob", "requestevent", "rating"} <= set(
        tables_holding(db, erased)
    )
    before_files = files_holding(instance, erased)
    assert any(f.startswith("prints/") for f in before_files) and any(f.startswith("loket.db") for f in before_files)
    before = figures(app, supervisor)
    assert before[1]["received"]["total"] > 0 and before[0]["ikm"]

    r = supervisor.post(
        f"/api/privacy/people/{erased.visitor_id}/erase",
        json={"reason": "Yohana Situmorang asked in writing (letter 12/2026)", "confirm": True},
    )
    assert r.status_code == 200, r.get_json()

    assert tables_holding(db, erased) == {}
    assert files_holding(instance, erased) == {}
    assert figures(app, supervisor) == before
    # The other visitor is untouched, in the tables and in the files.
    assert set(tables_holding(db, kept)) >= {"visitor", "guestbookentry", "invoice", "printjob"}
    assert any(f.startswith("prints/") for f in files_holding(instance, kept))

    with db.read() as s:
        v = s.get(Visitor, erased.visitor_id)
        assert v.erased_at is not None and (v.name, v.email, v.phone, v.npwp) == ("", "", "", "")
        assert (v.segment, v.institution_category) == ("private", "private")  # the reports' coarse profile
        # Finance rows stay, with their numbers, amounts and codes; the name on them went.
        inv, rec = s.get(Invoice, erased.invoice_id), s.get(Receipt, erased.receipt_id)
        assert inv.total == rec.total > 0 and inv.billing_code and '"name": ""' in inv.snapshot
        assert s.get(ProductRequest, erased.request_id).state == "closed"
        assert s.exec(select(Rating).where(Rating.request_id == erased.request_id)).one().comment == ""
        assert s.get(Ticket, erased.ticket_id).status_token.startswith("~")  # the status link is dead
    # The public check of the receipt still works, and names no one.
    html = supervisor.client.get(f"/verify/{rec.verify_token}?lang=en").get_data(as_text=True)
    assert rec.number in html and "Yohana" not in html
    # The record says who erased, when and why (the reason without her name), and what stayed.
    page = supervisor.get(f"/api/privacy/people/{erased.visitor_id}?lang=en").get_json()
    action = page["actions"][0]
    assert action["kind"] == "erase" and action["by"] == "Kepala Seksi PST"
    assert "Yohana" not in action["reason"] and "letter 12/2026" in action["reason"]
    assert {"invoice", "payment", "receipt"} <= set(action["detail"]["kept"]) and action["detail"][
        "files"
    ] == 4  # 3 slips, 1 upload


def test_erasure_waits_for_an_open_request_and_needs_a_reason_and_a_confirmation(db, supervisor, new_request):
    req_id = new_request("invoiced", name="Agus Salim")
    with db.read() as s:
        vid = s.get(ProductRequest, req_id).visitor_id
    url = f"/api/privacy/people/{vid}/erase?lang=en"
    r = supervisor.post(url, json={"reason": "asked at the counter", "confirm": True})
    assert r.status_code == 409 and r.get_json()["error"] == "erase_blocked"
    assert "still open" in r.get_json()["message"]
    page = supervisor.get(f"/privacy/people/{vid}?lang=en").get_data(as_text=True)
    assert "still open" in page and 'data-testid="pv-erase-form"' not in page
    with db.write() as s:
        from rules import requests as rq
        from tests.request_fixtures import Staff

        rq.cancel(s, request_id=req_id, user_id=Staff(db).officer, reason="visitor withdrew")
    short = supervisor.post(url, json={"reason": "why", "confirm": True}).get_json()
    assert short.get("fields") == {"reason": "Say why (at least 5 characters): whose request, how it came."}, short
    assert supervisor.post(url, json={"reason": "asked at the counter", "confirm": False}).status_code == 400
    assert supervisor.post(url, json={"reason": "asked at the counter", "confirm": True}).status_code == 200
    again = supervisor.post(url, json={"reason": "asked at the counter", "confirm": True})
    assert again.status_code == 409 and again.get_json()["error"] == "person_erased"


@pytest.mark.parametrize("username", ["petugas1", "bendahara", "admin"])
def test_only_the_supervisor_reaches_the_rights_screen(make_api, username):
    c = make_api()
    c.login(username)
    assert c.get("/api/privacy/people?q=ab").status_code == 403
    assert c.post("/api/privacy/people/1/erase", json={"reason": "xxxxx", "confirm": True}).status_code == 403
    assert c.get("/api/privacy/access-log").status_code == 403
    assert c.get("/privacy/").status_code == 302  # to the 'not allowed' page
    assert make_api().get("/api/privacy/people?q=ab").status_code == 401


def _leftovers(tmp_path, *, secure: bool) -> bytes:
    """Write, delete and rewrite marked rows; empty the log; the bytes of every file left."""
    from db import Database

    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with database.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
            conn.exec_driver_sql("INSERT INTO note (body) VALUES ('keep me'), ('Marker Rahasia 0812-9999-0000')")
            conn.exec_driver_sql("INSERT INTO note (body) VALUES ('Another Rahasia Kedua for the update')")
        with database.engine.begin() as conn:
            if not secure:  # the control: what a build without SQLite's secure_delete would leave
                conn.exec_driver_sql("PRAGMA secure_delete=OFF")
            conn.exec_driver_sql("DELETE FROM note WHERE body LIKE 'Marker%'")
            conn.exec_driver_sql("UPDATE note SET body = '' WHERE body LIKE 'Another%'")
        assert database.forget_freed()
        assert (tmp_path / "x.db-wal").stat().st_size == 0
        return b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    finally:
        database.dispose()


def test_the_database_file_keeps_no_copy_of_deleted_or_rewritten_text(tmp_path):
    """Every connection zeroes what a delete or an update frees (secure_delete; some SQLite builds do not by
    default), and forget_freed empties the write-ahead log: no erased value stays in free space."""
    (tmp_path / "on").mkdir()
    (tmp_path / "off").mkdir()
    data = _leftovers(tmp_path / "on", secure=True)
    assert b"keep me" in data and b"Rahasia" not in data
    assert b"Rahasia" in _leftovers(tmp_path / "off", secure=False)  # the check sees a leftover
