"""Each printer's state for the supervisor: reachable, answering, paper, last error and how many jobs wait for it."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from clock import iso
from models import PrinterState, PrintJob, PrintJobStatus
from printer.config import PrintingConfig
from printer.jobs import PRINTER_STATION


def _printing(printing: PrintingConfig | None) -> PrintingConfig:
    if printing is not None:
        return printing
    from flask import current_app

    return current_app.extensions["loket.printing"]


# Summary states (the supervisor's chip) and the conditions behind them (the printers page says which).
CONDITIONS = ("ready", "paper_low", "paper_out", "offline", "hung", "unreachable", "unknown", "none")
WAITING = (PrintJobStatus.queued, PrintJobStatus.sending, PrintJobStatus.failed)
DECIDING = (PrintJobStatus.needs_decision, PrintJobStatus.unconfirmed)


def condition(state: PrinterState | None, backend: str) -> str:
    """How a printer is, in one word: ready, paper_low, paper_out, offline (it says so), hung (takes the
    connection but does not answer), unreachable, unknown (not asked yet) or none (no printer)."""
    if backend == "none":
        return "none"
    if state is None or state.reachable is None:
        return "unknown"
    if state.responding is False:
        return "hung"
    if state.reachable is False:
        return "unreachable"
    if state.online is False:
        return "offline"
    if state.paper == "out":
        return "paper_out"
    if state.paper == "low":
        return "paper_low"
    return "ready"


def describe(cfg) -> str:
    """Where a printer is, in a few words (no secrets: printers have none)."""
    return {
        "network": lambda: f"{getattr(cfg, 'host', '')}:{getattr(cfg, 'port', '')}",
        "usb": lambda: f"USB {getattr(cfg, 'vendor_id', 0):04x}:{getattr(cfg, 'product_id', 0):04x}",
        "serial": lambda: getattr(cfg, "device", ""),
        "cups": lambda: f"CUPS {getattr(cfg, 'queue', '')}",
        "file": lambda: getattr(cfg, "path", "") or getattr(cfg, "directory", ""),
        "none": lambda: "",
    }[cfg.backend]()


def printer_states(session: Session, office_id: int, printing: PrintingConfig | None = None) -> list[dict]:
    """One dict per configured printer: name, label, backend, where, paper_mm, dots, columns, profile, stations,
    reachable (True/False/None), responding (False: hung), online, paper ("ok"/"low"/"out"/""), condition (see
    `condition`), last_error, checked_at, failing_since, last_printed_at, queue (jobs waiting or retrying),
    failing, needs_decision (interrupted or unconfirmed: a person decides), unconfirmed, and a summary `state`:
    ok / warning / error / unknown / none."""
    printing = _printing(printing)
    counts: dict[tuple[str, str], int] = {}
    rows = session.exec(
        select(PrintJob.station, PrintJob.status, func.count())
        .where(
            PrintJob.office_id == office_id,
            PrintJob.status.in_(WAITING + DECIDING),
        )
        .group_by(PrintJob.station, PrintJob.status)
    ).all()
    for station, status, n in rows:
        if station.startswith(PRINTER_STATION):
            name = station[len(PRINTER_STATION) :]
        else:
            target = printing.printer_for(station)
            name = target[0] if target else ""
        counts[(name, status)] = counts.get((name, status), 0) + n
    states = {s.name: s for s in session.exec(select(PrinterState))}
    out = []
    for name, cfg in printing.printers.items():
        st = states.get(name)
        queue = sum(counts.get((name, s), 0) for s in WAITING)
        failing = counts.get((name, PrintJobStatus.failed), 0)
        unconfirmed = counts.get((name, PrintJobStatus.unconfirmed), 0)
        deciding = counts.get((name, PrintJobStatus.needs_decision), 0) + unconfirmed
        reachable = st.reachable if st else None
        paper = st.paper if st else ""
        cond = condition(st, cfg.backend)
        if cfg.backend == "none":
            summary = "none"
        elif failing or deciding or cond in ("hung", "unreachable", "offline", "paper_out"):
            summary = "error"
        elif cond == "paper_low":
            summary = "warning"
        elif cond == "ready":
            summary = "ok"
        else:
            summary = "unknown"
        out.append(
            {
                "name": name,
                "label": cfg.label or name,
                "label_en": cfg.label_en or cfg.label or name,
                "backend": cfg.backend,
                "where": describe(cfg),
                "paper_mm": cfg.paper_mm,
                "dots": cfg.line_dots,
                "columns": cfg.line_columns,
                "profile": cfg.profile,
                "stations": printing.stations_of(name),
                "reachable": reachable,
                "responding": st.responding if st else None,
                "online": st.online if st else None,
                "paper": paper,
                "condition": cond,
                "last_error": st.last_error if st else "",
                "checked_at": iso(st.checked_at) if st else None,
                "failing_since": iso(st.failing_since) if st else None,
                "last_printed_at": iso(st.last_printed_at) if st else None,
                "queue": queue,
                "failing": failing,
                "needs_decision": deciding,
                "unconfirmed": unconfirmed,
                "state": summary,
            }
        )
    # Stations nobody configured still get jobs (a kiosk sends its own name): show them too.
    orphans = sum(n for (name, status), n in counts.items() if name == "")
    if orphans:
        out.append(
            {
                "name": "",
                "label": "",
                "backend": "",
                "where": "",
                "paper_mm": None,
                "dots": None,
                "columns": None,
                "profile": "",
                "stations": [],
                "reachable": None,
                "responding": None,
                "online": None,
                "paper": "",
                "condition": "unknown",
                "last_error": "jobs for a station without a configured printer",
                "checked_at": None,
                "failing_since": None,
                "last_printed_at": None,
                "queue": orphans,
                "failing": 0,
                "needs_decision": 0,
                "unconfirmed": 0,
                "state": "error",
            }
        )
    return out
