"""The layout is the design: the arrows between packages point one way, and no module grows past a page count.

- `rules/` imports no Flask (nor anything web): tests, commands and every screen call the same plain functions;
- `realtime` imports no screen: screens register their hooks with it, never the other way round;
- `models` imports neither rules nor screens;
- no Python module of the repository reaches 600 lines.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENS = {
    "api",
    "auth",
    "kiosk",
    "counter",
    "treasurer",
    "display",
    "supervisor",
    "phone",
    "verify",
    "printer",
    "privacy",
}
WEB = {
    "flask",
    "flask_babel",
    "flask_login",
    "flask_socketio",
    "flask_wtf",
    "spectree",
    "socketio",
    "engineio",
    "jinja2",
}
MAX_LINES = 600


def tracked(pattern: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", pattern], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / line for line in out.splitlines() if (ROOT / line).exists()]


def imported_roots(path: Path) -> set[str]:
    """The top-level names a module imports, at any depth (an import inside a function counts too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def offenders(folder: str, forbidden: set[str]) -> dict[str, list[str]]:
    found = {}
    for path in tracked(f"{folder}/*.py") + tracked(f"{folder}.py"):
        bad = sorted(imported_roots(path) & forbidden)
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def test_the_rules_import_no_flask_and_no_screen():
    assert offenders("rules", WEB | SCREENS | {"realtime", "extensions", "i18n", "links"}) == {}


def test_realtime_imports_no_screen():
    assert offenders("realtime", SCREENS) == {}


def test_models_import_neither_rules_nor_screens():
    assert offenders("models", SCREENS | WEB | {"rules", "realtime"}) == {}


@pytest.mark.parametrize("folder", ["rules", "realtime"])
def test_the_check_sees_an_offending_import(tmp_path, folder, monkeypatch):
    """The checks above would fail on an offending module (they read every import, also inside functions)."""
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from flask import request\n    import kiosk.api\n")
    assert {"flask", "kiosk"} <= imported_roots(module)


def test_no_module_reaches_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in tracked("*.py") if (n := len(p.read_text().splitlines())) >= MAX_LINES}
    assert long == {}, "split these modules by what they do"
