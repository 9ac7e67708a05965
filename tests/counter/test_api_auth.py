"""Sign-in and roles on every counter endpoint the OpenAPI document lists, and the counter loop through the API.

The endpoints are read from /api/openapi.json, so an endpoint added later is checked without editing this file.
"""

from __future__ import annotations

import re

import pytest

from models import Ticket, TicketStatus
from tests.factories import TICKETS_URL, guest_form

BAD_LOGIN = {"error": "bad_credentials", "message": "Wrong username or password."}


def counter_endpoints(api) -> list[tuple[str, str, dict, dict]]:
    """(method, path template, operation, components) for every /api/counters/... operation."""
    doc = api.get("/api/openapi.json").get_json()
    out = [
        (method, path, op, doc.get("components", {}).get("schemas", {}))
        for path, ops in doc["paths"].items()
        if path.startswith("/api/counters/")
        for method, op in ops.items()
    ]
    assert len(out) >= 12, [p for _, p, _, _ in out]
    return out


def example_body(op: dict, schemas: dict, service_id: int) -> dict | None:
    """A body that passes the operation's schema (not necessarily the rules)."""
    rb = op.get("requestBody")
    if not rb:
        return None
    schema = rb["content"]["application/json"]["schema"]
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    body = {}
    for name in schema.get("required", []):
        prop = schema["properties"][name]
        kind = prop.get("type") or (prop.get("anyOf") or [{}])[0].get("type")
        if "enum" in prop:
            body[name] = prop["enum"][0]
        elif kind == "integer":
            body[name] = service_id if "service" in name else 5
        elif kind == "boolean":
            body[name] = True
        elif kind == "number":
            body[name] = 1
        else:
            body[name] = "break"
    return body


def send(api, method, path, op, schemas, *, counter_id, ticket_id, service_id, csrf=True):
    url = path.replace("{counter_id}", str(counter_id)).replace("{ticket_id}", str(ticket_id))
    url = re.sub(r"\{[^}]+\}", "1", url)
    if method == "get":
        return api.get(url)
    body = example_body(op, schemas, service_id)
    if csrf:
        return api.post(url, json=body)
    return api.client.post(url, json=body)


@pytest.fixture
def setting(db, ids, api):
    """A ticket waiting in the sales queue; returns the path values to use."""
    r = api.post(TICKETS_URL, json=guest_form(ids.service["penjualan"], name="Dewi Lestari"))
    assert r.status_code == 201
    return {"counter_id": ids.counter[1], "ticket_id": r.get_json()["id"], "service_id": ids.service["konsultasi"]}


def check_all(api, setting, expect) -> None:
    failures = []
    for method, path, op, schemas in counter_endpoints(api):
        r = send(api, method, path, op, schemas, **setting)
        problem = expect(method, path, r)
        if problem:
            failures.append(f"{method.upper()} {path}: {r.status_code} {r.get_json()} ({problem})")
    assert not failures, "\n".join(failures)


def test_every_counter_endpoint_needs_a_signed_in_user(api, setting):
    check_all(
        api,
        setting,
        lambda m, p, r: (
            None
            if r.status_code == 401 and r.get_json()["error"] == "login_required"
            else "expected 401 login_required"
        ),
    )


@pytest.mark.parametrize("username", ["bendahara"])
def test_every_counter_endpoint_refuses_the_treasurer(api, setting, username):
    api.login(username)
    check_all(
        api,
        setting,
        lambda m, p, r: (
            None if r.status_code == 403 and r.get_json()["error"] == "forbidden" else "expected 403 forbidden"
        ),
    )


def test_every_counter_post_without_csrf_token_is_refused(api, db, setting):
    api.login("petugas1")
    api.post(f"/api/counters/{setting['counter_id']}/open")
    failures = []
    for method, path, op, schemas in counter_endpoints(api):
        if method != "post":
            continue
        for headers in ({}, {"X-CSRFToken": "forged"}):
            url = path.replace("{counter_id}", str(setting["counter_id"])).replace(
                "{ticket_id}", str(setting["ticket_id"])
            )
            r = api.client.post(url, json=example_body(op, schemas, setting["service_id"]), headers=headers)
            if r.status_code != 400 or r.get_json()["error"] != "csrf":
                failures.append(f"{path} {headers}: {r.status_code} {r.get_json()}")
    assert not failures, "\n".join(failures)
    with db.read() as s:
        assert s.get(Ticket, setting["ticket_id"]).status == TicketStatus.waiting  # nothing was called


