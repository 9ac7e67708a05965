"""What screens ask the plumbing to tell them. Realtime calls these hooks and never imports a screen.

A screen registers a plain function once, at import (the visitor's phone does, in phone/live.py):
- `on_call(fn)`: fn(emitter, db, call, token) after a call is announced to the office's rooms;
- `on_event(name)(fn)`: fn(emitter, db, data) after the named event was sent (e.g. 'request_changed');
- `on_office_changed(fn)`: fn(app, office_id) in every server process when something at an office changed.
A hook that fails is logged with its cause; it never undoes or fails the change already committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

_call_hooks: list[Callable] = []
_event_hooks: dict[str, list[Callable]] = {}
_office_hooks: list[Callable] = []


def _add(hooks: list, fn: Callable) -> Callable:
    if fn not in hooks:  # importing a screen twice (a second app in one process) registers it once
        hooks.append(fn)
    return fn


def on_call(fn: Callable) -> Callable:
    """Register fn(emitter, db, call, token), run after every call or recall."""
    return _add(_call_hooks, fn)


def on_event(name: str) -> Callable[[Callable], Callable]:
    """Register fn(emitter, db, data), run after the event `name` was sent."""
    return lambda fn: _add(_event_hooks.setdefault(name, []), fn)


def on_office_changed(fn: Callable) -> Callable:
    """Register fn(app, office_id), run in each server process after a change at the office."""
    return _add(_office_hooks, fn)


def _run(fn: Callable, *args) -> None:
    try:
        fn(*args)
    except Exception:
        log.exception("realtime hook %s.%s failed", fn.__module__, fn.__qualname__)


def after_call(emitter, db, call: dict, token: str | None) -> None:
    for fn in list(_call_hooks):
        _run(fn, emitter, db, call, token)


def after_event(emitter, db, name: str, data: dict) -> None:
    for fn in list(_event_hooks.get(name, ())):
        _run(fn, emitter, db, data)


def office_changed_here(app, office_id: int) -> None:
    for fn in list(_office_hooks):
        _run(fn, app, office_id)
