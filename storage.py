"""Where uploaded files live: instance/uploads/<office>/<random name>, outside any static folder. Nothing here is
served by path; the screens read a file back through endpoints that check who asks (staff of the office, or
the visitor's token)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from settings import ROOT

UPLOADS = ROOT / "instance" / "uploads"


def root() -> Path:
    """The uploads folder: LOKET_UPLOADS (e.g. a mounted volume), else the app's instance folder's uploads/."""
    from flask import current_app, has_app_context

    if os.environ.get("LOKET_UPLOADS"):
        return Path(os.environ["LOKET_UPLOADS"])
    return Path(current_app.instance_path) / "uploads" if has_app_context() else UPLOADS


def save(office_id: int, data: bytes, extension: str) -> str:
    """Write the bytes under a new random name; returns the stored name (never the visitor's file name)."""
    name = f"{office_id}/{secrets.token_hex(16)}.{extension}"
    path = root() / name
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
    tmp.replace(path)
    return name


def read(stored_name: str) -> bytes:
    """The bytes of a stored file (the name comes from the database, never from a request)."""
    path = (root() / stored_name).resolve()
    if root().resolve() not in path.parents:
        raise FileNotFoundError(stored_name)
    return path.read_bytes()


def discard(stored_name: str) -> None:
    """Remove a stored file whose database row was not written (the transaction failed)."""
    try:
        (root() / stored_name).unlink()
    except FileNotFoundError:
        pass
