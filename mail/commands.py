"""Mail commands: `manage.py mail-worker` (--once sends what is due and stops)."""

from __future__ import annotations

import signal
import threading

import click
from flask import Flask


def register(app: Flask) -> None:
    """Add the mail commands to the app's CLI."""

    @app.cli.command("mail-worker")
    @click.option("--once", is_flag=True, help="send what is due now, then stop")
    @click.option("--poll", default=2.0, show_default=True, help="seconds between looks at the outbox")
    def mail_worker(once, poll):
        """Send the e-mail outbox to the SMTP server (in order, retries with backoff; one worker at a time)."""
        from flask import current_app

        from mail.worker import worker_for_app

        worker = worker_for_app(current_app, poll_seconds=poll)
        if once:
            if not worker.acquire_lease():
                raise click.ClickException("another mail worker holds the lease; try again later")
            try:
                n = worker.run_once()
            finally:
                worker.release_lease()
            click.echo(f"{n} e-mail(s) sent")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        click.echo(f"mail worker {worker.holder} running (Ctrl-C to stop)")
        worker.run(stop)
