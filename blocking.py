"""Work that computes for tens of milliseconds without yielding, moved off the event loop under gevent.

The production server runs gevent (docs/DEPLOY.md): every request and websocket of a process shares one OS
thread, and a greenlet that computes without doing I/O stops all the others until it is done. A sign-in's
password check (scrypt, ~70 ms) or an invoice or report PDF (30 ms to seconds) would pause every wall display
of the process for that long. `off_loop(fn, ...)` runs such work in gevent's pool of real OS threads: the
calling greenlet waits, the others go on (scrypt releases the GIL; reportlab shares it every few ms).

Outside gevent (tests, commands, the development server, gthread workers) it simply calls `fn`. The caller's
context variables travel with the call, so Flask's application and request contexts (and so `_()` and the
screen's language) work inside `fn`; the caller waits meanwhile, so nothing uses them twice at once.
"""

from __future__ import annotations

import contextvars
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def _on_gevent() -> bool:
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("threading")


def off_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)`, in a real thread when the process runs on gevent; its result or its exception."""
    if not _on_gevent():
        return fn(*args, **kwargs)
    context = contextvars.copy_context()
    return _pool().apply(context.run, (fn, *args), kwargs)


_threads = None


def _pool():
    """Its own pool, as many threads as cores: the work is CPU-bound, and each scrypt takes 32 MB while it runs
    (ten sign-ins at once in gevent's default pool of ten took the process from 130 to 430 MB). gevent's own
    pool stays free for what it runs there (DNS lookups)."""
    global _threads
    if _threads is None:
        from gevent.threadpool import ThreadPool

        _threads = ThreadPool(maxsize=max(2, os.cpu_count() or 2))
    return _threads
