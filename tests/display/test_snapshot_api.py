"""The public queue snapshot (wall displays, anyone on the network) carries codes, never a person."""

from __future__ import annotations

import json
import re

from tests.factories import TICKETS_URL, guest_form

PEOPLE = [
    dict(
        name="Zulkarnain Wibisono",
        email="zulkarnain.w@contoh.id",
        phone="0813-9988-7766",
        institution_category="private",
        institution_name="CV Sinar Jaya Abadi",
        npwp="01.312.166.0-091.000",
    ),
    dict(
        name="Ratnasari Kusumawardani",
        email="ratna.kusuma@contoh.id",
        phone="+62 857 1122 3344",
        priority_reason="pregnant",
    ),
    dict(
        name="Bambang Prasetyo",
        email="bambang77@contoh.id",
        phone="081377665544",
        birth_year=1951,
        priority_reason="elderly",
        service="konsultasi",
    ),
]


def identifying_strings(p: dict) -> list[str]:
    out = [p["name"], *p["name"].split(), p["email"], p["email"].split("@")[0]]
    digits = re.sub(r"\D", "", p["phone"])
    out += [digits, digits[-8:], "0" + digits[2:] if digits.startswith("62") else digits]
    if p.get("institution_name"):
        out.append(p["institution_name"])
    if p.get("npwp"):
        out += [p["npwp"], re.sub(r"\D", "", p["npwp"])]
    return out


def test_public_snapshot_contains_no_personal_data(api, make_api, ids):
    tokens = []
    for p in PEOPLE:
        p = dict(p)
        service = ids.service[p.pop("service", "penjualan")]
        r = api.post(TICKETS_URL, json=guest_form(service, **p))
        assert r.status_code == 201, r.get_json()
        tokens.append(r.get_json()["status_token"])
    officer = make_api()
    officer.login("petugas1")
    officer.post(f"/api/counters/{ids.counter[1]}/open")
    called = officer.post(f"/api/counters/{ids.counter[1]}/call-next").get_json()["ticket"]
    assert called["visitor"]["name"] in {p["name"] for p in PEOPLE}  # the officer does see who it is

    r = make_api().get("/api/offices/1600/queue")  # anyone, not signed in
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    snap = r.get_json()
    # It is the real snapshot: the call and the waiting tickets are in it, by code.
    assert any(c["ticket"] and c["ticket"]["code"] == called["code"] for c in snap["counters"])
    assert sum(s["waiting"] for s in snap["services"]) == 2
    assert snap["last_calls"][0]["code"] == called["code"]
    leaks = [s for p in PEOPLE for s in identifying_strings(p) if s.lower() in text.lower()]
    assert not leaks, leaks
    # Nor the secret links printed on the visitors' slips.
    assert not [t for t in tokens if t in text]
    # No field meant for a person (the office's own complaint channels aside).
    snap.pop("complaints")
    assert not re.search(r'"(visitor|visitor_id|email|phone|npwp|birth_year|institution\w*)"', json.dumps(snap))
