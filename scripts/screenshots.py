"""Take the README's screenshots (PNG, 1280x800) of the walk-in screens, from a real app on a temporary database.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--lang id|en]

Starts Loket on a fresh SQLite file in a temporary folder (open at any hour, demo office and users), puts a
few visitors in the queue through the kiosk's own API, and drives headless Debian Chromium with Playwright:
the kiosk (guest book, then the ticket), the sign-in page, the counter serving a visitor, and the wall
display with its calls. Nothing touches the real database or needs the internet.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = {"width": 1280, "height": 800}
SHOTS = ("kiosk-form.png", "kiosk-ticket.png", "login.png", "counter.png", "display-call.png", "display.png")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
VISITORS = [  # (service, name, priority): made-up people, as the kiosk would send them
    ("penjualan", "Rina Marlina", ""), ("konsultasi", "Ahmad Fauzi", ""), ("penjualan", "Dewi Lestari", ""),
    ("penjualan", "Budi Santoso", "elderly"), ("konsultasi", "Sri Wahyuni", ""), ("perpustakaan", "Andi Pratama", ""),
]


def start_server(db_dir: Path):
    """The app on a free port, in this process, on a migrated demo database."""
    from werkzeug.serving import make_server

    from app import create_app
    from commands import DEMO_USERS, migrate
    from rules import offices, users
    from settings import load_settings

    url = f"sqlite:///{db_dir / 'screens.db'}"
    migrate(url)
    settings = load_settings(env={"LOKET_ALWAYS_OPEN": "1"})
    app = create_app({"DATABASE_URL": url}, settings=settings)
    with app.extensions["loket.db"].write() as s:
        office = offices.sync_from_settings(s, settings)
        for username, name, role in DEMO_USERS:
            users.create_user(s, office_id=office.id, username=username, name=name, role=role,
                              password=f"{username}-demo")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server, f"http://127.0.0.1:{server.server_port}", office.code


class Http:
    """A kiosk or an officer over HTTP, with the CSRF token as the pages send it."""

    def __init__(self, base: str):
        import requests
        self.base, self.s = base, requests.Session()
        self.token = self.s.get(base + "/api/session").json()["csrf_token"]

    def post(self, path: str, body=None) -> dict:
        r = self.s.post(self.base + path, json=body, headers={"X-CSRFToken": self.token})
        r.raise_for_status()
        return r.json()

    def get(self, path: str) -> dict:
        r = self.s.get(self.base + path)
        r.raise_for_status()
        return r.json()


def fill_queue(base: str, office: str) -> None:
    kiosk = Http(base)
    services = {s["code"]: s["id"] for s in kiosk.get(f"/api/offices/{office}/services")["services"]}
    for n, (service, name, priority) in enumerate(VISITORS, 1):
        kiosk.post(f"/api/offices/{office}/tickets", {
            "name": name, "email": f"{name.split()[0].lower()}{n}@contoh.id", "phone": f"0812345600{n:02d}",
            "gender": "P" if n % 2 else "L", "birth_year": 1980 + n, "education": "d4_s1", "occupation": "researcher",
            "institution_category": "domestic_education", "institution_name": "Universitas Sriwijaya",
            "purpose": "research", "service_id": services[service], "priority_reason": priority, "consent": True})


def officer_calls(base: str, office: str, username: str, counter: int, start: bool) -> None:
    o = Http(base)
    o.token = o.post("/api/login", {"username": username, "password": f"{username}-demo"})["csrf_token"]
    cid = next(c["id"] for c in o.get(f"/api/offices/{office}/queue")["counters"] if c["number"] == counter)
    o.post(f"/api/counters/{cid}/open")
    t = o.post(f"/api/counters/{cid}/call-next")["ticket"]
    if start:
        o.post(f"/api/counters/{cid}/tickets/{t['id']}/start")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--lang", default="id", choices=("id", "en"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    q = f"?lang={args.lang}"
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="loket-shots-") as tmp:
        app, server, base, office = start_server(Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
                    "--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"])
                ctx = browser.new_context(viewport=SIZE, locale="id-ID")

                # The wall display is open all day; it sees the calls as they happen.
                display = ctx.new_page()
                display.goto(f"{base}/display/{office}{q}")
                display.wait_for_selector(".counter-box[data-counter='1']")  # the first snapshot is drawn

                fill_queue(base, office)

                kiosk = ctx.new_page()
                kiosk.goto(f"{base}/kiosk/{office}{q}")
                kiosk.click("[data-testid=start]")
                kiosk.fill("#name", "Siti Aminah")
                kiosk.fill("#email", "siti.aminah@contoh.id")
                kiosk.fill("#phone", "0812 3456 7890")
                kiosk.check("input[name=gender][value=P]")
                kiosk.fill("#birth_year", "1994")
                kiosk.select_option("#education", "s2")
                kiosk.select_option("#occupation", "lecturer_teacher")
                kiosk.select_option("#institution_category", "domestic_education")
                kiosk.fill("#institution_name", "Universitas Sriwijaya")
                kiosk.select_option("#purpose", "research")
                kiosk.click("[data-testid=service-penjualan]")
                kiosk.check("[data-testid=consent]")
                kiosk.evaluate("window.scrollTo(0, 0)")
                kiosk.screenshot(path=str(out / "kiosk-form.png"))
                kiosk.click("[data-testid=submit]")
                kiosk.wait_for_selector("[data-testid=ticket-code]:not(:empty)")
                kiosk.screenshot(path=str(out / "kiosk-ticket.png"))

                officer_calls(base, office, "petugas2", 2, start=True)

                counter_ctx = browser.new_context(viewport=SIZE, locale="id-ID")
                counter = counter_ctx.new_page()
                counter.goto(f"{base}/login{q}")
                counter.screenshot(path=str(out / "login.png"))
                counter.fill("input[name=username]", "petugas1")
                counter.fill("input[name=password]", "petugas1-demo")
                counter.click("button[type=submit]")
                counter.click("[data-testid=counter-1]")
                counter.wait_for_selector("[data-testid=call-next]:enabled")
                counter.click("[data-testid=call-next]")
                counter.wait_for_selector("[data-testid=current-code]:not(:empty)")
                counter.click("[data-testid=start-service]")
                counter.wait_for_function("document.querySelector('#current-state').textContent !== ''")
                counter.wait_for_timeout(1500)  # let the clocks tick once
                counter.screenshot(path=str(out / "counter.png"))

                # The display while announcing, then once the announcements are over.
                display.wait_for_selector("[data-testid=call-banner]:not(.hidden)", timeout=15000)
                display.screenshot(path=str(out / "display-call.png"))
                display.wait_for_selector("[data-testid=call-banner].hidden", state="attached", timeout=60000)
                display.wait_for_timeout(500)
                display.screenshot(path=str(out / "display.png"))
                browser.close()
        finally:
            server.shutdown()
            app.extensions["loket.db"].dispose()
    for name in SHOTS:
        p = out / name
        print(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
