"""`manage.py purge-personal-data`: apply the retention periods of [privacy] now (the server also runs it daily)."""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask

from clock import utcnow
from printer.files import places
from rules import erasure, offices, retention


def run_purge(app: Flask, *, dry_run: bool = False, now: datetime | None = None) -> retention.Summary:
    """One purge of the configured office: in one write transaction (rolled back for a dry run); then the files
    are deleted and SQLite's write-ahead log emptied, so erased data leaves the disk too."""
    db, settings = app.extensions["loket.db"], app.extensions["loket.settings"]
    privacy, where = settings.privacy, places(app)
    with db.write() as s:
        office_id = offices.get_office(s, settings.office.code).id
        summary = retention.purge(s, office_id=office_id, privacy=privacy, places=where, now=now, people=dry_run)
        if dry_run:
            s.rollback()
            return summary
    # Idle people one transaction each: a first run over years of history never holds the database for long.
    with db.read() as s:
        idle = retention.idle_people(s, office_id=office_id, days=privacy.person_days, now=now or utcnow())
    for vid in idle:
        with db.write() as s:
            done = retention.anonymise(
                s, visitor_id=vid, office_id=office_id, places=where, days=privacy.person_days, now=now or utcnow()
            )
        summary.record(vid, done)
    erasure.delete_files(summary.files)
    db.forget_freed()
    return summary


def register(app: Flask) -> None:
    """Add `manage.py purge-personal-data`."""

    @app.cli.command("purge-personal-data")
    @click.option("--dry-run", is_flag=True, help="count what would go, change nothing")
    def purge_personal_data(dry_run):
        """Remove personal data past its retention period ([privacy] in config.toml; docs/PRIVACY.md)."""
        from flask import current_app

        summary = run_purge(current_app, dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        for key, n in sorted(summary.counts.items()):
            click.echo(f"{key.replace('_', ' ')}: {n} {verb} purged")
        if summary.waiting:
            click.echo(f"{len(summary.waiting)} idle person(s) wait: an open request or a ticket in a line")
