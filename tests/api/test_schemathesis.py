"""The OpenAPI document says what the server enforces: schemathesis generates requests from /api/openapi.json
(valid ones and, where the schema allows, invalid ones) and checks every answer — no server error, a status code
and a body the document lists, a valid request not refused, an invalid one not accepted.

Bounded so the suite stays quick: a fixed seed (derandomized), EXAMPLES cases per operation, run twice — as a
paired kiosk without a staff sign-in, and signed in as an officer. The figures of a run: `pytest -s` prints them.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from app import create_app
from commands import migrate
from startup import seed_demo
from tests.conftest import test_settings as loket_settings
from tests.kiosks import device_token
from tests.request_fixtures import T0, Staff, advance, serve_visitor

EXAMPLES = 20
SEED = 20261205
# Signing out would end the officer's session for the operations after it.
NOT_SIGNED_IN_RUN = {("POST", "/api/logout")}
FIGURES: Counter = Counter()
# Operations whose rules are richer than OpenAPI 3.0 can state: for these, "a schema-valid request is accepted"
# and "a schema-invalid one is refused" are not checked (every other check is).
RICHER_THAN_SCHEMA = {
    # The guest book trims names, normalises phone numbers (+62 / 62 / 0, spaces and dashes), validates e-mail
    # addresses and NPWP check digits, and has cross-field rules: an institution name unless an individual, a
    # note for purpose 'other'.
    ("POST", "/api/offices/{code}/tickets"),
    # The same guest book inside an online request, and inside a request an officer enters from the portal,
    # an e-mail or WhatsApp.
    ("POST", "/api/online/{code}/requests"),
    ("POST", "/api/requests/enter"),
    # A file is judged by its bytes (a PDF must open, an image must decode), which no schema can state.
    ("POST", "/api/visitor/requests/{token}/uploads/{kind}"),
    # The payment time is ISO 8601 with or without an offset (without: the office's time), which no OpenAPI
    # string format states exactly.
    ("POST", "/api/requests/{request_id}/payments"),
}
DATA_CHECKS = [positive_data_acceptance, negative_data_rejection]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    """One app for the whole run: the configured office, the demo staff, a paired kiosk."""
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'loket.db'}"
    migrate(url)
    settings = loket_settings()
    seed_demo(url, settings)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SERVER_NAME": None}, settings=settings)
    _history(app)
    yield app
    app.extensions["loket.db"].dispose()
    print(f"\nschemathesis: {dict(FIGURES)}")


def _history(app) -> None:
    """Rows for the small ids the fuzzer tries first: two visitors served at counter 1, one request invoiced
    (invoice 1), one delivered (invoice, payment and receipt 2 or 1), so operations get past 'not found'."""
    from rules import requests as rq

    db = app.extensions["loket.db"]
    staff = Staff(db)
    for state in ("invoiced", "delivered"):
        with db.write() as s:
            ticket = serve_visitor(s, officer_id=staff.officer)
            req = rq.open_request(s, ticket_id=ticket.id, user_id=staff.officer, now=T0)
            rq.add_line(
                s,
                request_id=req.id,
                user_id=staff.officer,
                item_code="microdata_raw",
                measure=2_500_001,
                quantity=1,
                description="Susenas Maret 2025",
                now=T0,
            )
            advance(s, req.id, staff, state)


def _browser(app, username: str | None) -> tuple[dict, dict]:
    """The cookies and headers of a paired kiosk's browser, signed in as `username` when given."""
    client = app.test_client()
    client.set_cookie("loket_device", device_token(app))
    token = client.get("/api/session").get_json()["csrf_token"]
    if username:
        r = client.post(
            "/api/login",
            json={"username": username, "password": f"{username}-demo"},
            headers={"X-CSRFToken": token},
        )
        assert r.status_code == 200, r.get_json()
        token = r.get_json()["csrf_token"]
    cookies = {name: client.get_cookie(name).value for name in ("loket_session", "loket_device")}
    return cookies, {"X-CSRFToken": token}


@pytest.fixture(scope="module")
def anonymous(fuzz_app):
    return _browser(fuzz_app, None)


@pytest.fixture(scope="module")
def officer(fuzz_app):
    return _browser(fuzz_app, "petugas1")


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)


BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _describe(e: BaseException) -> str:
    """A failure in a few lines: what schemathesis checked, what came back, how to reproduce it."""
    lines = [x for x in str(e).splitlines() if x.strip()]
    return "\n    ".join(lines[:14])


def _one_operation(operation, mode, browser, run: str, failures: list[str]):
    """The bounded hypothesis test of one operation in one mode (valid or invalid requests)."""
    cookies, headers = browser
    key = f"{operation.method.upper()} {operation.path} ({mode})"
    excluded = DATA_CHECKS if (operation.method.upper(), operation.path) in RICHER_THAN_SCHEMA else []

    @BOUNDED
    @seed(SEED)
    @given(case=operation.as_strategy(generation_mode=mode))
    def one(case):
        FIGURES[f"{run} cases"] += 1
        try:
            response = case.call_and_validate(cookies=cookies, headers=headers, excluded_checks=excluded)
        except (Exception, BaseExceptionGroup) as e:  # noqa: BLE001 - every failure is collected and reported
            FIGURES[f"{run} failures"] += 1
            if not any(f.startswith(key) for f in failures):  # one report per operation and mode
                failures.append(f"{key}: {_describe(e)}")
        else:
            FIGURES[f"{run} {response.status_code // 100}xx"] += 1

    return one


def fuzz(api_schema, browser, run: str, skip=frozenset()) -> list[str]:
    """Every operation, valid and invalid requests, EXAMPLES of each from a fixed seed; the failures found."""
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in skip:
            continue
        FIGURES[f"{run} operations"] += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _one_operation(operation, mode, browser, run, failures)()
            except Unsatisfiable:
                FIGURES[f"{run} operations without invalid requests"] += mode == GenerationMode.NEGATIVE
    return failures


def test_api_as_a_kiosk_without_sign_in(api_schema, anonymous):
    failures = fuzz(api_schema, anonymous, "anonymous")
    assert not failures, "\n".join(failures)


def test_api_signed_in_as_an_officer(api_schema, officer):
    failures = fuzz(api_schema, officer, "officer", skip=NOT_SIGNED_IN_RUN)
    assert not failures, "\n".join(failures)
