"""The Indonesian catalogs: complete for every msgid the code uses, and one meaning per msgid across catalogs.

All translations/ folders are merged into one message list at run time (a later folder overrides an earlier
one), so two catalogs translating the same English differently make one screen show the other's words.
scripts/messages.py --check finds that and untranslated msgids; these tests run it as a developer would.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import gettext

import i18n

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "messages.py"


def run_check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "messages.py"), "--check"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )


def catalogs() -> list[Path]:
    return sorted(p for d in i18n.translation_dirs() for p in d.glob("id/LC_MESSAGES/messages.po"))


def test_the_repository_passes_the_check_and_the_check_changes_nothing():
    before = {p: p.read_bytes() for p in catalogs()}
    out = run_check(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().endswith(": 0 problems")
    assert {p: p.read_bytes() for p in catalogs()} == before


def test_every_screen_sees_each_catalogs_own_indonesian(app):
    """The merged list as Flask-Babel serves it equals what each catalog says (no catalog overrides another)."""
    with app.test_request_context("/?lang=id"):
        for po in catalogs():
            with po.open("rb") as f:
                catalog = read_po(f, locale="id")
            for m in catalog:
                if m.id and isinstance(m.id, str) and not m.context and m.string and not m.fuzzy:
                    assert gettext(m.id) == m.string, f"{po.relative_to(ROOT)}: {m.id!r}"


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts" / "messages.py")
    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path


def _po(*pairs: tuple[str, str]) -> str:
    return 'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n' + "".join(
        f'msgid "{a}"\nmsgstr "{b}"\n\n' for a, b in pairs
    )


def test_the_check_finds_collisions_gaps_and_folders_without_a_catalog(tmp_path):
    root = _tree(
        tmp_path,
        {
            "kiosk/views.py": 'from flask_babel import gettext as _\nLABEL = _("Queue")\n',
            "kiosk/translations/id/LC_MESSAGES/messages.po": _po(("Queue", "Antrean")),
            "printer/views.py": 'from flask_babel import gettext as _\nA = _("Queue")\nB = _("Paper jam")\n',
            "printer/translations/id/LC_MESSAGES/messages.po": _po(("Queue", "Antrean cetak")),
            "newscreen/views.py": 'from flask_babel import gettext as _\nC = _("Hello")\n',
        },
    )
    out = run_check(root)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert "'Queue' is translated differently: kiosk/: 'Antrean'; printer/: 'Antrean cetak'" in lines
    assert any(line.startswith("printer/views.py:3: no Indonesian for 'Paper jam'") for line in lines), lines
    assert any(line.startswith("newscreen/views.py:2: 'Hello' is in a folder without a catalog") for line in lines)
    assert lines[-1].endswith(": 3 problems")

    # The fix the check asks for: a msgid of its own where the meaning differs, and the gap filled.
    (root / "printer/views.py").write_text(
        'from flask_babel import gettext as _\nA = _("Print queue")\nB = _("Paper jam")\n'
    )
    (root / "printer/translations/id/LC_MESSAGES/messages.po").write_text(
        _po(("Print queue", "Antrean cetak"), ("Paper jam", "Kertas macet"))
    )
    (root / "newscreen").rename(root / "templates")  # the top-level catalog's folder
    (root / "translations/id/LC_MESSAGES").mkdir(parents=True)
    (root / "translations/id/LC_MESSAGES/messages.po").write_text(_po(("Hello", "Halo")))
    out = run_check(root)
    assert out.returncode == 0, out.stdout
