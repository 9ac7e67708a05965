"""Every table is classified (about a visitor, or not and why), and a person's export holds every row about them
from every table: the test walks the models, so a new table that is not classified (or not exported) fails."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlmodel import SQLModel, select

import models
from rules import personal_data as pd
from rules.personal_registry import REGISTRY, About, NotPersonal, ids_of, unclassified


def test_every_table_of_the_models_is_classified():
    missing = unclassified(SQLModel.metadata)
    assert missing == [], (
        "tables not classified in rules/personal_registry.py REGISTRY: "
        + ", ".join(missing)
        + ". Add each as `about(N_(title), rows_of(Model, lambda i: ...), erase=..., kept=...)` when its rows can "
        "be about a visitor, else `not_personal('why, in one line')`."
    )
    gone = sorted(set(REGISTRY) - set(SQLModel.metadata.tables))
    assert gone == [], f"REGISTRY names tables that no longer exist: {gone}"
    assert all(isinstance(e, About | NotPersonal) for e in REGISTRY.values())
    assert all(e.reason.strip() for e in REGISTRY.values() if isinstance(e, NotPersonal))


def test_a_new_table_would_fail_the_check():
    meta = sa.MetaData()
    for table in SQLModel.metadata.tables.values():
        table.to_metadata(meta)
    sa.Table("uploadedfile", meta, sa.Column("id", sa.Integer, primary_key=True))
    assert unclassified(meta) == ["uploadedfile"]


def _all_rows(s, table: str) -> set[int]:
    t = SQLModel.metadata.tables[table]
    return set(s.execute(sa.select(t.c.id)).scalars())


def test_the_export_holds_every_row_about_the_person_from_every_table(app, db, supervisor, make_api, make_person):
    """Two people with a row in every table about visitors. Walking the registry's tables: every row of each
    belongs to exactly one of them, and a person's export holds exactly their rows, every column of each."""
    a = make_person(name="Yohana Situmorang", email="yohana.s@contoh.id", phone="081377770001")
    b = make_person(name="Dimas Prasetyo", email="dimas.p@contoh.id", phone="081377770002", counter_number=2)
    officer = make_api()
    officer.login("petugas1")
    for p in (a, b):  # a staff read of each (the access log), and a rights action (an export)
        assert officer.get(f"/api/requests/{p.request_id}").status_code == 200
        assert supervisor.get(f"/api/privacy/people/{p.visitor_id}/export.json").status_code == 200

    personal = [t for t, e in REGISTRY.items() if isinstance(e, About)]
    mine: dict[str, dict[int, set[int]]] = {}
    with db.read() as s:
        found = {p.visitor_id: ids_of(s, p.visitor_id) for p in (a, b)}
        for table in personal:
            entry = REGISTRY[table]
            rows = {p: {r.id for r in entry.rows(s, found[p])} for p in found}
            assert rows[a.visitor_id], f"{table}: the scenario left no row about the person; extend full_person"
            assert rows[a.visitor_id].isdisjoint(rows[b.visitor_id]), table
            # Every row of the table is about one of the two (the only visitors): the finder misses none.
            assert rows[a.visitor_id] | rows[b.visitor_id] == _all_rows(s, table), table
            mine[table] = rows

    exports = {}
    for p in (a, b):  # (each export records itself after it is made: it holds the rows as they were)
        r = supervisor.get(f"/api/privacy/people/{p.visitor_id}/export.json")
        assert r.status_code == 200 and r.mimetype == "application/json"
        exports[p.visitor_id] = json.loads(r.data)
    for p in exports:
        assert set(exports[p]["tables"]) == set(personal)
        for table in personal:
            columns = {c.key for c in SQLModel.metadata.tables[table].columns}
            rows = exports[p]["tables"][table]
            assert {r["id"] for r in rows} == mine[table][p], table
            assert all(set(r) == columns for r in rows), table
    # The files: each person's three slips and their upload, listed in their export and only there.
    for p in (a, b):
        names = [f["name"] for f in exports[p.visitor_id]["files"]]
        assert len(names) == 4 and sum(n.endswith(".escpos") for n in names) == 3
        assert sum(n.endswith(".pdf") for n in names) == 1
    assert not {f["name"] for f in exports[a.visitor_id]["files"]} & {f["name"] for f in exports[b.visitor_id]["files"]}
    # Link tokens are credentials, not data: hidden.
    assert exports[a.visitor_id]["tables"]["ticket"][0]["status_token"] == "(hidden)"


def test_the_pdf_export_is_readable_and_holds_the_same_rows(supervisor, make_person, db):
    import io

    from pypdf import PdfReader

    a = make_person(name="Yohana Situmorang", email="yohana.s@contoh.id", phone="081377770001")
    r = supervisor.get(f"/api/privacy/people/{a.visitor_id}/export.pdf?lang=en")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    with db.read() as s:
        _ids, held = pd.holdings(s, a.visitor_id)
        numbers = [s.get(models.Invoice, a.invoice_id).number, s.get(models.Receipt, a.receipt_id).number]
    assert f"Personal data held about person #{a.visitor_id}" in text
    for h in held:  # every table's title with its count of rows
        assert f"({len(h.rows)})" in text
    for expected in ("Yohana Situmorang", "yohana.s@contoh.id", "081377770001", *numbers, "Invoices", "Receipts"):
        assert expected in text, expected
    assert "Kept: state-finance rules" in text
    with db.read() as s:
        kinds = s.exec(select(models.PrivacyAction.kind).where(models.PrivacyAction.visitor_id == a.visitor_id)).all()
    assert kinds == ["export"]
