"""The office's set-up, live in every server process: the database's values laid over the settings.

After an admin change the process that made it lays the values over at once (`refresh`); every other process
sees the office's setup_version move on at its next request (checked at most every CHECK_EVERY seconds) or is
told by realtime's 'office changed' hook."""

from __future__ import annotations

import logging
import threading
import time

from flask import current_app
from sqlmodel import select

import realtime
from models import Counter, Office
from rules import office_setup

log = logging.getLogger(__name__)
CHECK_EVERY = 2.0


class _State:
    def __init__(self):
        self.version = None
        self.checked = 0.0
        self.lock = threading.Lock()


def _state(app) -> _State:
    return app.extensions.setdefault("loket.setup_state", _State())


def refresh(app=None, *, force: bool = True) -> None:
    """Lay the office's set-up over this process's settings and printing stations (when it changed)."""
    app = app or current_app._get_current_object()
    state = _state(app)
    now = time.monotonic()
    if not force and now - state.checked < CHECK_EVERY:
        return
    settings = app.extensions["loket.settings"]
    with state.lock:
        state.checked = now
        try:
            with app.extensions["loket.db"].read() as s:
                office = s.exec(select(Office).where(Office.code == settings.office.code)).first()
                if office is None or (not force and office.setup_version == state.version):
                    return
                office_setup.lay_over(settings, office)
                printing = app.extensions.get("loket.printing")
                if printing is not None:
                    for c in s.exec(select(Counter).where(Counter.office_id == office.id)):
                        if c.printer and c.printer in printing.printers:
                            printing.stations[f"counter-{c.number}"] = c.printer
                state.version = office.setup_version
        except Exception:  # a database not migrated yet (first start, a command): config.toml's values hold
            log.debug("office set-up not laid over", exc_info=True)


def init_app(app) -> None:
    @app.before_request
    def _check_setup():
        refresh(app, force=False)

    realtime.on_office_changed(_told)


def _told(app, office_id: int) -> None:
    """Another process changed something at the office: look again at the next request."""
    if "loket.setup_state" in app.extensions:
        _state(app).checked = 0.0
