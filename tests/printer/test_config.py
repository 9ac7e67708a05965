"""The [printers] and [stations] sections: the shipped demo validates; mistakes stop start-up naming the key."""

from __future__ import annotations

import pytest

from app import create_app
from printer import config
from settings import ConfigError
from tests.conftest import test_settings as repo_settings


def load(printers: dict, stations: dict | None = None, **settings_update):
    s = repo_settings().model_copy(update={"printers": printers, "stations": stations or {}, **settings_update})
    return config.load(s)


def test_shipped_config_has_a_printer_for_the_kiosk_and_every_counter():
    s = repo_settings()
    printing = config.load(s)
    assert printing.printer_for("kiosk-1")[1].backend in ("file", "none")
    for c in s.counters:
        name, cfg = printing.printer_for(config.counter_station(c.number))
        assert cfg.backend in ("file", "none"), name  # the demo works without hardware
    assert printing.printer_for("treasurer") is not None
    assert printing.printers["kiosk"].line_columns == 48 and printing.printers["kiosk"].native_qr
    assert printing.printers["bendahara"].paper_mm == 58


@pytest.mark.parametrize(
    "printers,stations,expected",
    [
        (
            {"k": {"backend": "bluetooth"}},
            {},
            "printers.k.backend: backend must be one of usb, network, serial, cups, file, none",
        ),
        ({"k": {"paper_mm": 80}}, {}, "printers.k: missing key 'backend'"),
        ({"k": {"backend": "network"}}, {}, "printers.k.host: Field required"),
        ({"k": {"backend": "network", "host": "10.0.0.9", "port": 70000}}, {}, "printers.k.port:"),
        (
            {"k": {"backend": "network", "host": "10.0.0.9", "papr_mm": 80}},
            {},
            "printers.k.papr_mm: unknown key (misspelt?)",
        ),
        ({"k": {"backend": "none", "paper_mm": 76}}, {}, "printers.k.paper_mm:"),
        (
            {"k": {"backend": "none", "profile": "TM-XYZ"}},
            {},
            "printers.k.profile: unknown python-escpos profile 'TM-XYZ'",
        ),
        (
            {"k": {"backend": "file", "path": "/dev/usb/lp0", "directory": "x"}},
            {},
            "printers.k: give exactly one of path",
        ),
        (
            {"k": {"backend": "usb", "vendor_id": "zz", "product_id": "0x0e15"}},
            {},
            "printers.k.vendor_id: expected a hexadecimal USB id",
        ),
        ({"k": {"backend": "none"}}, {"kiosk-1": "kiosk"}, "stations.kiosk-1: unknown printer 'kiosk'"),
    ],
)
def test_mistakes_name_the_key(printers, stations, expected):
    with pytest.raises(ConfigError) as e:
        load(printers, stations)
    assert expected in str(e.value), str(e.value)


def test_usb_ids_as_lsusb_shows_them():
    cfg = load({"k": {"backend": "usb", "vendor_id": "0x04b8", "product_id": "0e15"}}).printers["k"]
    assert (cfg.vendor_id, cfg.product_id) == (0x04B8, 0x0E15)


def test_a_counter_may_name_its_printer_in_its_own_section():
    s = repo_settings()
    counters = [c.model_copy(update={"printer": "lan"}) if c.number == 3 else c for c in s.counters]
    printing = load({"lan": {"backend": "network", "host": "10.0.0.9"}}, {}, counters=counters)
    assert printing.printer_for("counter-3")[0] == "lan"
    with pytest.raises(ConfigError, match="stations.counter-3: unknown printer 'nope'"):
        counters = [c.model_copy(update={"printer": "nope"}) if c.number == 3 else c for c in s.counters]
        load({}, {}, counters=counters)


def test_the_app_does_not_start_with_a_bad_printer(db_url):
    bad = repo_settings().model_copy(update={"printers": {"k": {"backend": "network"}}})
    with pytest.raises(ConfigError, match="printers.k.host"):
        create_app({"TESTING": True, "DATABASE_URL": db_url}, settings=bad)


