"""Every browser test fails on a console error or an uncaught page error.

The `browser` fixture hands each test a `WatchedBrowser`: every context it opens reports its pages' console
messages of type "error" and their uncaught exceptions ("pageerror") here, and the fixture fails the test at
teardown when any were seen. A test that provokes an error on purpose says so with `expect_console_error`.

ALLOWED lists the only messages ignored everywhere; each has its reason. Keep it narrow: fix the cause instead.
"""

from __future__ import annotations

import re

ALLOWED: tuple[re.Pattern, ...] = ()


class WatchedBrowser:
    """The session's Chromium, recording the errors of every context a test opens through it."""

    def __init__(self, browser):
        self._browser = browser
        self.errors: list[str] = []
        self.expected: list[re.Pattern] = []

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **kw):
        context = self._browser.new_context(**kw)
        watch(context, self.errors)
        return context

    def new_page(self, **kw):
        return self.new_context(**kw).new_page()

    def expect_console_error(self, pattern: str) -> None:
        """A test that causes an error on purpose names it (a regular expression)."""
        self.expected.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in (*ALLOWED, *self.expected))]


def watch(context, errors: list[str]) -> None:
    def on_console(message):
        if message.type == "error":
            location = message.location or {}
            errors.append(f"console.error: {message.text} ({location.get('url', '')}:{location.get('lineNumber', '')})")

    def on_page_error(error):
        errors.append(f"pageerror: {error}")

    def on_page(page):
        page.on("console", on_console)
        page.on("pageerror", on_page_error)

    context.on("page", on_page)
