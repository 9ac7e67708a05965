"""`manage.py export-config`: the office's current set-up as config.toml sections, on stdout or into a file."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("export-config")
    @click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="default: stdout")
    @click.option("--office", "office_code", default=None, help="office code (default: the configured office)")
    def export_config(output, office_code):
        """Write the current configuration (office, hours, special days, services, counters, printers) as TOML."""
        from extensions import get_db, get_settings
        from rules import config_export, offices

        settings = get_settings()
        with get_db().read() as s:
            office = offices.get_office(s, office_code or settings.office.code)
            text = config_export.export(s, settings, office.id)
        if output:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
            click.echo(f"configuration of office {office.code} written to {output}")
        else:
            click.echo(text)