def test_the_officer_holding_the_counter_passes_every_check(api, setting):
    api.login("petugas1")
    assert api.post(f"/api/counters/{setting['counter_id']}/open").status_code == 200

    def expect(method, path, r):
        if r.status_code in (401, 403):
            return "refused the officer"
        body = r.get_json() or {}
        if body.get("error") in ("csrf", "login_required", "forbidden", "not_your_counter"):
            return "refused the officer"
        if r.status_code == 400 and body.get("error") == "invalid":
            return "the example body did not pass the schema"
        return None

    check_all(api, setting, expect)


def test_an_officer_cannot_act_on_a_counter_held_by_another(make_api, db, setting):
    first, second = make_api(), make_api()
    first.login("petugas1")
    assert first.post(f"/api/counters/{setting['counter_id']}/open").status_code == 200
    second.login("petugas2")
    failures = []
    for method, path, op, schemas in counter_endpoints(second):
        if method != "post" or path.endswith("/open"):  # taking a counter over is allowed and recorded
            continue
        r = send(second, method, path, op, schemas, **setting)
        if r.status_code != 409 or r.get_json()["error"] != "not_your_counter":
            failures.append(f"{path}: {r.status_code} {r.get_json()}")
    assert not failures, "\n".join(failures)
    with db.read() as s:
        assert s.get(Ticket, setting["ticket_id"]).status == TicketStatus.waiting


def test_the_counter_loop_through_the_api(api, db, ids, setting):
    """Every action answers 200 for the officer at their counter, in the order a day uses them."""
    api.login("petugas1")
    c, k = setting["counter_id"], setting["service_id"]
    t2 = api.post(TICKETS_URL, json=guest_form(ids.service["penjualan"])).get_json()["id"]

    def ok(path, json=None):
        r = api.post(f"/api/counters/{c}{path}", json=json)
        assert r.status_code == 200, (path, r.get_json())
        return r.get_json()

    assert ok("/open")["counter"]["status"] == "open"
    assert api.get(f"/api/counters/{c}/state").get_json()["waiting"][0]["code"] == "B-001"
    t1 = ok("/call-next")["ticket"]
    assert (t1["code"], t1["status"], t1["visitor"]["name"]) == ("B-001", "called", "Dewi Lestari")
    assert api.post(f"/api/counters/{c}/call-next").get_json()["error"] == "already_called"
    assert ok(f"/tickets/{t1['id']}/recall")["ticket"]["recall_count"] == 1
    assert api.post(f"/api/counters/{c}/tickets/{t1['id']}/no-show").get_json()["error"] == "recall_first"
    ok(f"/tickets/{t1['id']}/recall")
    assert ok(f"/tickets/{t1['id']}/no-show")["ticket"]["status"] == "no_show"
    assert ok(f"/tickets/{t1['id']}/restore")["ticket"]["status"] == "waiting"
    again = ok("/call-next")["ticket"]
    assert again["code"] == "B-001"  # back at its original place, before B-002
    assert ok(f"/tickets/{again['id']}/start")["ticket"]["status"] == "serving"
    moved = ok(f"/tickets/{again['id']}/transfer", {"service_id": k})["ticket"]
    assert (moved["status"], moved["service"]["id"]) == ("waiting", k)
    nxt = ok("/call-next")["ticket"]  # counter 1 serves both queues: B-001 (08:00) first again
    assert nxt["code"] == "B-001" and nxt["service"]["id"] == k
    assert ok(f"/tickets/{nxt['id']}/finish")["ticket"]["status"] == "done"
    assert ok("/call-next")["ticket"]["id"] == t2
    assert api.post(f"/api/counters/{c}/pause", json={"reason": "break"}).get_json()["error"] == "busy"
    ok(f"/tickets/{t2}/finish")
    assert ok("/call-next")["ticket"] is None
    r = api.post(f"/api/counters/{c}/pause", json={"reason": "other", "note": ""})
    assert r.status_code == 400 and r.get_json()["error"] == "bad_reason"
    assert ok("/pause", {"reason": "prayer"})["counter"] == {
        "id": c,
        "number": 1,
        "name": "Loket 1",
        "status": "paused",
        "pause_reason": "prayer",
    }
    assert api.post(f"/api/counters/{c}/call-next").get_json()["error"] == "counter_paused"
    assert ok("/resume")["counter"]["status"] == "open"
    assert ok("/close")["counter"]["status"] == "closed"
    assert api.post(f"/api/counters/{c}/call-next").get_json()["error"] == "not_your_counter"


def test_counter_page_sends_a_visitor_without_login_to_sign_in(app):
    r = app.test_client().get("/counter/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
