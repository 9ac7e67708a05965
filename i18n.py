"""Languages: Indonesian by default, English available; catalogs are compiled from .po when stale."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, request, session
from flask_login import current_user

from settings import ROOT

LANGUAGES = ("id", "en")


def translation_dirs() -> list[Path]:
    """Every translations/ folder: the top-level one and one per screen package."""
    return sorted(p for p in ROOT.glob("*/translations") if p.is_dir() and ".venv" not in p.parts) + (
        [ROOT / "translations"] if (ROOT / "translations").is_dir() else []
    )


def compile_catalogs() -> None:
    """Compile each messages.po to .mo when the .mo is missing or older (no build step to forget)."""
    for directory in translation_dirs():
        for po in directory.glob("*/LC_MESSAGES/*.po"):
            mo = po.with_suffix(".mo")
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            with po.open("rb") as f:
                catalog = read_po(f, locale=po.parent.parent.name)
            tmp = mo.with_suffix(".mo.tmp")
            with tmp.open("wb") as f:
                write_mo(f, catalog)
            tmp.replace(mo)


def select_locale() -> str:
    """?lang= (remembered in the session), then the user's own choice, then the office default."""
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
        return lang
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    if getattr(current_user, "is_authenticated", False) and getattr(current_user, "language", "") in LANGUAGES:
        return current_user.language
    return current_app.extensions["loket.settings"].app.default_language


def translate(msgid: str) -> str:
    """A msgid the rules hand over (possibly empty) in the screen's language."""
    from flask_babel import gettext

    return gettext(msgid) if msgid else msgid
