"""The kiosk's consent text, versioned: data/consent/<version>.toml holds each text in both languages with its
effective date. A visit stores the version its visitor agreed to and when (GuestBookEntry.consent_version,
consent_at), so the office can show what a person agreed to on any visit."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from settings import ROOT

DEFAULT_DIR = ROOT / "data" / "consent"


@dataclass(frozen=True)
class ConsentText:
    """One version of the consent text."""

    version: str
    effective: date
    text_id: str
    text_en: str

    def text(self, lang: str) -> str:
        """The text in a screen language ('en' or Indonesian)."""
        return self.text_en if lang == "en" else self.text_id


@functools.cache
def versions(folder: Path = DEFAULT_DIR) -> tuple[ConsentText, ...]:
    """Every version in the folder, oldest first; a file missing a key stops with a message naming it."""
    out = []
    for path in sorted(folder.glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        try:
            item = ConsentText(raw["version"], raw["effective"], raw["text_id"].strip(), raw["text_en"].strip())
        except KeyError as e:
            raise ValueError(f"{path}: missing key {e.args[0]!r}") from None
        if item.version != path.stem:
            raise ValueError(f"{path}: version {item.version!r} must be the file's name")
        out.append(item)
    if not out:
        raise ValueError(f"no consent text in {folder}")
    return tuple(sorted(out, key=lambda c: c.effective))


def current(folder: Path = DEFAULT_DIR) -> ConsentText:
    """The version the kiosk shows: the one with the latest effective date (the date it was first shown)."""
    return versions(folder)[-1]


def get(version: str, folder: Path = DEFAULT_DIR) -> ConsentText | None:
    """A version by its id, or None."""
    return next((c for c in versions(folder) if c.version == version), None)
