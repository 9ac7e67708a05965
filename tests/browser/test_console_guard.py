"""The guard every browser test runs under (tests/browser_errors.py): console errors and uncaught page errors are
caught, and only what a test names is let through."""

from __future__ import annotations

from tests.browser_errors import WatchedBrowser


def test_console_errors_and_uncaught_exceptions_are_caught(chromium, live_server):
    watched = WatchedBrowser(chromium)
    ctx = watched.new_context()
    page = ctx.new_page()
    page.goto(f"{live_server.url}/login")
    page.evaluate("() => console.error('broken on purpose')")
    page.evaluate("() => setTimeout(() => { throw new Error('uncaught on purpose'); }, 0)")
    page.wait_for_timeout(200)
    page.evaluate("() => fetch('/no-such-page')")  # a 404 the page did not expect
    page.wait_for_timeout(300)
    ctx.close()
    problems = watched.unexpected()
    assert any("broken on purpose" in p for p in problems)
    assert any(p.startswith("pageerror:") and "uncaught on purpose" in p for p in problems)
    assert any("status of 404" in p and "/no-such-page" in p for p in problems)

    watched.expect_console_error(r"status of 404 .*/no-such-page")  # what a test names is let through
    assert not any("/no-such-page" in p for p in watched.unexpected())
    assert len(watched.unexpected()) == 2
