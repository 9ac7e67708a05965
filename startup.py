"""What ./start.sh does before the server, quick when there is nothing to do: the schema and the demo office.

A restart after a crash must be back within seconds. `manage.py db-upgrade` and `manage.py seed-demo` run at
every start, and each used to build the whole app (and Alembic loaded every migration module) only to find
nothing to do. Here they first look, importing little more than the settings: the revisions stored in the
database against the heads read from the migration files' text, and the office's configuration fingerprint
and the demo accounts. Only when something is missing do they load Alembic or the models.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from settings import ROOT, ConfigError, Settings, load_settings

VERSIONS = ROOT / "migrations" / "versions"
DEMO_USERS = (
    ("petugas1", "Petugas Satu", "officer"),
    ("petugas2", "Petugas Dua", "officer"),
    ("bendahara", "Bendahara Penerimaan", "treasurer"),
    ("pengawas", "Kepala Seksi PST", "supervisor"),
    ("admin", "Administrator", "admin"),
)
_REVISION = re.compile(r"^revision\s*(?::[^=\n]*)?=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=\n]*)?=\s*(\([^)]*\)|[^\n]*)", re.M)


def database_url(settings: Settings) -> str:
    """The database the app uses: LOKET_DATABASE_URL (through the settings), else instance/loket.db."""
    from settings import default_database_url

    return settings.database_url or default_database_url()


# ---- the schema ------------------------------------------------------------------------------------------


def script_heads(folder: Path = VERSIONS) -> set[str] | None:
    """The heads of the migration history, read from the revision files' text (no module is imported);
    None when a file cannot be read that way (then Alembic decides)."""
    revisions, parents = set(), set()
    for path in folder.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev, down = _REVISION.search(text), _DOWN.search(text)
        if rev is None or down is None:
            return None
        revisions.add(rev.group(1))
        parents |= set(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    return (revisions - parents) or None


def database_heads(url: str) -> set[str] | None:
    """The revisions recorded in the database (alembic_version); None for a new or unreadable database."""
    try:
        if url.startswith("sqlite:///"):
            import sqlite3

            path = url.removeprefix("sqlite:///").split("?", 1)[0]
            if not path or path == ":memory:" or not Path(path).is_file():
                return None
            con = sqlite3.connect(path, timeout=30)
            try:
                rows = con.execute("SELECT version_num FROM alembic_version").fetchall()
            finally:
                con.close()
        else:
            from sqlalchemy import create_engine, text

            engine = create_engine(url)
            try:
                with engine.connect() as conn:
                    rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
            finally:
                engine.dispose()
    except Exception:  # noqa: BLE001  (no table yet, no database yet: Alembic will say what is wrong)
        return None
    return {r[0] for r in rows} or None


def schema_is_current(url: str) -> bool:
    """Whether the database already stands at every head of the migrations."""
    heads = script_heads()
    return heads is not None and database_heads(url) == heads


def alembic_config(url: str):
    """Alembic's configuration for this repository's migrations and the given database."""
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str) -> None:
    """Bring the database schema up to date (Alembic, every head)."""
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines are noise (set before importing it)
    from alembic import command

    command.upgrade(alembic_config(url), "heads")


def upgrade(url: str) -> bool:
    """Migrate unless the schema is already at head; True when migrations ran."""
    if schema_is_current(url):
        return False
    migrate(url)
    return True


# ---- the demo office ----------------------------------------------------------------------------------------


def demo_present(url: str, settings: Settings) -> bool:
    """Whether the office was loaded from this very configuration and every demo account exists."""
    usernames = [u for u, _, _ in DEMO_USERS]
    office_sql = "SELECT config_sha FROM office WHERE code = ?"
    users_sql = f'SELECT COUNT(*) FROM "user" WHERE username IN ({", ".join("?" * len(usernames))})'
    try:
        if url.startswith("sqlite:///"):
            import sqlite3

            path = url.removeprefix("sqlite:///").split("?", 1)[0]
            if not path or not Path(path).is_file():
                return False
            con = sqlite3.connect(path, timeout=30)
            try:
                row = con.execute(office_sql, (settings.office.code,)).fetchone()
                users = con.execute(users_sql, usernames).fetchone()[0]
            finally:
                con.close()
        else:
            from sqlalchemy import bindparam, create_engine, text

            engine = create_engine(url)
            try:
                with engine.connect() as conn:
                    row = conn.execute(
                        text("SELECT config_sha FROM office WHERE code = :code"), {"code": settings.office.code}
                    ).first()
                    users = conn.execute(
                        text('SELECT COUNT(*) FROM "user" WHERE username IN :names').bindparams(
                            bindparam("names", expanding=True)
                        ),
                        {"names": usernames},
                    ).scalar_one()
            finally:
                engine.dispose()
    except Exception:  # noqa: BLE001  (an older schema, no database: the full seed says what is wrong)
        return False
    return row is not None and row[0] == settings.office_fingerprint() and users == len(usernames)


def seed_demo(url: str, settings: Settings) -> list[tuple[str, str, str]] | None:
    """Load the office from the configuration and create the demo accounts that are missing.

    Returns the accounts created now (username, role, password), or None when everything was already there
    (checked without loading the models)."""
    if demo_present(url, settings):
        return None
    from sqlmodel import select

    from db import Database
    from models import User
    from rules import offices, users

    db = Database(url)
    created = []
    try:
        with db.write() as s:
            office = offices.sync_from_settings(s, settings)
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
                    enforce_policy=False,  # the demo's own passwords; production refuses to start with them
                )
                created.append((username, role, password))
    finally:
        db.dispose()
    return created


# ---- manage.py's quick path -------------------------------------------------------------------------------


def safe_url(url: str) -> str:
    """A database URL without its password, for printing."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def quick_command(argv: list[str]) -> bool:
    """Run `db-upgrade` or `seed-demo` without building the app when there is nothing to do; True if done.

    Anything else (other commands, options, or work to do) is left to manage.py's full command line."""
    if argv not in (["db-upgrade"], ["seed-demo"]):
        return False
    try:
        settings = load_settings()
    except ConfigError as e:
        sys.exit(f"Error: {e}")
    url = database_url(settings)
    if argv == ["db-upgrade"]:
        if not schema_is_current(url):
            return False
        print(f"database up to date: {safe_url(url)}", flush=True)
        return True
    if not demo_present(url, settings):
        return False
    print("Demo users already exist (passwords: <username>-demo unless changed).", flush=True)
    return True