def test_columns_follow_profile_then_paper():
    p = load(
        {
            "a": {"backend": "none", "profile": "default", "paper_mm": 58},
            "b": {"backend": "none", "profile": "default", "paper_mm": 80},
            "c": {"backend": "none", "profile": "RP-F10-58mm", "paper_mm": 58, "dots": 432},
            "d": {"backend": "none", "profile": "TM-T20II", "columns": 42},
            "e": {"backend": "none", "profile": "TM-T88V", "paper_mm": 80},  # a 180 dpi head: 512 dots, 42
            "f": {"backend": "none", "profile": "default", "paper_mm": 80, "dots": 512},
        }
    ).printers
    assert [p[n].line_columns for n in "abcdef"] == [32, 48, 36, 42, 42, 42]
    assert [p[n].small_columns for n in "abcdef"] == [42, 64, 54, 56, 56, 56]
    assert [p[n].line_dots for n in "abcdef"] == [384, 576, 432, 576, 576, 512]


@pytest.mark.parametrize(
    "printer,expected",
    [
        (
            {"paper_mm": 58, "profile": "TM-T20II"},
            "printers.k: profile 'TM-T20II' is for 80 mm paper (72 mm printable, 576 dots) but paper_mm is 58",
        ),
        (
            {"paper_mm": 80, "profile": "POS-5890"},
            "printers.k: profile 'POS-5890' is for 58 mm paper (57.5 mm printable, 384 dots) but paper_mm is 80",
        ),
        (
            {"paper_mm": 58, "profile": "RP-F10-58mm"},
            (
                "printers.k: profile 'RP-F10-58mm' assumes 432 dots per line but the printer has 384 (no dots"
                " given: assumed 384, the usual 58 mm head)"
            ),
        ),
        (
            {"paper_mm": 58, "profile": "RP-F10-58mm", "dots": 384},
            "profile 'RP-F10-58mm' assumes 432 dots per line but the printer has 384: lines and images would wrap",
        ),
        ({"paper_mm": 58, "dots": 576}, "printers.k: dots = 576 cannot fit on 58 mm paper (at most 464 at 203 dpi)"),
        (
            {"paper_mm": 58, "columns": 48},
            "printers.k: columns = 48 need 576 dots in font A (12 a character) but the printer has 384",
        ),
        ({"paper_mm": 80, "profile": "AF-240"}, "profile 'AF-240' is for wider than 80 mm paper"),
    ],
)
def test_paper_profile_and_dots_that_disagree_stop_start_up(printer, expected):
    with pytest.raises(ConfigError) as e:
        load({"k": {"backend": "network", "host": "10.0.0.9", **printer}})
    assert expected in str(e.value), str(e.value)


def test_a_mismatched_profile_stops_the_app():
    bad = repo_settings().model_copy(
        update={"printers": {"k": {"backend": "none", "paper_mm": 58, "profile": "TM-T20II"}}, "stations": {}}
    )
    with pytest.raises(ConfigError, match="profile 'TM-T20II' is for 80 mm paper"):
        create_app({"TESTING": True, "DATABASE_URL": "sqlite://"}, settings=bad)


def test_every_profile_in_the_docs_table_validates_for_its_paper():
    """docs/PRINTING.md lists printers sold in Indonesia with the paper, dots and profile to use: each row loads."""
    rows = documented_profiles()
    assert len(rows) >= 10
    for row in rows:
        cfg = load({"k": {"backend": "none", "paper_mm": row["paper"], "dots": row["dots"], "profile": row["profile"]}})
        assert cfg.printers["k"].line_columns == row["columns"], row


def documented_profiles() -> list[dict]:
    """The rows of the profile table in docs/PRINTING.md (between its BEGIN/END markers)."""
    from settings import ROOT

    text = (ROOT / "docs" / "PRINTING.md").read_text()
    table = text.split("<!-- profiles:begin -->")[1].split("<!-- profiles:end -->")[0]
    rows = []
    for line in table.strip().splitlines()[2:]:
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        rows.append(
            {
                "printer": cells[0],
                "paper": int(cells[1]),
                "dots": int(cells[2]),
                "columns": int(cells[3]),
                "profile": cells[4],
            }
        )
    return rows
