"""Translations for paper: slips and PDFs are printed in a fixed language (the office's), not the request's."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).resolve().parent / "translations"


@lru_cache(maxsize=8)
def _catalog(lang: str) -> NullTranslations:
    if lang == "en":
        return NullTranslations()
    import i18n

    i18n.compile_catalogs()  # a bench or command may run before any app compiled the .po files
    return Translations.load(str(TRANSLATIONS), [lang])


def translator(lang: str):
    """gettext for one language: `_("%(n)s people", n=3)`."""
    catalog = _catalog(lang)

    def _(msgid: str, **params) -> str:
        text = catalog.gettext(msgid)
        return text % params if params else text

    return _
