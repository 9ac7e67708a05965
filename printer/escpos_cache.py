"""One capability cache for python-escpos in every process, instead of a new temporary folder per process.

python-escpos 3.1 loads its printer database (capabilities.json) when `escpos.capabilities` is first imported
and keeps a pickle of it in ESCPOS_CAPABILITIES_PICKLE_DIR, defaulting to a fresh `mkdtemp()` that nothing
removes: every worker, command and test process left one more folder in /tmp. Worse, the module evaluates
`environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR", mkdtemp())`, so the folder is made even when the variable is
set. `prepare()` runs before the first escpos import (printer/__init__.py): it points the variable at
instance/cache/escpos/ (an operator's own value wins), writes the pickle there atomically when it is
missing or older than the database (two processes starting together never read a half-written file), and
lends the module that folder in place of the throwaway one while it imports.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import pickle
import platform
import sys
import tempfile
from pathlib import Path

from settings import ROOT

ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"
DEFAULT_DIR = ROOT / "instance" / "cache" / "escpos"


def _database() -> Path | None:
    """python-escpos's capabilities.json, found without importing the module that loads it."""
    if os.environ.get("ESCPOS_CAPABILITIES_FILE"):
        return Path(os.environ["ESCPOS_CAPABILITIES_FILE"])
    spec = importlib.util.find_spec("escpos")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "capabilities.json"
    return path if path.exists() else None


def _warm(folder: Path) -> None:
    """Write the pickle python-escpos would write, by rename, if it is missing or stale."""
    source = _database()
    if source is None:
        return
    target = folder / f"{platform.python_version()}.capabilities.pickle"  # the name escpos looks for
    if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
        return
    import yaml  # as python-escpos parses it, so the cached data is exactly what it would have cached

    with source.open() as f:
        data = yaml.safe_load(f)
    if not data:
        return  # let python-escpos report a broken database its own way
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".capabilities-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # as python-escpos's own open() would leave it: readable by other accounts
        with os.fdopen(fd, "wb") as f:
            pickle.dump(data, f, protocol=2)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _folder() -> Path:
    """The cache folder: the operator's ESCPOS_CAPABILITIES_PICKLE_DIR, else instance/cache/escpos/; one fixed
    folder under the system's temporary directory when that cannot be written (a read-only install)."""
    chosen = Path(os.environ.get(ENV) or DEFAULT_DIR)
    for folder in (chosen, Path(tempfile.gettempdir()) / f"loket-escpos-{os.getuid()}"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _warm(folder)
            return folder
        except OSError:
            continue
    return chosen


def prepare() -> None:
    """Import escpos.capabilities with the shared cache; a no-op once it is imported."""
    if "escpos.capabilities" in sys.modules:
        return
    folder = _folder()
    os.environ[ENV] = str(folder)
    root = logging.getLogger()
    handlers = list(root.handlers)
    real_mkdtemp = tempfile.mkdtemp
    tempfile.mkdtemp = lambda *args, **kwargs: str(folder)  # what `from tempfile import mkdtemp` picks up
    try:
        import escpos.capabilities  # noqa: F401
    finally:
        tempfile.mkdtemp = real_mkdtemp
        # It also calls logging.basicConfig(): in a process that had no handler yet, that would add an
        # unfiltered stderr handler beside app.configure_logging()'s, which scrubs personal data.
        for h in root.handlers:
            if h not in handlers:
                root.removeHandler(h)
