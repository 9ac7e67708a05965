"""The live view's data on hand-made timelines: counters, clocks, breaches, suggestions; and who may see it."""

from __future__ import annotations

import pytest

from rules import estimate
from supervisor import live
from tests import factories

_APP = {}


@pytest.fixture(autouse=True)
def _remember_app(app):
    _APP["app"] = app
    yield
    _APP.clear()


def _snap(db, minute, timeline, default_minutes=6):
    # In an app context: the printing part reads its configuration from the app, as inside a request.
    with _APP["app"].app_context(), db.read() as s:
        return live.supervisor_snapshot(
            s, factories.office(s), default_minutes=default_minutes, now=timeline.at(minute)
        )


def test_counter_states_and_masked_names(db, timeline):
    t = timeline
    t.open(0, 1, "petugas1")
    t.open(0, 2, "petugas2")
    t.issue(0, visitor={"name": "Siti Aminah Lestari"})
    a = t.call(1, 1)
    t.start(2, a)
    t.pause(3, 2, "prayer")
    snap = _snap(db, 5, t)
    by_number = {c["number"]: c for c in snap["counters"]}
    c1, c2, c3 = by_number[1], by_number[2], by_number[3]
    assert c1["state"] == "serving" and c1["seconds"] == 180 and c1["officer"] == "Petugas Satu"
    assert c1["ticket"]["code"] == "B-001" and c1["ticket"]["name"] == "Siti A. L."
    assert c2["state"] == "paused" and c2["pause_reason"] == "prayer" and c2["seconds"] == 120
    assert c3["state"] == "closed" and c3["officer"] == ""
    assert "Aminah" not in str(snap) and "Lestari" not in str(snap)


def test_idle_and_called_counters(db, timeline):
    t = timeline
    t.open(0, 1, "petugas1")
    t.open(0, 2, "petugas2")
    t.issue(0)
    t.call(4, 2)
    snap = _snap(db, 6, t)
    by_number = {c["number"]: c for c in snap["counters"]}
    assert by_number[1]["state"] == "idle" and by_number[1]["seconds"] == 360
    assert by_number[2]["state"] == "called" and by_number[2]["seconds"] == 120


def test_waiting_clocks_in_a_line(db, timeline):
    """Head's clock runs from its issue (no one ahead); the others' clocks have not started."""
    t = timeline
    t.issue(0)
    t.issue(2)
    snap = _snap(db, 7.5, t)
    penjualan = next(s for s in snap["services"] if s["code"] == "penjualan")
    head, second = penjualan["tickets"]
    assert penjualan["waiting"] == 2 and penjualan["longest_wait_seconds"] == 450
    assert head["state"] == "amber" and head["seconds_left"] == 150  # 7.5 of 10 minutes: amber from 7
    assert second["state"] == "not_started" and second["clock_started_at"] is None
    later = _snap(db, 10.5, t)
    head = next(s for s in later["services"] if s["code"] == "penjualan")["tickets"][0]
    assert head["state"] == "breached" and head["seconds_left"] == -30
    assert later["today"]["waiting_breached"] == 1 and later["today"]["breaches"] == 1
    early = _snap(db, 3, t)
    assert next(s for s in early["services"] if s["code"] == "penjualan")["tickets"][0]["state"] == "ok"


def test_clock_starts_when_the_one_ahead_finishes(db, timeline):
    t = timeline
    t.open(0, 1, "petugas1")
    t.issue(0)
    t.issue(1)
    a = t.call(2, 1)
    t.start(2, a)
    assert _snap(db, 5, t)["services"][0]["tickets"][0]["state"] == "not_started"
    t.finish(6, a)
    head = _snap(db, 7, t)["services"][0]["tickets"][0]
    assert head["clock_started_at"] == t.at(6).isoformat() and head["seconds_left"] == 540


def test_breaches_today_count_late_first_calls_and_waiting(db, timeline):
    t = timeline
    t.open(0, 1, "petugas1")
    t.issue(0)
    t.serve(1, called=12, started=12, finished=15)  # first call 12 minutes after the clock: late
    t.issue(16)
    today = _snap(db, 27, t)["today"]  # 11 minutes waiting, counter idle: over the limit now
    assert today["called_late"] == 1 and today["waiting_breached"] == 1 and today["breaches"] == 2
    assert today["tickets"] == 2 and today["served"] == 1 and today["limit_share"] == 0.0


