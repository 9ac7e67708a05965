"""What comes in is checked before any view runs, and what goes into logs cannot forge lines or leak: ids out of
range are 404, oversized numbers and control characters are refused, LIKE wildcards are literal, log lines are
escaped and carry no e-mails, phone numbers, search terms or link tokens."""

from __future__ import annotations

import io
import logging

import pytest

from rules.privacy import ScrubFilter
from tests.factories import TICKETS_URL, guest_form

BIG = 2**63  # one past the largest database id


def test_ids_out_of_range_are_not_found(api, make_api):
    assert api.get(f"/api/print-jobs/{BIG}").status_code == 404
    assert api.get(f"/api/visitor/requests/x/invoices/{BIG * 10}/pdf").status_code == 404
    officer = make_api()
    officer.login("petugas1")
    for path in (f"/api/counters/{BIG}/state", f"/api/requests/{BIG}", f"/api/tickets/{BIG}/requests"):
        r = officer.get(path)
        assert r.status_code == 404 and r.get_json()["error"] == "404", path
    assert officer.post(f"/api/counters/{BIG}/call-next").status_code == 404
    r = officer.post("/api/requests?lang=en", json={"ticket_id": BIG})
    assert r.status_code == 400 and r.get_json()["message"] == "A number in the request is too large."


@pytest.mark.parametrize("name", ["Budi\x00Santoso", "Budi \u202eosotnaS", "Budi\x1b[31m"])
def test_control_characters_and_direction_overrides_are_refused(api, ids, name):
    r = api.post(TICKETS_URL + "?lang=en", json=guest_form(ids.service["penjualan"], name=name))
    assert r.status_code == 400
    assert r.get_json()["message"] == "The request contains characters that are not allowed."


def test_free_text_keeps_its_line_breaks(api, ids):
    r = api.post(
        TICKETS_URL, json=guest_form(ids.service["penjualan"], purpose="other", purpose_note="baris 1\nbaris 2")
    )
    assert r.status_code == 201, r.get_json()


def test_a_body_that_is_not_json_or_has_unknown_fields_is_refused(api, make_api, ids):
    officer = make_api()
    officer.login("bendahara")
    r = officer.post("/api/invoices/1/print", data=b"\x00", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"] == "invalid"
    r = api.post(TICKETS_URL + "?lang=en", json={**guest_form(ids.service["penjualan"]), "is_admin": True})
    assert r.status_code == 400 and r.get_json()["fields"] == {"is_admin": "Unknown field."}


def test_like_wildcards_in_the_staff_search_are_literal(make_api, served, new_request):
    new_request("open")
    officer = make_api()
    officer.login("petugas1")
    assert officer.get("/api/requests?q=Pengunjung").get_json()["requests"]
    assert officer.get("/api/requests?q=%25%25").get_json()["requests"] == []
    assert officer.get("/api/requests?q=__").get_json()["requests"] == []


def _scrubbed_logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(ScrubFilter())
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return logger, out


def test_a_username_with_a_newline_cannot_forge_a_log_line(app, api):
    import re

    forged = "x\n2026-12-05 INFO auth: admin signed in"
    assert api.post("/api/login", json={"username": forged, "password": "y"}).status_code == 400
    logger, out = _scrubbed_logger("auth")
    try:
        client = app.test_client()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"csrf_token": token, "username": forged, "password": "y"})
    finally:
        logger.handlers.clear()
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("failed sign-in for 'x\\\\n") and lines[0].endswith("admin signed in' from 127.0.0.1")


def test_access_logs_carry_no_tokens_search_terms_emails_or_phones(live_server, api):
    import requests

    logger, out = _scrubbed_logger("werkzeug")
    token = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"
    try:
        requests.get(f"{live_server.url}/s/{token}", timeout=10)
        requests.get(f"{live_server.url}/rate/{token}?lang=en", timeout=10)
        requests.get(f"{live_server.url}/api/visitor/requests/{token}", timeout=10)
        requests.get(f"{live_server.url}/api/requests?q=Siti%20Aminah&x=siti@contoh.id&p=081234567890", timeout=10)
    finally:
        logger.handlers.clear()
    log = out.getvalue()
    assert log.count("/s/<token>") == 1 and "/rate/<token>?lang=en" in log and "/visitor/requests/<token>" in log
    assert "q=<hidden>" in log
    for secret in (token, "Siti", "siti@contoh.id", "081234567890"):
        assert secret not in log, secret


def test_gunicorns_access_log_is_scrubbed_too(capsys):
    from gunicorn.config import Config

    from serve import ScrubbedLogger

    cfg = Config()
    cfg.set("accesslog", "-")
    log = ScrubbedLogger(cfg)
    log.access_log.info('127.0.0.1 "GET /verify/AbCdEfGhIjKlMnOpQrStUvWxYz012345 HTTP/1.1" 200')
    for handler in log.access_log.handlers:
        handler.flush()
    printed = capsys.readouterr()
    assert "/verify/<token>" in printed.out + printed.err


def test_staff_print_only_to_a_configured_station(make_api, served, new_request):
    request_id = new_request("invoiced")
    treasurer = make_api()
    treasurer.login("bendahara")
    invoice = treasurer.get(f"/api/requests/{request_id}").get_json()["invoices"][0]["id"]
    r = treasurer.post(f"/api/invoices/{invoice}/print?lang=en", json={"station": "kiosk-9"})
    assert r.status_code == 404 and r.get_json()["error"] == "unknown_station"
    assert treasurer.post(f"/api/invoices/{invoice}/print", json={"station": "x" * 5000}).status_code == 400
    assert treasurer.post(f"/api/invoices/{invoice}/print", json={"station": "treasurer"}).status_code == 200


def test_a_form_part_without_a_name_is_refused_not_a_server_error(api):
    """Flask-WTF's CSRF check read such a part's None name and raised (found by schemathesis): refused first."""
    body = b'--b\r\nContent-Disposition: form-data; filename="a.pdf"\r\n\r\n%PDF-1.4\r\n--b--\r\n'
    r = api.client.post(
        "/api/visitor/requests/any-token/uploads/abstract",
        data=body,
        headers={"Content-Type": "multipart/form-data; boundary=b", "X-CSRFToken": api.token},
    )
    assert r.status_code == 400 and r.get_json()["error"] == "invalid"
