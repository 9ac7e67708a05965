"""The print commands: a test page from the command line, the worker once, the printers' states."""

from __future__ import annotations

from tests.printer.escpos_parser import parse


def test_print_test_page_queued_then_worker_once_prints_it(app, prints_dir):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["print-test-page", "loket"])
    assert r.exit_code == 0, r.output
    assert "test page queued for loket as print job" in r.output
    r = runner.invoke(args=["print-worker", "--once"])
    assert r.exit_code == 0, r.output
    assert "1 print job(s) handled" in r.output
    (slip,) = (prints_dir / "loket").glob("*-test_page.escpos")
    assert parse(slip.read_bytes()).find("HALAMAN UJI")
    r = runner.invoke(args=["printers"])
    assert r.exit_code == 0
    lines = {line.split()[0]: line for line in r.output.splitlines()}
    assert "reachable=True" in lines["loket"] and "ok" in lines["loket"]
    assert "reachable=False" in lines["kiosk"]  # nothing listens on the kiosk printer's port


def test_print_test_page_now_goes_straight_to_the_printer(app, fake_printer_factory):
    printer = fake_printer_factory(paper="low")
    r = app.test_cli_runner().invoke(args=["print-test-page", "kiosk", "--now"])
    assert r.exit_code == 0, r.output
    assert "test page sent to kiosk (paper: low)" in r.output
    assert parse(printer.received).find("Printer").text.endswith("kiosk")


def test_unknown_printer_and_unreachable_printer_are_reported(app):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["print-test-page", "nope"])
    assert r.exit_code != 0 and "unknown printer 'nope'" in r.output
    r = runner.invoke(args=["print-test-page", "kiosk", "--now"])
    assert r.exit_code != 0 and "cannot reach 127.0.0.1" in r.output
