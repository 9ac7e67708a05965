"""Where printer/ writes files about visitors: the slip files of "file" printers (one file per job in a directory,
the demo's instance/prints/). The personal-data rules find a person's slips and old slips there."""

from __future__ import annotations

from pathlib import Path

from printer.config import FilePrinter, PrintingConfig
from rules.personal_registry import Places


def slip_dirs(printing: PrintingConfig) -> tuple[Path, ...]:
    """The directories "file" printers write one slip file per job into."""
    dirs = {cfg.target() for cfg in printing.printers.values() if isinstance(cfg, FilePrinter) and cfg.directory}
    return tuple(sorted(dirs))


def places(app) -> Places:
    """The places of files about visitors for this app (given to rules.personal_data and rules.retention): the
    slip files' directories and the uploads folder."""
    import storage

    with app.app_context():
        uploads = storage.root()
    return Places(slip_dirs=slip_dirs(app.extensions["loket.printing"]), uploads_dir=uploads)
