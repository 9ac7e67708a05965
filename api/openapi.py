"""The OpenAPI document as the server enforces it: spectree's document from the routes and their pydantic
models, plus what the guards in security/ enforce on every route, so that a client (and schemathesis) reads
the real contract:

- ids in paths are 0 .. 2^63 - 1 (security/inputs.BoundedInteger: beyond it, 404);
- no control characters or direction overrides in any string parameter or body field (security/inputs.py);
- a JSON body carries only the fields its operation declares (additionalProperties: false, refused with 400),
  and its integers fit in 64 bits;
- every operation may answer 400 (a malformed request, a missing CSRF token) and the rate-limited ones 429.
"""

from __future__ import annotations

import copy
import re
import threading

from flask import Flask

from rules.text import LINE_PATTERN, TEXT_PATTERN
from security.inputs import MAX_ID

ERROR_REF = "#/components/schemas/Error"


def openapi_path(rule: str) -> str:
    """'/api/counters/<int:counter_id>' -> '/api/counters/{counter_id}'."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _error_ref(spec: dict) -> str:
    """The error shape's component name (spectree suffixes a hash)."""
    for name in spec.get("components", {}).get("schemas", {}):
        if name.split(".")[0] == "Error":
            return f"#/components/schemas/{name}"
    return ERROR_REF


def _resolve(spec: dict, schema: dict) -> dict:
    """A schema, or the component its $ref names."""
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def _strings(spec: dict, schema: dict, seen: set) -> None:
    """Patterns on every string field of a request body schema, extra fields refused (recursively)."""
    schema = _resolve(spec, schema)
    if id(schema) in seen:
        return
    seen.add(id(schema))
    if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
        schema.setdefault("pattern", TEXT_PATTERN)
    if schema.get("type") == "integer":
        schema.setdefault("maximum", MAX_ID)
        schema.setdefault("minimum", -MAX_ID - 1)
    if schema.get("type") == "object" or "properties" in schema:
        schema.setdefault("additionalProperties", False)
    for sub in (schema.get("properties") or {}).values():
        _strings(spec, sub, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _strings(spec, schema[key], seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key) or []:
            _strings(spec, sub, seen)


def document(spec: dict, *, limited_paths: set[tuple[str, str]] = frozenset()) -> dict:
    """The served document: a copy of spectree's with the guards' rules written in."""
    spec = copy.deepcopy(spec)
    error = {"content": {"application/json": {"schema": {"$ref": _error_ref(spec)}}}}
    seen: set = set()
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for p in op.get("parameters", []):
                schema = p.setdefault("schema", {})
                if schema.get("type") == "integer" and p.get("in") == "path":
                    schema.update({"format": "int64", "minimum": 0, "maximum": MAX_ID})
                elif schema.get("type") == "string" and "enum" not in schema:
                    schema.setdefault("pattern", LINE_PATTERN)
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                _strings(spec, body, seen)
            responses = op["responses"]
            # Every refusal of a malformed request has the one error shape (extensions._validation_error_body
            # rewrites spectree's), whoever refused it: the CSRF check, the guards, the model, the rule.
            responses["400"] = {"description": "Bad Request", **error}
            if (method.upper(), path) in limited_paths:
                responses.setdefault(
                    "429",
                    {
                        "description": "Too Many Requests (see the Retry-After header)",
                        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                        **error,
                    },
                )
    return spec


def limited(app: Flask) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every rate-limited route of the app."""
    from security.limits import is_limited

    out = set()
    for rule in app.url_map.iter_rules():
        if is_limited(rule.endpoint):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                out.add((method, openapi_path(rule.rule)))
    return out


_building = threading.Lock()


def served(app: Flask) -> dict:
    """This app's document, built once: by the first request that needs it, while the others wait (spectree builds
    its spec on first use too, and threads building it together saw it half-built)."""
    from extensions import api_spec

    doc = app.extensions.get("loket.openapi")
    if doc is None:
        with _building:
            doc = app.extensions.get("loket.openapi")
            if doc is None:
                doc = app.extensions["loket.openapi"] = document(api_spec.spec, limited_paths=limited(app))
    return doc


def declared_fields(app: Flask, method: str, rule: str) -> set[str] | None:
    """The JSON body fields an operation declares, or None when it declares no object body."""
    doc = served(app)
    op = doc.get("paths", {}).get(openapi_path(rule), {}).get(method.lower())
    if not op:
        return None
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if not body:
        return None
    schema = _resolve(doc, body)
    if schema.get("additionalProperties", True) is not False:
        return None
    return set(schema.get("properties") or {})
