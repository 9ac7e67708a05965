"""The supervisor's command: `python manage.py supervisor reports-refill [--check]`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from extensions import get_db
from rules import report_columns

cli = AppGroup("supervisor", help="The supervisor's reports.")


def register(app: Flask) -> None:
    """Add `manage.py supervisor ...` to the app's command line."""
    app.cli.add_command(cli)


@cli.command("reports-refill")
@click.option("--check", is_flag=True, help="Only count the tickets whose report columns differ; exit 1 if any.")
def reports_refill(check: bool) -> None:
    """Work out each ticket's report columns again from its times and its first call's event.

    Migration 0006 fills them for the history it finds and every write keeps them in step; this is for
    history brought in some other way (rows copied from elsewhere), and to check that they still agree.
    """
    with get_db().write() as s:
        found = report_columns.refill_report_columns(s, check_only=check)
    if not any(found.values()):
        click.echo("all report columns match the tickets' times and events")
        return
    for column, n in found.items():
        click.echo(f"{column}: {n} ticket(s) {'differ' if check else 'refilled'}")
    if check:
        raise SystemExit(1)
    click.echo("refilled")
