"""Realtime carries events for the screens without knowing them: hooks are registered once, run after a call or
an event, and a failure anywhere is logged with its cause, never swallowed and never undoing the change."""

from __future__ import annotations

import logging

from realtime import hooks, publish


def test_hooks_run_in_order_and_a_failing_one_is_logged_with_its_cause(caplog, monkeypatch):
    monkeypatch.setattr(hooks, "_call_hooks", [])
    ran = []

    def broken(emitter, db, call, token):
        raise ValueError("phone room unreachable")

    def fine(emitter, db, call, token):
        ran.append((call["code"], token))

    hooks.on_call(broken)
    hooks.on_call(fine)
    hooks.on_call(fine)  # registering twice (a second app in one process) keeps one
    with caplog.at_level(logging.ERROR, logger="realtime.hooks"):
        hooks.after_call(None, None, {"code": "B-001"}, "tok")
    assert ran == [("B-001", "tok")]
    assert "broken failed" in caplog.text and "ValueError: phone room unreachable" in caplog.text


def test_event_hooks_get_the_events_data(monkeypatch):
    monkeypatch.setattr(hooks, "_event_hooks", {})
    seen = []
    hooks.on_event("request_changed")(lambda emitter, db, data: seen.append(data))
    hooks.after_event(None, None, "request_changed", {"id": 7})
    hooks.after_event(None, None, "ticket_issued", {"id": 8})
    assert seen == [{"id": 7}]


def test_a_failed_broadcast_is_logged_and_does_not_raise(app, caplog):
    with app.app_context(), caplog.at_level(logging.ERROR, logger="realtime.publish"):
        publish(999_999, event="ticket_issued", data={})  # no such office: the broadcast cannot be built
    assert "broadcast for office 999999 failed" in caplog.text and "Traceback" in caplog.text
