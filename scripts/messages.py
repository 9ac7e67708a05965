"""Extract translatable messages with babel.cfg, update each catalog's Indonesian, and check them.

    .venv/bin/python scripts/messages.py              # update the top-level catalog and every package's own
    .venv/bin/python scripts/messages.py printer      # update only the top level and printer/ (creates it if missing)
    .venv/bin/python scripts/messages.py --check      # read-only: exit 1 on a gap or a collision (tests run it)

Every msgid is extracted once from the whole tree (the same as `pybabel extract -F babel.cfg .`) and then
filed by where it was found: a package (a folder with a `translations/` folder, or one named on the command
line) gets the messages from its own folder in `<package>/translations/id/LC_MESSAGES/messages.po`; the
top-level `translations/` catalog gets those from templates/, auth/, api/, rules/ and the root modules.
Existing translations are kept; msgids no longer in the code are marked obsolete (#~), so nothing typed by
a translator is lost silently.

At run time all catalogs are merged into ONE message list (Flask-Babel loads every translations/ folder;
a later one overrides an earlier one), so the same English msgid means the same Indonesian everywhere.
`--check` fails when:
  - a msgid used by the code has no Indonesian in the catalog of the file that uses it (or is fuzzy), or is
    used in a folder that belongs to no catalog;
  - two catalogs give different Indonesian for the same msgid (and context). When the meanings really differ,
    make the msgids differ ("Print queue", not "Queue"); when they do not, agree on one translation.
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
LOCALE = "id"


def packages_with_catalogs() -> tuple[str, ...]:
    """Every top-level folder with its own translations/ folder (what i18n.py merges at run time)."""
    return tuple(sorted(p.parent.name for p in ROOT.glob("*/translations") if p.is_dir() and p.parent.name != ".venv"))


def extract_all() -> list[tuple[str, int, str, str | None]]:
    """(file, line, msgid, context) for every message in the tree, using the repository's babel.cfg."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    out = []
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, strip_comment_tags=True
    ):
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


def known_translations(packages: tuple[str, ...]) -> dict[tuple, object]:
    """Every Indonesian already typed in any catalog (obsolete entries too), by (context, msgid): a message that
    moves to another package keeps its translation."""
    known: dict[tuple, object] = {}
    for package in ("",) + packages:
        catalog = read_catalog(package)
        for message in list(catalog) + list(catalog.obsolete.values()):
            if message.id and _translated(message):
                known.setdefault((message.context, message.id), message.string)
    return known


def update(package: str, messages: list[tuple[str, int, str, str | None]], known: dict | None = None) -> Catalog:
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
    for message in catalog:
        if message.id and not message.string and (message.context, message.id) in (known or {}):
            message.string = known[(message.context, message.id)]
    catalog.creation_date = created  # no churn in the header when nothing else changed
    catalog.project, catalog.version = "Loket", "1"
    catalog.header_comment = (
        f"# Indonesian messages of Loket: {package + '/' if package else 'the top level'}.\n"
        "# Update with scripts/messages.py; i18n.py compiles it at start-up."
    )
    catalog.last_translator = catalog.language_team = "Loket <loket@localhost>"
    catalog.msgid_bugs_address = ""
    catalog.fuzzy = False
    with path.open("wb") as f:
        # File names without line numbers: a moved line does not rewrite the catalog.
        write_po(f, catalog, width=116, sort_by_file=True, include_previous=False, include_lineno=False)
    return catalog


def read_catalog(package: str) -> Catalog:
    path = po_path(package)
    if not path.exists():
        return Catalog(locale=LOCALE)
    with path.open("rb") as f:
        return read_po(f, locale=LOCALE)


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return bool(message.string) and all(strings) and not message.fuzzy


def check(found: list[tuple[str, int, str, str | None]], packages: tuple[str, ...]) -> list[str]:
    """What is wrong with the catalogs as they are on disk (nothing is written): one line per problem."""
    catalogs = {package: read_catalog(package) for package in ("",) + packages}
    problems = []
    for filename, lineno, msgid, context in found:
        package = catalog_of(filename, packages)
        if package is None:
            problems.append(
                f"{filename}:{lineno}: {msgid!r} is in a folder without a catalog "
                f"(run scripts/messages.py {filename.split('/', 1)[0]})"
            )
            continue
        message = catalogs[package].get(msgid, context=context)
        if message is None or not _translated(message):
            problems.append(f"{filename}:{lineno}: no Indonesian for {msgid!r} in {po_path(package).relative_to(ROOT)}")
    given: dict[tuple, dict[str, object]] = {}
    for package, catalog in catalogs.items():
        for message in catalog:
            if message.id and _translated(message):
                given.setdefault((message.context, message.id), {})[package or "translations"] = message.string
    for (context, msgid), by_catalog in sorted(given.items(), key=lambda kv: str(kv[0])):
        if len({repr(v) for v in by_catalog.values()}) > 1:
            which = "; ".join(f"{package}/: {string!r}" for package, string in sorted(by_catalog.items()))
            problems.append(
                f"{msgid!r}{f' (context {context!r})' if context else ''} is translated differently: {which}"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "packages",
        nargs="*",
        help="packages with their own catalog (default: every package with a translations/ folder)",
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; fail on an untranslated msgid or one translated two ways"
    )
    args = parser.parse_args(argv)
    packages = tuple(sorted(set(args.packages) | set(packages_with_catalogs())))
    found = extract_all()
    if args.check:
        problems = check(found, packages)
        for line in problems:
            print(line)
        print(
            f"{len(found)} occurrences in {len(packages) + 1} catalogs: "
            f"{len(problems)} problem{'' if len(problems) == 1 else 's'}"
        )
        return 1 if problems else 0
    known = known_translations(packages)
    for package in ("",) + (tuple(args.packages) or packages):
        messages = [m for m in found if catalog_of(m[0], packages) == package]
        catalog = update(package, messages, known)
        gaps = [m.id for m in catalog if m.id and not m.string]
        print(
            f"{po_path(package).relative_to(ROOT)}: {len(messages)} occurrences, "
            f"{sum(1 for m in catalog if m.id)} msgids, {len(gaps)} untranslated"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
