"""Take the README's screenshots of the admin screens (PNG), from a real app on a temporary demo database.

    .venv/bin/python scripts/screenshot_admin.py [--out docs/screenshots] [--lang id|en]

Starts Loket in this process on a fresh SQLite file (demo office and users, as scripts/screenshots.py does), signs
in as the demo admin in headless Debian Chromium, makes a few changes through the pages (a new service and
counter, a special day, a new account, a pairing code, a refused duplicate prefix) and saves one picture per admin
screen under docs/screenshots/admin-*.png. Nothing touches the real database or needs the internet.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.screenshot_office import CHROMIUM, login, posting, start_server  # noqa: E402

SHOTS = (
    "admin-home.png",
    "admin-office.png",
    "admin-hours.png",
    "admin-services.png",
    "admin-counters.png",
    "admin-staff.png",
    "admin-printers.png",
    "admin-devices.png",
    "admin-audit.png",
)


def play(page, base: str, q: str, out: Path) -> list[str]:
    taken = []

    def shot(name: str, full: bool = True) -> None:
        page.screenshot(path=str(out / name), full_page=full)
        taken.append(name)

    login(page, base, q, "admin")
    page.goto(f"{base}/admin/services{q}")
    new = page.get_by_test_id("service-new")
    new.locator("input[name=name]").fill("Layanan Data Daerah")
    new.locator("input[name=name_en]").fill("Regional Data Service")
    new.locator("input[name=prefix]").fill("D")
    posting(page, "/api/admin/services", lambda: page.get_by_test_id("service-add").click())
    page.wait_for_timeout(900)  # the page reloads to list the new row
    page.wait_for_load_state("load")
    page.goto(f"{base}/admin/counters{q}")
    new = page.get_by_test_id("counter-new")
    new.locator("input[name=number]").fill("4")
    new.locator("input[name=name]").fill("Loket 4")
    new.locator("input[name=service_ids]").last.check()
    posting(page, "/api/admin/counters", lambda: page.get_by_test_id("counter-add").click())
    page.wait_for_timeout(900)
    page.wait_for_load_state("load")
    page.goto(f"{base}/admin/hours{q}")
    form = page.get_by_test_id("special-day-form")
    day = form.locator("input[name=day]").input_value()
    from datetime import date

    later = (date.fromisoformat(day) + timedelta(days=5)).isoformat()
    form.locator("input[name=day]").fill(later)
    form.locator("input[name=note]").fill("Kantor tutup: pemeliharaan gedung")
    form.locator("input[name=note_en]").fill("Office closed: building maintenance")
    posting(page, "/api/admin/special-days", lambda: page.get_by_test_id("special-day-save").click())
    page.goto(f"{base}/admin/staff{q}")
    new = page.get_by_test_id("staff-new")
    new.locator("input[name=username]").fill("rina")
    new.locator("input[name=name]").fill("Rina Marlina")
    posting(page, "/api/admin/staff", lambda: page.get_by_test_id("staff-add").click())
    shot("admin-staff.png")
    page.goto(f"{base}/admin/devices{q}")
    new = page.get_by_test_id("pairing-form")
    new.locator("input[name=label]").fill("Kios lobi")
    new.locator("select[name=station]").select_option("kiosk-1")
    posting(page, "/api/devices/pairing", lambda: page.get_by_test_id("pairing-make").click())
    shot("admin-devices.png")

    page.goto(f"{base}/admin/{q}")
    shot("admin-home.png")
    page.goto(f"{base}/admin/office{q}")
    shot("admin-office.png")
    page.goto(f"{base}/admin/hours{q}")
    shot("admin-hours.png")
    page.goto(f"{base}/admin/services{q}")
    new = page.get_by_test_id("service-new")  # a refused duplicate prefix: the message beside the field
    new.locator("input[name=name]").fill("Konsultasi Lanjutan")
    new.locator("input[name=prefix]").fill("K")
    page.get_by_test_id("service-add").click()
    page.wait_for_selector("[data-testid=service-new] .field-error")
    shot("admin-services.png")
    page.goto(f"{base}/admin/counters{q}")
    shot("admin-counters.png")
    page.goto(f"{base}/admin/printers{q}")
    shot("admin-printers.png")
    page.goto(f"{base}/admin/audit{q}")
    shot("admin-audit.png")
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--lang", default="id", choices=("id", "en"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="loket-admin-shots-") as tmp:
        app, server, base, _office = start_server(Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                taken = play(page, base, f"?lang={args.lang}", out)
                browser.close()
        finally:
            server.shutdown()
            app.extensions["loket.db"].dispose()
    for name in SHOTS:
        if name in taken:
            print((out / name).relative_to(ROOT) if (out / name).is_relative_to(ROOT) else out / name)


if __name__ == "__main__":
    main()
