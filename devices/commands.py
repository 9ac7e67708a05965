"""`manage.py pair-device`: make a one-time pairing code for a kiosk or display (before the admin screens)."""

from __future__ import annotations

import click
from flask import Flask

from extensions import get_db, get_settings
from rules import devices, offices
from rules.errors import RuleError


def register(app: Flask) -> None:
    """Add the device commands to manage.py."""

    @app.cli.command("pair-device")
    @click.option("--kind", type=click.Choice(["kiosk", "display"]), default="kiosk")
    @click.option("--station", default="kiosk-1", help="the [stations] name whose printer it uses (kiosks)")
    @click.option("--label", default="", help="how staff recognise it, e.g. 'Kiosk by the entrance'")
    @click.option("--office", "office_code", default=None, help="office code (default: the configured office)")
    def pair_device(kind, station, label, office_code):
        """Register a kiosk or display and print its one-time pairing code (open /kiosk/pair on it)."""
        from devices.api import configured_stations

        with get_db().write() as s:
            office = offices.get_office(s, office_code or get_settings().office.code)
            try:
                device, code = devices.create_pairing(
                    s,
                    office_id=office.id,
                    kind=kind,
                    station=station if kind == "kiosk" else "",
                    label=label,
                    stations=configured_stations(),
                    created_by=None,
                )
            except RuleError as e:
                raise click.ClickException(str(e)) from None
            expires = device.pairing_expires_at
        click.echo(f"{kind} '{device.label}' of office {office.code}: pairing code {devices.format_code(code)}")
        click.echo(f"open /kiosk/pair on the device and type the code before {expires:%H:%M} UTC")
