"""Each printer's state for the supervisor: reachable, paper, last error and how many jobs wait for it."""

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
    """One dict per configured printer: name, label, backend, where, paper_mm, profile, stations, reachable
    (True/False/None), online, paper ("ok"/"low"/"out"/""), last_error, checked_at, last_printed_at, queue (jobs
    waiting or retrying), failing, needs_decision, and a summary `state`: ok / warning / error / unknown / none."""
    printing = _printing(printing)
    counts: dict[tuple[str, str], int] = {}
    rows = session.exec(
        select(PrintJob.station, PrintJob.status, func.count())
        .where(
            PrintJob.office_id == office_id,
            PrintJob.status.in_(
                (PrintJobStatus.queued, PrintJobStatus.sending, PrintJobStatus.failed, PrintJobStatus.needs_decision)
            ),
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
        queue = sum(
            counts.get((name, s), 0) for s in (PrintJobStatus.queued, PrintJobStatus.sending, PrintJobStatus.failed)
        )
        failing = counts.get((name, PrintJobStatus.failed), 0)
        deciding = counts.get((name, PrintJobStatus.needs_decision), 0)
        reachable = st.reachable if st else None
        paper = st.paper if st else ""
        if cfg.backend == "none":
            summary = "none"
        elif failing or deciding or reachable is False or paper == "out" or (st and st.online is False):
            summary = "error"
        elif paper == "low":
            summary = "warning"
        elif reachable:
            summary = "ok"
        else:
            summary = "unknown"
        out.append(
            {
                "name": name,
                "label": cfg.label or name,
                "backend": cfg.backend,
                "where": describe(cfg),
                "paper_mm": cfg.paper_mm,
                "profile": cfg.profile,
                "stations": printing.stations_of(name),
                "reachable": reachable,
                "online": st.online if st else None,
                "paper": paper,
                "last_error": st.last_error if st else "",
                "checked_at": iso(st.checked_at) if st else None,
                "last_printed_at": iso(st.last_printed_at) if st else None,
                "queue": queue,
                "failing": failing,
                "needs_decision": deciding,
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
                "profile": "",
                "stations": [],
                "reachable": None,
                "online": None,
                "paper": "",
                "last_error": "jobs for a station without a configured printer",
                "checked_at": None,
                "last_printed_at": None,
                "queue": orphans,
                "failing": 0,
                "needs_decision": 0,
                "state": "error",
            }
        )
    return out
