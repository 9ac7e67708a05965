"""Extract translatable messages with babel.cfg and update each package's Indonesian catalog.

    .venv/bin/python scripts/messages.py              # the top-level catalog and kiosk/, counter/, display/
    .venv/bin/python scripts/messages.py printer      # another package's own catalog (creates it if missing)
    .venv/bin/python scripts/messages.py --check      # exit 1 if any msgid of those catalogs lacks Indonesian

Every msgid is extracted once from the whole tree (the same as `pybabel extract -F babel.cfg .`) and then
filed by where it was found: a package named on the command line gets the messages from its own folder in
`<package>/translations/id/LC_MESSAGES/messages.po`; the top-level `translations/` catalog gets those from
templates/, auth/, api/, rules/ and the root modules. Existing translations are kept; msgids no longer in the
code are marked obsolete (#~), so nothing typed by a translator is lost silently.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TOP_LEVEL = ("templates", "auth", "api", "rules")
SCREENS = ("kiosk", "counter", "display")
LOCALE = "id"


def extract_all() -> list[tuple[str, int, str, str | None]]:
    """(file, line, msgid, context) for every message in the tree, using the repository's babel.cfg."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    out = []
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, strip_comment_tags=True):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            out.append((filename.replace("\\", "/"), lineno, msgid, context))
    return out


def catalog_of(filename: str, packages: tuple[str, ...]) -> str | None:
    """Which catalog a file's messages belong to: a package name, '' for the top level, None for none."""
    first = filename.split("/", 1)[0]
    if "/" not in filename:
        return ""  # app.py, extensions.py, ...
    if first in packages:
        return first
    if first in TOP_LEVEL:
        return ""
    return None


def po_path(package: str) -> Path:
    base = ROOT / package if package else ROOT
    return base / "translations" / LOCALE / "LC_MESSAGES" / "messages.po"


def update(package: str, messages: list[tuple[str, int, str, str | None]]) -> Catalog:
    path = po_path(package)
    template = Catalog(locale=LOCALE, project="Loket", fuzzy=False)
    for filename, lineno, msgid, context in messages:
        template.add(msgid, locations=[(filename, lineno)], context=context)
    if path.exists():
        with path.open("rb") as f:
            catalog = read_po(f, locale=LOCALE)
    else:
        catalog = Catalog(locale=LOCALE, project="Loket", fuzzy=False)
        path.parent.mkdir(parents=True, exist_ok=True)
    created = catalog.creation_date
    # No fuzzy matching: a guessed translation of a similar sentence is worse than an honest gap.
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.creation_date = created  # no churn in the header when nothing else changed
    catalog.project, catalog.version = "Loket", "1"
    catalog.header_comment = (f"# Indonesian messages of Loket: {package + '/' if package else 'the top level'}.\n"
                              "# Update with scripts/messages.py; i18n.py compiles it at start-up.")
    catalog.last_translator = catalog.language_team = "Loket <loket@localhost>"
    catalog.msgid_bugs_address = ""
    catalog.fuzzy = False
    with path.open("wb") as f:
        # File names without line numbers: a moved line does not rewrite the catalog.
        write_po(f, catalog, width=116, sort_by_file=True, include_previous=False, include_lineno=False)
    return catalog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", help="packages with their own catalog (default: the screens)")
    parser.add_argument("--check", action="store_true", help="fail when a msgid has no Indonesian translation")
    args = parser.parse_args(argv)
    packages = tuple(args.packages) or SCREENS
    found = extract_all()
    missing = 0
    for package in ("",) + packages:
        messages = [m for m in found if catalog_of(m[0], packages) == package]
        catalog = update(package, messages)
        gaps = [m.id for m in catalog if m.id and not m.string]
        missing += len(gaps)
        print(f"{po_path(package).relative_to(ROOT)}: {len(messages)} occurrences, "
              f"{sum(1 for m in catalog if m.id)} msgids, {len(gaps)} untranslated")
        if args.check:
            for g in gaps:
                print(f"  untranslated: {g!r}")
    return 1 if args.check and missing else 0


if __name__ == "__main__":
    sys.exit(main())
