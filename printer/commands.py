"""Print commands: `manage.py print-worker`, `print-test-page NAME`, `printers`."""

from __future__ import annotations

import signal
import threading

import click
from flask import Flask

from extensions import get_db, get_settings


def register(app: Flask) -> None:
    @app.cli.command("print-worker")
    @click.option("--once", is_flag=True, help="send what is due now, then stop")
    @click.option("--poll", default=1.0, show_default=True, help="seconds between looks at an idle queue")
    @click.option("--probe", default=5.0, show_default=True, help="seconds between status checks of an idle printer")
    @click.option("--retry", default=0.5, show_default=True, help="seconds between probes of a failing printer")
    def print_worker(once, poll, probe, retry):
        """Send queued print jobs, one queue per printer, oldest first (one worker sends at a time)."""
        from flask import current_app

        from printer.worker import worker_for_app

        worker = worker_for_app(current_app, poll_seconds=poll, probe_seconds=probe, retry_seconds=retry)
        if once:
            if not worker.acquire_lease():
                raise click.ClickException("another print worker holds the lease; try again later")
            try:
                n = worker.run_once()
                worker.probe_all()
            finally:
                worker.release_lease()
            click.echo(f"{n} print job(s) handled")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        click.echo(f"print worker {worker.holder} running (Ctrl-C to stop)")
        worker.run(stop)

    @app.cli.command("print-test-page")
    @click.argument("name")
    @click.option("--now", "direct", is_flag=True, help="send straight to the printer instead of the queue")
    def print_test_page(name, direct):
        """Print a test page on a configured printer (queued for the worker, or --now)."""
        from flask import current_app

        import clock
        from printer import backends, jobs, slips
        from rules import offices

        printing = current_app.extensions["loket.printing"]
        if name not in printing.printers:
            raise click.ClickException(f"unknown printer {name!r}; configured: {', '.join(printing.printers)}")
        cfg = printing.printers[name]
        if direct:
            data = slips.test_page(
                name, cfg, now=clock.utcnow(), tz=get_settings().office.timezone, lang=printing.language_of(cfg)
            )
            try:
                probe = backends.transport_for(name, cfg).send(data, job_name="test-page")
            except (backends.NotDelivered, backends.MaybeDelivered, backends.NoPrinterHere) as e:
                raise click.ClickException(str(e)) from None
            click.echo(f"test page sent to {name}" + (f" (paper: {probe.paper})" if probe.paper else ""))
            return
        with get_db().write() as s:
            office = offices.get_office(s, get_settings().office.code)
            job = jobs.enqueue_test_page(s, office_id=office.id, printer=name)
        click.echo(f"test page queued for {name} as print job {job.id}")

    @app.cli.command("printers")
    def printers():
        """Each printer's state: reachable, paper, queue, last error."""
        from printer.status import printer_states
        from rules import offices

        with get_db().read() as s:
            office = offices.get_office(s, get_settings().office.code)
            for p in printer_states(s, office.id):
                click.echo(
                    f"{p['name'] or '(no printer)':<12} {p['backend']:<8} {p['state']:<8} "
                    f"reachable={p['reachable']} paper={p['paper'] or '?'} queue={p['queue']} "
                    f"{p['last_error']}"
                )
