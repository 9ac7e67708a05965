"""python-escpos keeps its printer database cache in one folder, not in a new temporary folder per process.

Each case runs a fresh Python process (the cache is set up once, when escpos is first imported) with its own
TMPDIR, so any folder python-escpos made there would be seen, whatever other processes do in /tmp.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
RENDER = """
import json, os
from printer import slips
from tests.printer.test_slips import EPSON80, ticket_doc
from tests.printer.escpos_parser import parse
import escpos.capabilities as caps
data = slips.ticket_slip(ticket_doc(), EPSON80, "id")
print(json.dumps({"code": parse(data).find("B-012").text, "dir": os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"],
                  "pickle": caps.pickle_path, "profiles": sorted(caps.CAPABILITIES["profiles"])}))
"""


def render(tmp: Path, **env) -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ESCPOS_")}
    environ.update(TMPDIR=str(tmp), PYTHONPATH=str(ROOT), **env)
    out = subprocess.run(
        [sys.executable, "-c", RENDER], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_rendering_a_slip_makes_no_temporary_folder_and_shares_one_cache(tmp_path):
    tmp, cache = tmp_path / "tmp", tmp_path / "cache"
    tmp.mkdir()
    cache.mkdir()  # as an operator who sets the variable would have made it
    first = render(tmp, ESCPOS_CAPABILITIES_PICKLE_DIR=str(cache))
    second = render(tmp, ESCPOS_CAPABILITIES_PICKLE_DIR=str(cache))
    assert first["code"] == second["code"] == "B-012"
    assert list(tmp.iterdir()) == []  # python-escpos 3.1 alone leaves a tmpXXXXXXXX folder here every time
    assert first["dir"] == second["dir"] == str(cache)
    assert [p.name for p in cache.iterdir()] == [Path(first["pickle"]).name]  # no half-written file left over


def test_the_cached_database_is_python_escpos_own(tmp_path):
    import escpos

    (tmp_path / "tmp").mkdir()
    (tmp_path / "cache").mkdir()
    out = render(tmp_path / "tmp", ESCPOS_CAPABILITIES_PICKLE_DIR=str(tmp_path / "cache"))
    with (Path(escpos.__file__).parent / "capabilities.json").open() as f:
        assert out["profiles"] == sorted(yaml.safe_load(f)["profiles"])


def test_a_stale_cache_is_replaced(tmp_path):
    (tmp_path / "tmp").mkdir()
    cache = tmp_path / "cache"
    cache.mkdir()
    pickle = Path(render(tmp_path / "tmp", ESCPOS_CAPABILITIES_PICKLE_DIR=str(cache))["pickle"])
    pickle.write_bytes(b"not a pickle")
    os.utime(pickle, (0, 0))  # older than the package's database: python-escpos would rebuild it
    assert render(tmp_path / "tmp", ESCPOS_CAPABILITIES_PICKLE_DIR=str(cache))["code"] == "B-012"
    assert pickle.read_bytes().startswith(b"\x80")
    assert list((tmp_path / "tmp").iterdir()) == []


def test_by_default_the_cache_lives_under_instance(tmp_path):
    out = render(tmp_path)
    assert Path(out["dir"]) == ROOT / "instance" / "cache" / "escpos"
    assert Path(out["pickle"]).exists() and list(tmp_path.iterdir()) == []