def test_suggests_opening_another_counter(db, timeline):
    t = timeline
    t.open(0, 1, "petugas1")  # counter 1 serves penjualan (and konsultasi)
    for _ in range(4):
        t.issue(0)
    snap = _snap(db, 1, t, default_minutes=6)
    penjualan = next(s for s in snap["services"] if s["code"] == "penjualan")
    # last of 4 has 3 ahead, one idle counter: W = 3 * 6 / 1 = 18 > 10; with one more counter 18 / 2 = 9
    assert penjualan["clear_minutes"] == 18 and not penjualan["in_time"]
    assert penjualan["extra_counters_needed"] == 1 and penjualan["counters_to_open"] == [2]
    assert [g["service_id"] for g in snap["suggestions"]] == [penjualan["id"]]
    t.open(2, 2, "petugas2")
    snap = _snap(db, 3, t, default_minutes=6)
    assert snap["suggestions"] == []


def test_no_counter_open_is_a_suggestion(db, timeline):
    timeline.issue(0, "perpustakaan")
    snap = _snap(db, 1, timeline)
    [g] = snap["suggestions"]
    assert g["clear_minutes"] is None and g["extra_counters_needed"] == 1 and g["counters_to_open"] == [3]


def test_printers_are_listed_with_their_states(db, timeline):
    snap = _snap(db, 0, timeline)
    assert isinstance(snap["printers"], list) and snap["printers"]
    for p in snap["printers"]:
        assert p["state"] in ("ok", "warning", "error", "unknown", "none")


def test_a_printer_problem_leaves_the_view_and_is_logged(db, timeline, monkeypatch, caplog):
    def broken(_session, _office_id):
        raise OSError("printer table unreadable")

    monkeypatch.setattr("supervisor.live.printer_states", broken)
    snap = _snap(db, 0, timeline)
    assert snap["printers"] is None and snap["counters"]
    assert "printer table unreadable" in caplog.text


def test_snapshot_carries_server_time_and_limit(db, timeline):
    snap = _snap(db, 0, timeline)
    assert snap["server_time"] == timeline.at(0).isoformat()
    assert snap["limit_minutes"] == 10 and "amber_share" not in snap  # the server sends each clock's amber_at


def test_live_json_needs_a_supervisor(make_api):
    anonymous = make_api()
    assert anonymous.get("/supervisor/live.json", headers={"Accept": "application/json"}).status_code == 401
    officer = make_api()
    officer.login("petugas1")
    assert officer.get("/supervisor/live.json", headers={"Accept": "application/json"}).status_code == 403
    assert officer.get("/supervisor/").status_code == 302
    for who in ("pengawas", "admin"):
        c = make_api()
        c.login(who)
        r = c.get("/supervisor/live.json")
        assert r.status_code == 200 and "services" in r.get_json()


def test_live_page_renders_in_both_languages(supervisor_api):
    r = supervisor_api.get("/supervisor/")
    assert r.status_code == 200 and b'id="live"' in r.data and b"live.js" in r.data
    id_page = r.data.decode()
    en_page = supervisor_api.get("/supervisor/?lang=en").data.decode()
    assert "Over the limit today" in en_page
    assert "Over the limit today" not in id_page


def test_supervisor_lands_on_the_live_view(api):
    r = api.client.post(
        "/login",
        data={"username": "pengawas", "password": "pengawas-demo", "csrf_token": api.token},
        follow_redirects=False,
    )
    assert r.status_code in (302, 303) and r.headers["Location"].endswith("/supervisor/")


def test_estimate_and_live_view_agree(db, timeline):
    """The live view's 'clears in' is the kiosk estimate for the last one waiting."""
    t = timeline
    t.open(0, 1, "petugas1")
    for _ in range(3):
        t.issue(0)
    snap = _snap(db, 1, t, default_minutes=6)
    with db.read() as s:
        office, svc = factories.office(s), factories.service(s)
        e = estimate.estimate(s, office_id=office.id, service_id=svc.id, ahead=2, default_minutes=6, now=t.at(1))
    assert next(x for x in snap["services"] if x["code"] == "penjualan")["clear_minutes"] == round(e.exact, 1) == 12
