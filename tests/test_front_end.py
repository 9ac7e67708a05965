"""The front end keeps its shape: one toolkit, no inline scripts, no rule of the counter in JavaScript.

- no template holds an executable inline <script> or an on*= handler: page data travels in
  <script type="application/json"> blocks, so a Content-Security-Policy without 'unsafe-inline' fits every page;
- the screen scripts use static/js/loket.js (Loket.$, Loket.live, ...) instead of their own copies;
- the scripts that show the 10-minute clock hold none of its numbers: the server sends amber_at and deadline_at.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from tests.test_layout import ROOT, tracked

TOOLKIT = ROOT / "static" / "js" / "loket.js"
# The scripts that show a running limit clock (the phone shows its deadline), and the toolkit they share.
CLOCK_SCRIPTS = ["display/static/display.js", "counter/static/counter.js", "supervisor/static/live.js"]
CLOCK_SCRIPTS += ["phone/static/phone.js", "static/js/loket.js"]


def templates() -> list[Path]:
    return [p for p in tracked("*.html") if "templates" in p.parts]


def screen_scripts() -> list[Path]:
    return [p for p in tracked("*.js") if "vendor" not in p.parts and p != TOOLKIT]


class ScriptsAndHandlers(HTMLParser):
    """Collects what would run inline: <script> bodies that are not data, on*= attributes, javascript: links."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._inline: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=...> (an inline event handler)")
            if name.lower() in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}> (a javascript: URL)")
        if tag == "script":
            kind = (a.get("type") or "").lower()
            if kind == "application/json":
                if not a.get("id"):
                    self.problems.append("<script type=application/json> without an id: Loket.data() cannot find it")
                self._inline = None
            elif "src" in a:
                self._inline = "src"  # its body must stay empty
            else:
                self.problems.append(f"<script {' '.join(k for k in a)}> without src (an inline script)")
                self._inline = None

    def handle_data(self, data):
        if self._inline == "src" and data.strip():
            self.problems.append("<script src=...> with a body")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline = None


def test_templates_hold_no_inline_script_and_no_inline_handler():
    found = {}
    for path in templates():
        parser = ScriptsAndHandlers()
        parser.feed(path.read_text(encoding="utf-8"))
        if parser.problems:
            found[str(path.relative_to(ROOT))] = parser.problems
    assert templates(), "no templates found"
    assert found == {}, "move page data into <script type='application/json'> blocks, handlers into the scripts"


def test_the_checker_catches_what_it_should():
    parser = ScriptsAndHandlers()
    parser.feed('<script>window.T = {};</script><button onclick="go()">x</button><a href="javascript:go()">y</a>')
    parser.feed('<script src="/a.js"></script><script type="application/json" id="strings">{"a": 1}</script>')
    assert len(parser.problems) == 3


def test_screen_scripts_use_the_toolkit_rather_than_their_own_helpers():
    own = re.compile(r"(?:\b(?:const|let|var)\s+\$\s*=)|(?:\bfunction\s+\$\s*\()|getElementById|\bio\s*\(")
    found = {
        str(p.relative_to(ROOT)): sorted(set(own.findall(p.read_text(encoding="utf-8"))))
        for p in screen_scripts()
        if own.search(p.read_text(encoding="utf-8"))
    }
    assert screen_scripts(), "no screen scripts found"
    assert found == {}, "use Loket.$ and Loket.live (static/js/loket.js)"


def test_no_limit_constant_in_javascript():
    """The amber share and the limit are the server's (rules/service_limit.py): no 180 s, 70 % or 10 minutes here."""
    rule = re.compile(r"(?<![\w.])(?:180|0?\.7|600|0\.70)(?![\w.])|amber_share|AMBER_SHARE|service_limit_minutes")
    found = {}
    for name in CLOCK_SCRIPTS:
        text = (ROOT / name).read_text(encoding="utf-8")
        text = re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)  # what the comments say does not run
        hits = rule.findall(text)
        if hits:
            found[name] = hits
    assert found == {}, "compare the server-synced time with amber_at / deadline_at (Loket.limitState) instead"
