"""blocking.off_loop: under gevent, CPU-bound work (scrypt, PDFs) runs in a real thread with the caller's context
(so Flask's `_()` and the screen's language work there); elsewhere it is a plain call."""

from __future__ import annotations

import json
import subprocess
import threading

from bench import procs
from blocking import off_loop

UNDER_GEVENT = r"""
from gevent import monkey
monkey.patch_all()
import contextvars, json, threading, time
import gevent
from blocking import off_loop

language = contextvars.ContextVar("language")
language.set("id")
ticks = []

def clock():  # another greenlet: it must keep running while the work computes
    while len(ticks) < 1000:
        ticks.append(time.monotonic())
        gevent.sleep(0.005)

def work():
    ticks_before = len(ticks)
    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        sum(range(1000))  # compute without yielding
    return {"thread": threading.get_native_id(), "language": language.get(), "ticks_during": len(ticks) - ticks_before}

g = gevent.spawn(clock)
gevent.sleep(0.02)
result = off_loop(work)
result["caller"] = threading.get_native_id()
try:
    off_loop(lambda: 1 / 0)
except ZeroDivisionError:
    result["raised"] = True
g.kill()
print(json.dumps(result))
"""


def test_under_gevent_the_work_runs_in_a_real_thread_with_the_callers_context_while_the_loop_goes_on():
    out = subprocess.run(
        [procs.PYTHON, "-c", UNDER_GEVENT], cwd=procs.ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["thread"] != result["caller"]  # another OS thread
    assert result["language"] == "id"  # the caller's context travelled
    assert result["ticks_during"] > 5  # the other greenlet kept running meanwhile (it would be 0 on the loop)
    assert result["raised"] is True  # the work's exception reaches the caller


def test_without_gevent_it_is_a_plain_call_in_the_callers_thread():
    assert off_loop(threading.get_native_id) == threading.get_native_id()
    assert off_loop(lambda a, b=0: a + b, 2, b=3) == 5
