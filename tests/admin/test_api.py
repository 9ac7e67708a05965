"""The admin's JSON endpoints over HTTP: changes, refusals with their field, roles, the audit, live settings."""

from __future__ import annotations

from sqlmodel import select

from models import AuditEntry, Counter, Service, StaffSession, Ticket
from rules import offices
from tests import factories


def admin(make_api):
    client = make_api()
    client.login("admin")
    return client


def test_admin_adds_a_service_and_a_counter_and_the_kiosk_lists_it(make_api, db, ids):
    a = admin(make_api)
    r = a.post("/api/admin/services", json={"prefix": "D", "name": "Layanan Data", "name_en": "Data Service"})
    assert r.status_code == 201, r.get_json()
    sid = r.get_json()["id"]
    assert r.get_json()["item"]["code"] == "data-service"
    r = a.post("/api/admin/counters", json={"number": 4, "name": "Loket 4", "service_ids": [sid]})
    assert r.status_code == 201, r.get_json()
    listed = a.get("/api/offices/1600/services").get_json()["services"]
    assert "Layanan Data" in [s["name"] for s in listed]
    with db.read() as s:
        counter = s.exec(select(Counter).where(Counter.number == 4)).one()
        assert offices.counter_service_ids(s, counter.id) == [sid]
        kinds = [(e.entity, e.action, e.username) for e in s.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert ("service", "created", "admin") in kinds and ("counter", "created", "admin") in kinds


def test_duplicate_prefix_and_counter_without_service_are_refused_with_their_field(make_api, ids):
    a = admin(make_api)
    r = a.post("/api/admin/services", json={"prefix": "K", "name": "Lagi"})
    assert r.status_code == 400
    assert r.get_json()["error"] == "prefix_taken"
    assert r.get_json()["fields"]["prefix"] == "Layanan lain sudah memakai prefiks K."
    r = a.post("/api/admin/counters", json={"number": 5, "service_ids": []})
    assert r.status_code == 400 and r.get_json()["error"] == "no_service"
    assert "service_ids" in r.get_json()["fields"]
    r = a.post("/api/admin/counters", json={"number": 1, "service_ids": [ids.service["konsultasi"]]})
    assert r.get_json()["error"] == "number_taken"


def test_rename_keeps_tickets_and_prefix_change_is_refused_while_tickets_wait(make_api, db, ids):
    a = admin(make_api)
    sid = ids.service["konsultasi"]
    with db.write() as s:
        t = factories.ticket(s, "konsultasi")
        tid, code = t.id, t.code
    r = a.post(f"/api/admin/services/{sid}", json={"prefix": "K", "name": "Konsultasi Data", "name_en": "Data help"})
    assert r.status_code == 200, r.get_json()
    r = a.post(f"/api/admin/services/{sid}", json={"prefix": "Q", "name": "Konsultasi Data"})
    assert r.status_code == 400 and r.get_json()["error"] == "prefix_in_use" and "prefix" in r.get_json()["fields"]
    with db.write() as s:
        t = s.get(Ticket, tid)
        assert (t.service_id, t.code) == (sid, code)
        assert s.get(Service, sid).name == "Konsultasi Data"
        t.status = "done"
        s.add(t)
    r = a.post(f"/api/admin/services/{sid}", json={"prefix": "Q", "name": "Konsultasi Data"})
    assert r.status_code == 200, r.get_json()


def test_supervisor_reads_but_cannot_change(make_api):
    sup = make_api()
    sup.login("pengawas")
    assert sup.get("/admin/services").status_code == 200
    r = sup.post("/api/admin/services", json={"prefix": "Z", "name": "Zet"})
    assert r.status_code == 403
    officer = make_api()
    officer.login("petugas1")
    r = officer.get("/admin/")
    assert r.status_code == 302 and "/forbidden" in r.headers["Location"]


def test_new_account_must_change_password_and_deactivation_ends_its_sessions(make_api, db):
    a = admin(make_api)
    r = a.post("/api/admin/staff", json={"username": "budi", "name": "Budi Santoso", "role": "officer"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    user_id, password = body["id"], body["password"]
    budi = make_api()
    budi.login("budi", password)
    assert budi.get("/counter/").status_code in (302, 303)  # sent to change the password first
    r = a.post(f"/api/admin/staff/{user_id}", json={"active": False})
    assert r.status_code == 200, r.get_json()
    with db.read() as s:
        rows = s.exec(select(StaffSession).where(StaffSession.user_id == user_id)).all()
        assert rows and all(x.ended_at is not None and x.end_reason == "deactivated" for x in rows)
    assert budi.get("/api/session").get_json().get("user") in (None, {})


def test_closure_today_closes_the_kiosk_and_a_past_closure_is_refused(make_api, app):
    a = admin(make_api)
    from clock import utcnow
    from rules import tickets

    with app.extensions["loket.db"].read() as s:
        today = tickets.today(offices.get_office(s, "1600"), utcnow())
    r = a.post("/api/admin/special-days", json={"day": today.isoformat(), "closed": True, "note": "Tutup: banjir"})
    assert r.status_code == 200, r.get_json()
    from datetime import timedelta

    r = a.post("/api/admin/special-days", json={"day": (today - timedelta(days=1)).isoformat(), "note": "x"})
    assert r.status_code == 400 and r.get_json()["error"] == "day_past"
    r = a.post("/api/admin/special-days", json={"day": today.isoformat(), "closed": True, "note": ""})
    assert r.get_json()["error"] == "note_needed"


def test_hours_overlap_refused_and_saved_hours_are_live(make_api, app):
    a = admin(make_api)
    r = a.post("/api/admin/hours", json={"opens_1": "15:00", "closes_1": "08:00"})
    assert r.status_code == 400 and r.get_json()["fields"].keys() == {"opens_1"}
    r = a.post(
        "/api/admin/hours", json={"opens_1": "07:30", "closes_1": "12:00", "opens_6": "08:00", "closes_6": "11:00"}
    )
    assert r.status_code == 200, r.get_json()
    hours = app.extensions["loket.settings"].office.hours
    assert sorted(hours) == [1, 6] and hours[1][0].strftime("%H:%M") == "07:30"


def test_office_complaints_bilingual_and_audited(make_api, app, db):
    a = admin(make_api)
    r = a.post(
        "/api/admin/office",
        json={"name": "BPS Provinsi Sumatera Selatan", "box": "Kotak saran", "box_en": "Suggestion box", "lapor": "x"},
    )
    assert r.status_code == 200, r.get_json()
    assert app.extensions["loket.settings"].office.complaints.box_en == "Suggestion box"
    audit = a.get("/api/admin/audit").get_json()["entries"]
    assert audit[0]["entity"] == "office" and audit[0]["after"]["complaints"]["box_en"] == "Suggestion box"
    assert audit[0]["before"]["complaints"]["box_en"] != "Suggestion box"


def test_export_is_a_config_that_loads(make_api, tmp_path):
    a = admin(make_api)
    a.post("/api/admin/services", json={"prefix": "D", "name": "Layanan Data", "name_en": "Data Service"})
    r = a.get("/admin/export.toml")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    path = tmp_path / "export.toml"
    path.write_bytes(r.data)
    from settings import load_settings

    loaded = load_settings(path, env={})
    assert "data-service" in [s.code for s in loaded.services]
    assert loaded.office.complaints.box_en
    assert sorted(loaded.printers) == ["bendahara", "kiosk", "loket", "tanpa"]


def test_pairing_and_revoking_a_device_are_audited_and_listed_on_the_devices_page(make_api):
    a = admin(make_api)
    r = a.post("/api/devices/pairing", json={"kind": "display", "label": "Layar lobi"})
    assert r.status_code == 201, r.get_json()
    device_id = r.get_json()["device"]["id"]
    page = a.get("/admin/devices").get_data(as_text=True)
    assert "Layar lobi" in page and f'data-revoke="{device_id}"' in page
    assert a.post(f"/api/devices/{device_id}/revoke").status_code == 200
    entries = a.get("/api/admin/audit?entity=device").get_json()["entries"]
    assert [e["action"] for e in entries] == ["revoked", "paired"]


def test_every_admin_page_in_both_languages_labels_its_fields(make_api):
    import re

    a = admin(make_api)
    for lang, word in (("id", "Administrasi"), ("en", "Administration")):
        for path in ("", "office", "hours", "services", "counters", "staff", "printers", "devices", "audit"):
            r = a.get(f"/admin/{path}?lang={lang}")
            assert r.status_code == 200, path
            html = r.get_data(as_text=True)
            assert f'<html lang="{lang}">' in html and "<main>" in html and f'aria-label="{word}"' in html
            labelled = set(re.findall(r'<label for="([^"]+)"', html))
            for tag in re.findall(r"<(?:input|select)\b[^>]*>", html):
                if 'type="hidden"' in tag or 'type="checkbox"' in tag:
                    continue  # checkboxes sit inside their <label>
                ident = re.search(r'id="([^"]+)"', tag)
                assert "aria-label=" in tag or (ident and ident.group(1) in labelled), (path, tag)


def test_settings_and_users_lead_to_the_admin_screens_and_the_home_page_lists_the_roles_screens(make_api):
    a = admin(make_api)
    assert a.get("/settings").headers["Location"].endswith("/admin/office")
    assert a.get("/users").headers["Location"].endswith("/admin/staff")
    home = a.get("/").get_data(as_text=True)
    for key in ("counter", "supervisor", "reports", "printers", "mail", "admin"):
        assert f'data-testid="home-{key}"' in home
    assert 'data-testid="home-privacy"' not in home and 'data-testid="home-treasurer"' not in home
    treasurer = make_api()
    treasurer.login("bendahara")
    home = treasurer.get("/").get_data(as_text=True)
    assert 'data-testid="home-treasurer"' in home and 'data-testid="home-admin"' not in home
    sup = make_api()
    sup.login("pengawas")
    assert 'data-testid="home-privacy"' in sup.get("/").get_data(as_text=True)
