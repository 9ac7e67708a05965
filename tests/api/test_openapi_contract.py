"""The JSON API is a contract: moving endpoints between screens must not change its paths or methods."""

from __future__ import annotations

import json
from pathlib import Path

RECORDED = Path(__file__).with_name("openapi_operations.json")
METHODS = ("get", "post", "put", "patch", "delete")


def test_paths_and_methods_are_the_recorded_ones(api):
    spec = api.get("/api/openapi.json").get_json()
    operations = sorted(f"{m.upper()} {path}" for path, item in spec["paths"].items() for m in item if m in METHODS)
    recorded = json.loads(RECORDED.read_text())
    assert set(operations) - set(recorded) == set(), "new operations: add them to openapi_operations.json"
    assert set(recorded) - set(operations) == set(), "operations gone: a client relying on them would break"
