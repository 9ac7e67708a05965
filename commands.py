"""Command-line tasks (`python manage.py ...`): migrate, load the office from config, users, demo data, serve."""

from __future__ import annotations

import os

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask
from sqlmodel import select

from extensions import get_db, get_settings
from models import User
from rules import offices, users
from rules.errors import RuleError
from settings import ROOT

DEMO_USERS = (
    ("petugas1", "Petugas Satu", "officer"),
    ("petugas2", "Petugas Dua", "officer"),
    ("bendahara", "Bendahara Penerimaan", "treasurer"),
    ("pengawas", "Kepala Seksi PST", "supervisor"),
    ("admin", "Administrator", "admin"),
)


def alembic_config(url: str) -> AlembicConfig:
    """Alembic's configuration for this repository's migrations and the given database."""
    cfg = AlembicConfig(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str) -> None:
    """Bring the database schema up to date (Alembic, every head)."""
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines are noise at every start
    alembic_command.upgrade(alembic_config(url), "heads")


def register(app: Flask) -> None:
    """Add the database, office and account commands to manage.py."""
    register_accounts(app)

    @app.cli.command("db-upgrade")
    def db_upgrade():
        """Create or migrate the database schema."""
        migrate(get_db().url)
        click.echo(f"database up to date: {_safe_url(get_db().url)}")

    @app.cli.command("sync-config")
    def sync_config():
        """Create or update the office, services and counters from config.toml."""
        with get_db().write() as s:
            office = offices.sync_from_settings(s, get_settings())
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
    def seed_demo():
        """Load the office from config.toml and create one demo user per role (prints their passwords)."""
        with get_db().write() as s:
            office = offices.sync_from_settings(s, get_settings())
            created = []
            for username, name, role in DEMO_USERS:
                if s.exec(select(User).where(User.username == username)).first():
                    continue
                password = f"{username}-demo"
                users.create_user(
                    s,
                    office_id=office.id,
                    username=username,
                    name=name,
                    role=role,
                    password=password,
                    enforce_policy=False,
                )
                created.append((username, role, password))
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


def _safe_url(url: str) -> str:
    """A database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
