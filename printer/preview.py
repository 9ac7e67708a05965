"""Render the sample invoice and receipt as A4 PDFs and PNG pages (for the README and for checking a layout).

    .venv/bin/python -m printer.preview                   # into docs/screenshots/
    .venv/bin/python -m printer.preview /tmp/out --lang en

PNG pages come from poppler's pdftoppm (Debian package poppler-utils).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

from printer import pdf, samples
from settings import ROOT


def render(out: Path, lang: str = "id", dpi: int = 70) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    docs = {
        "invoice-a4": pdf.invoice_pdf(samples.invoice(), lang),
        "receipt-a4": pdf.receipt_pdf(samples.receipt(), lang),
        "invoice-a4-long": pdf.invoice_pdf(samples.invoice(lines=samples.many_lines(60), total=60 * 22000), lang),
    }
    written = []
    for name, data in docs.items():
        target = out / f"{name}.pdf"
        target.write_bytes(data)
        written.append(target)
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(target), str(out / name)], check=True)
            written += sorted(out.glob(f"{name}-*.png"))
    return written


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", nargs="?", default=str(ROOT / "docs" / "screenshots"))
    p.add_argument("--lang", default="id", choices=("id", "en"))
    p.add_argument("--dpi", type=int, default=70)
    args = p.parse_args()
    for path in render(Path(args.out), args.lang, args.dpi):
        print(path)


if __name__ == "__main__":
    main()
