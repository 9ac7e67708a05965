"""Printing benchmark: how long rendering takes (ESC/POS ticket slip, invoice/receipt slips, A4 PDFs) and how
long the print worker takes from a queued ticket to bytes written (file printer, real SQLite database).

    .venv/bin/python bench/bench_printing.py            # 200 rounds each (fewer for the long PDF)
    .venv/bin/python bench/bench_printing.py --rounds 50

Figures only (no pass/fail): median, 95th percentile and mean in milliseconds, and the output size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from printer import documents as D
from printer import pdf, samples, slips
from printer.config import PrintingConfig

PRINTERS = PrintingConfig.model_validate(
    {
        "printers": {
            "epson80": {"backend": "none", "paper_mm": 80, "profile": "TM-T20II"},
            "cheap58": {"backend": "none", "paper_mm": 58, "profile": "POS-5890"},
        }
    }
).printers


def ticket() -> D.TicketDoc:
    return D.TicketDoc(
        office=D.OfficeInfo(**samples.OFFICE),
        service="Penjualan Produk Statistik",
        code="B-012",
        issued_at=datetime(2026, 11, 30, 1, 7, tzinfo=UTC),
        ahead=3,
        estimate_minutes=24,
        status_url="http://pst.bps1600.local/s/K63UMeA4WRGf9ObITt-AK_-UFusJTaJt",
        complaints={"lapor": "www.lapor.go.id", "email": "bps1600@bps.go.id", "whatsapp": "0813-3378-3485"},
    )


def measure(name: str, fn, rounds: int) -> None:
    fn()  # warm up (imports, font metrics, caches)
    times, size = [], 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
        size = len(out) if isinstance(out, (bytes, bytearray)) else size
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(
        f"{name:<44} {statistics.median(times):8.2f} {p95:8.2f} {statistics.fmean(times):8.2f} "
        f"{size:>9,} B  (n={rounds})"
    )


def worker_round_trip(rounds: int) -> None:
    """Queued ticket -> printed file, through the real worker and a migrated SQLite file."""
    from sqlmodel import select

    from commands import migrate
    from db import Database
    from models import PrintJob
    from printer import jobs
    from printer.config import load
    from printer.worker import PrintWorker
    from rules import offices, tickets
    from settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        migrate(url)
        base = load_settings(env={"LOKET_ALWAYS_OPEN": "1"})
        settings = base.model_copy(
            update={
                "printers": {"kiosk": {"backend": "file", "directory": f"{tmp}/prints", "profile": "TM-T20II"}},
                "stations": {"kiosk-1": "kiosk"},
            }
        )
        db = Database(url)
        with db.write() as s:
            office = offices.sync_from_settings(s, settings)
            service = offices.services(s, office.id)[0]
        worker = PrintWorker(db, settings, load(settings), probe_seconds=0)
        worker.acquire_lease()
        times = []
        for _ in range(rounds):
            with db.write() as s:
                t = tickets.issue_ticket(s, office=office, service=service)
                jobs.enqueue_ticket(s, t, station="kiosk-1")
            t0 = time.perf_counter()
            assert worker.run_once() == 1
            times.append((time.perf_counter() - t0) * 1000)
        with db.read() as s:
            printed = len(s.exec(select(PrintJob).where(PrintJob.status == "printed")).all())
        worker.release_lease()
        db.dispose()
    times.sort()
    print(
        f"{'worker: claim, render, write, record':<44} {statistics.median(times):8.2f} "
        f"{times[int(len(times) * 0.95)]:8.2f} {statistics.fmean(times):8.2f} {'':>11}  "
        f"(n={rounds}, {printed} printed)"
    )


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=200)
    args = p.parse_args(argv)
    n = args.rounds
    doc = ticket()
    print(f"{'what':<44} {'median':>8} {'p95':>8} {'mean':>8} {'size':>11}   (milliseconds)")
    measure("ticket slip, ESC/POS, 80 mm native QR", lambda: slips.ticket_slip(doc, PRINTERS["epson80"]), n)
    measure("ticket slip, ESC/POS, 58 mm QR as image", lambda: slips.ticket_slip(doc, PRINTERS["cheap58"]), n)
    measure("invoice slip, ESC/POS, 80 mm", lambda: slips.invoice_slip(samples.invoice(), PRINTERS["epson80"]), n)
    measure("receipt slip, ESC/POS, 80 mm", lambda: slips.receipt_slip(samples.receipt(), PRINTERS["epson80"]), n)
    measure("invoice PDF, A4, 4 lines", lambda: pdf.invoice_pdf(samples.invoice()), n)
    measure("receipt PDF, A4, 4 lines", lambda: pdf.receipt_pdf(samples.receipt()), n)
    long = samples.invoice(lines=samples.many_lines(60), total=60 * 22000)
    measure("invoice PDF, A4, 60 lines (3 pages)", lambda: pdf.invoice_pdf(long), max(n // 5, 5))
    worker_round_trip(max(n // 2, 10))


if __name__ == "__main__":
    main()
