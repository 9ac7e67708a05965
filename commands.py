"""Command-line tasks (`python manage.py ...`): migrate, load the office from config, users, demo data, serve."""

from __future__ import annotations

import os

import click
from flask import Flask

from extensions import get_db, get_settings
from rules import offices, users
from rules.errors import RuleError
from startup import DEMO_USERS, alembic_config, migrate, safe_url, seed_demo, upgrade

__all__ = ["DEMO_USERS", "alembic_config", "migrate", "register"]


def register(app: Flask) -> None:
    """Add the database, office and account commands to manage.py."""
    register_accounts(app)

    @app.cli.command("db-upgrade")
    def db_upgrade():
        """Create or migrate the database schema (quick when it is already at head)."""
        upgrade(get_db().url)
        click.echo(f"database up to date: {safe_url(get_db().url)}")

    @app.cli.command("sync-config")
    def sync_config():
        """Create or update the office, services and counters from config.toml."""
        with get_db().write() as s:
            office = offices.sync_from_settings(s, get_settings())
            from rules import audit  # the import is a change of the set-up like any other (the audit screen)

            audit.record(
                s,
                office_id=office.id,
                actor=audit.COMMAND,
                entity="config",
                action="imported",
                summary="sync-config",
                after={"config_sha": office.config_sha},
            )
            click.echo(f"office {office.code} {office.name}: services and counters in line with config.toml")

    @app.cli.command("create-user")
    @click.option("--username", required=True)
    @click.option("--name", default="")
    @click.option("--role", type=click.Choice(["officer", "treasurer", "supervisor", "admin"]), required=True)
    @click.option("--office", "office_code", default=None, help="office code (default: the configured office)")
    @click.option("--password", default=None, help="default: generated and printed once")
    def create_user(username, name, role, office_code, password):
        """Create a staff account with a hashed password."""
        if password is None and os.environ.get("LOKET_NEW_PASSWORD"):
            password = os.environ["LOKET_NEW_PASSWORD"]
        with get_db().write() as s:
            office = offices.get_office(s, office_code or get_settings().office.code)
            try:
                user, pw = users.create_user(
                    s, office_id=office.id, username=username, name=name or username, role=role, password=password
                )
            except RuleError as e:
                raise click.ClickException(str(e)) from None
        click.echo(f"created {role} {user.username}" + ("" if password else f" with password: {pw}"))

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the office from config.toml and create one demo user per role (prints their passwords)."""
        created = seed_demo(get_db().url, get_settings())
        if created:
            click.echo("Demo users (change these passwords before real use):")
            for username, role, password in created:
                click.echo(f"  {role:<11} {username:<10} password: {password}")
        else:
            click.echo("Demo users already exist (passwords: <username>-demo unless changed).")


def register_accounts(app: Flask) -> None:
    """Commands for accounts and the production start check."""

    @app.cli.command("reset-password")
    @click.argument("username")
    @click.option("--password", default=None, help="the temporary password (default: generated and printed once)")
    def reset_password(username, password):
        """Give an account a temporary password to change at the next sign-in; its sessions end."""
        with get_db().write() as s:
            try:
                user = users.get_user(s, username)
                temporary = users.reset_password(s, user, password=password)
            except RuleError as e:
                raise click.ClickException(str(e)) from None
        click.echo(f"{username}: temporary password {temporary} (to be changed at the next sign-in)")

    @app.cli.command("set-active")
    @click.argument("username")
    @click.option("--active/--inactive", default=True, help="--inactive signs the account out everywhere")
    def set_active(username, active):
        """Activate or deactivate an account."""
        with get_db().write() as s:
            try:
                users.set_active(s, users.get_user(s, username), active)
            except RuleError as e:
                raise click.ClickException(str(e)) from None
        click.echo(f"{username}: {'active' if active else 'deactivated, every session ended'}")

    @app.cli.command("check-production")
    def check_production():
        """Refuse (exit 1) what must not run in production: a placeholder secret key, demo passwords."""
        from flask import current_app

        from security.startup import banner, problems

        found = problems(current_app)
        for p in found:
            click.echo(f"Loket will not start: {p}", err=True)
        if found:
            raise SystemExit(1)
        click.echo(banner(current_app) or "ready for production")
