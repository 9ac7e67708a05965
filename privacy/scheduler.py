"""The daily personal-data purge as a thread of the server process (like the print worker): from [privacy]
purge_hour (office time) it claims the office day with a compare-and-set on its run row, so of several server
processes exactly one runs it each day; `manage.py purge-personal-data` runs it by hand."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime

import clock
from rules import retention

log = logging.getLogger("loket.purge")


class DailyPurge:
    """Checks every few minutes whether today's purge is due and not yet claimed; runs it once."""

    def __init__(self, app, *, check_seconds: float = 300):
        """A purge looker for one app, named like a print worker's lease holder."""
        self.app = app
        self.check_seconds = check_seconds
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def due_day(self, now: datetime):
        """The office day whose purge is due at `now` (None before purge_hour)."""
        settings = self.app.extensions["loket.settings"]
        local = now.astimezone(settings.tz)
        return local.date() if local.hour >= settings.privacy.purge_hour else None

    def run_once(self, now: datetime | None = None) -> retention.Summary | None:
        """Run today's purge if it is due and this process claims it; None otherwise."""
        from privacy.commands import run_purge

        now = now or clock.utcnow()
        day = self.due_day(now)
        if day is None:
            return None
        db = self.app.extensions["loket.db"]
        with db.write() as s:
            if not retention.claim_day(s, day=day, holder=self.holder, now=now):
                return None
        summary = run_purge(self.app, now=now)
        with db.write() as s:
            retention.finish_run(s, summary, now=clock.utcnow())
        log.info("personal-data purge of %s: %s", day, ", ".join(f"{k}={v}" for k, v in sorted(summary.counts.items())))
        return summary

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set: look every check_seconds."""
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("personal-data purge failed; it is tried again at the next check")
            stop.wait(self.check_seconds)


def start_in_process(app) -> threading.Event | None:
    """Start the daily purge thread unless told not to (tests, LOKET_PURGE=0 to leave it to a cron job)."""
    if os.environ.get("LOKET_PURGE", "1").lower() in ("0", "false", "no"):
        return None
    if not app.config.get("PURGE_WORKER", not app.testing):
        return None
    stop = threading.Event()
    threading.Thread(target=DailyPurge(app).run, args=(stop,), name="personal-data-purge", daemon=True).start()
    app.extensions["loket.purge_stop"] = stop
    return stop
