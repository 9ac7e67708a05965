"""The app starts, answers health checks and serves its OpenAPI document."""


def test_healthz(api):
    r = api.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok"}


def test_openapi_lists_every_api_route(api):
    doc = api.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    for path in (
        "/api/offices/{code}/services",
        "/api/offices/{code}/tickets",
        "/api/login",
        "/api/counters/{counter_id}/call-next",
        "/api/counters/{counter_id}/tickets/{ticket_id}/recall",
        "/api/counters/{counter_id}/tickets/{ticket_id}/no-show",
        "/api/counters/{counter_id}/tickets/{ticket_id}/start",
        "/api/counters/{counter_id}/tickets/{ticket_id}/finish",
        "/api/counters/{counter_id}/tickets/{ticket_id}/transfer",
        "/api/counters/{counter_id}/pause",
        "/api/offices/{code}/queue",
    ):
        assert path in paths, path
    assert "requestBody" in paths["/api/offices/{code}/tickets"]["post"]
