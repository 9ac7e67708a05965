"""The demo office the README's screenshots are taken in: its morning's visitors, the server on a temporary
database with a demo clock, and the kiosk, officers and pages the story (scripts/screenshots.py) drives."""

from __future__ import annotations

import shutil
import sys
import threading
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}
SHOTS = (
    "kiosk-form.png",
    "kiosk-ticket.png",
    "login.png",
    "counter.png",
    "display-call.png",
    "display.png",
    "phone-status.png",
    "phone-called.png",
    "counter-request.png",
    "treasurer.png",
    "rating.png",
    "supervisor-live.png",
    "supervisor-reports.png",
)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ZONE = ZoneInfo("Asia/Jakarta")
OPENS_AT = time(8, 30)  # the demo morning, office time

# Made-up visitors, as the kiosk sends them:
# (service, name, gender, birth year, education, occupation, institution category, institution, purpose, priority)
# A table, one visitor a row (not reflowed by the formatter).
# fmt: off
MORNING = [
    ("penjualan", "Rina Marlina", "P", 1988, "s2", "private_employee", "private", "PT Data Riset Nusantara",
     "business", ""),
    ("konsultasi", "Ahmad Fauzi", "L", 2001, "d4_s1", "student", "domestic_education", "Universitas Sriwijaya",
     "thesis", ""),
    ("penjualan", "Dewi Lestari", "P", 1985, "s2", "civil_servant", "regional_government",
     "Bappeda Provinsi Sumatera Selatan", "government_planning", ""),
    ("penjualan", "Budi Santoso", "L", 1957, "d4_s1", "other", "individual", "", "research", "elderly"),
    ("konsultasi", "Sri Wahyuni", "P", 1979, "s3", "lecturer_teacher", "domestic_education",
     "Universitas Muhammadiyah Palembang", "research", ""),
    ("perpustakaan", "Andi Pratama", "L", 2007, "sma", "student", "domestic_education", "SMA Negeri 3 Palembang",
     "coursework", ""),
]
# fmt: on
LATE_MORNING = [  # (minute of arrival, visitor)
    (
        3,
        (
            "penjualan",
            "Yusuf Hidayat",
            "L",
            1992,
            "d4_s1",
            "entrepreneur",
            "private",
            "CV Sriwijaya Agro Lestari",
            "business",
            "",
        ),
    ),
    (
        11,
        (
            "konsultasi",
            "Nur Aisyah",
            "P",
            2002,
            "d4_s1",
            "student",
            "domestic_education",
            "UIN Raden Fatah Palembang",
            "thesis",
            "",
        ),
    ),
    (
        12,
        (
            "penjualan",
            "Hendra Wijaya",
            "L",
            1983,
            "s2",
            "private_employee",
            "state_enterprise",
            "PT Pusri Palembang",
            "business",
            "",
        ),
    ),
    (
        12,
        (
            "perpustakaan",
            "Maya Sari",
            "P",
            1999,
            "d4_s1",
            "researcher",
            "domestic_education",
            "Politeknik Negeri Sriwijaya",
            "research",
            "",
        ),
    ),
    (
        13,
        (
            "konsultasi",
            "Fajar Ramadhan",
            "L",
            1990,
            "s2",
            "civil_servant",
            "central_government",
            "Kanwil DJP Sumatera Selatan dan Kepulauan Bangka Belitung",
            "government_planning",
            "",
        ),
    ),
    (
        13,
        (
            "penjualan",
            "Lina Kusuma",
            "P",
            1995,
            "d4_s1",
            "researcher",
            "domestic_education",
            "Universitas Sriwijaya",
            "research",
            "",
        ),
    ),
    (22, ("konsultasi", "Rudi Hartono", "L", 1975, "sma", "entrepreneur", "individual", "", "business", "")),
    (
        27,
        (
            "perpustakaan",
            "Indah Permata",
            "P",
            2003,
            "d4_s1",
            "student",
            "domestic_education",
            "Universitas Sriwijaya",
            "coursework",
            "",
        ),
    ),
    (
        34,
        (
            "penjualan",
            "Agus Salim",
            "L",
            1969,
            "s2",
            "civil_servant",
            "regional_government",
            "Dinas Pertanian Kabupaten Banyuasin",
            "government_planning",
            "",
        ),
    ),
    (
        41,
        (
            "konsultasi",
            "Putri Ayu",
            "P",
            2004,
            "d1_d3",
            "student",
            "domestic_education",
            "Politeknik Negeri Sriwijaya",
            "coursework",
            "",
        ),
    ),
    (
        48,
        (
            "perpustakaan",
            "Bambang Susilo",
            "L",
            1962,
            "s3",
            "lecturer_teacher",
            "domestic_education",
            "Universitas Sriwijaya",
            "research",
            "disability",
        ),
    ),
    (
        55,
        (
            "penjualan",
            "Wulan Dari",
            "P",
            1991,
            "d4_s1",
            "private_employee",
            "private",
            "PT Bukit Asam Tbk",
            "business",
            "",
        ),
    ),
]

# Private-sector buyers give their company's NPWP in the guest book (made-up numbers with a valid check digit).
NPWP = {
    "Rina Marlina": "02.417.365.0-301.000",
    "Yusuf Hidayat": "07.153.928.2-301.000",
    "Hendra Wijaya": "09.326.451.3-301.000",
    "Wulan Dari": "03.187.264.1-301.000",
}


class Done(Exception):
    """Every shot asked for is taken: the rest of the story is not needed."""


# ---- the app, its clock, HTTP clients -------------------------------------------------------------


def start_server(db_dir: Path):
    """The app on a free port, in this process, on a migrated demo database."""
    from werkzeug.serving import make_server

    from app import create_app
    from commands import DEMO_USERS, migrate
    from rules import offices, users
    from settings import load_settings

    url = f"sqlite:///{db_dir / 'screens.db'}"
    migrate(url)
    # The demo (as ./start.sh): demo passwords, and the kiosk's browser paired as a demo kiosk when it opens.
    settings = load_settings(env={"LOKET_ALWAYS_OPEN": "1", "LOKET_DEMO": "1"})
    app = create_app({"DATABASE_URL": url}, settings=settings)
    with app.extensions["loket.db"].write() as s:
        office = offices.sync_from_settings(s, settings)
        # A third officer for counter 3 (demo data of this script only).
        for username, name, role in (*DEMO_USERS, ("petugas3", "Petugas Tiga", "officer")):
            users.create_user(
                s,
                office_id=office.id,
                username=username,
                name=name,
                role=role,
                password=f"{username}-demo",
                enforce_policy=False,
            )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server, f"http://127.0.0.1:{server.server_port}", office.code


class DemoClock:
    """The server's clock (clock.set_offset, the app runs in this process) and every browser's, moved together.

    Minute 0 is the last Tuesday before today at 08:30 office time; the clock only ever moves forward.
    """

    def __init__(self):
        today = datetime.now(ZONE).date()
        back = (today.weekday() - 1) % 7 or 7
        self.start = datetime.combine(today - timedelta(days=back), OPENS_AT, ZONE).astimezone(UTC)
        self.contexts = []
        import clock

        clock.set_offset(self.start - datetime.now(UTC))

    def at(self, minute: float) -> None:
        import clock

        target = max(self.start + timedelta(minutes=minute), clock.utcnow())
        clock.set_offset(target - datetime.now(UTC))
        for ctx in self.contexts:
            ctx.clock.set_system_time(clock.utcnow())

    def follow(self, ctx):
        """A browser context whose Date follows the demo clock (as a browser's clock follows the office's)."""
        import clock

        ctx.clock.install(time=clock.utcnow())
        self.contexts.append(ctx)
        ctx.on("close", lambda _: self.contexts.remove(ctx))
        return ctx

    @property
    def day(self) -> str:
        return self.start.astimezone(ZONE).date().isoformat()


class Http:
    """A kiosk or a staff member over HTTP, with the CSRF token as the pages send it."""

    def __init__(self, base: str, username: str | None = None):
        import requests

        self.base, self.s = base, requests.Session()
        self.token = self.get("/api/session")["csrf_token"]
        if username:
            self.token = self.post("/api/login", {"username": username, "password": f"{username}-demo"})["csrf_token"]

    def post(self, path: str, body=None, allow=()) -> dict:
        r = self.s.post(self.base + path, json=body, headers={"X-CSRFToken": self.token})
        if not r.ok and r.status_code not in allow:
            raise RuntimeError(f"POST {path}: {r.status_code} {r.text[:300]}")
        return r.json()

    def get(self, path: str) -> dict:
        r = self.s.get(self.base + path)
        if not r.ok:
            raise RuntimeError(f"GET {path}: {r.status_code} {r.text[:300]}")
        return r.json()


class Kiosk(Http):
    def __init__(self, base: str, office: str):
        super().__init__(base)
        self.office = office
        self.s.get(f"{base}/kiosk/{office}").raise_for_status()  # the demo pairs this browser as a kiosk
        self.services = {s["code"]: s["id"] for s in self.get(f"/api/offices/{office}/services")["services"]}
        self.count = 0

    def arrive(self, visitor: tuple) -> dict:
        service, name, gender, born, education, occupation, category, institution, purpose, priority = visitor
        self.count += 1
        first = name.split()[0].lower()
        return self.post(
            f"/api/offices/{self.office}/tickets",
            {
                "name": name,
                "email": f"{first}.{name.split()[-1].lower()}@contoh.id",
                "phone": f"08123456{self.count:04d}",
                "gender": gender,
                "birth_year": born,
                "education": education,
                "occupation": occupation,
                "institution_category": category,
                "institution_name": institution,
                "purpose": purpose,
                "service_id": self.services[service],
                "priority_reason": priority,
                "npwp": NPWP.get(name, ""),
                "consent": True,
            },
        )


class Officer(Http):
    """An officer at a counter, through the counter screen's API."""

    def __init__(self, base: str, office: str, username: str, number: int):
        super().__init__(base, username)
        self.cid = next(c["id"] for c in self.get(f"/api/offices/{office}/queue")["counters"] if c["number"] == number)
        self.post(f"/api/counters/{self.cid}/open")
        self.ticket = None

    def call_next(self) -> dict | None:
        out = self.post(f"/api/counters/{self.cid}/call-next", allow=(409,))
        self.ticket = out.get("ticket")
        return self.ticket

    def start(self) -> None:
        self.post(f"/api/counters/{self.cid}/tickets/{self.ticket['id']}/start")

    def finish(self) -> None:
        if self.ticket:
            self.post(f"/api/counters/{self.cid}/tickets/{self.ticket['id']}/finish")
            self.ticket = None

    def pause(self, reason: str) -> None:
        self.post(f"/api/counters/{self.cid}/pause", {"reason": reason})

    def resume(self) -> None:
        self.post(f"/api/counters/{self.cid}/resume")

    def step(self, request_id: int, path: str, body=None) -> dict:
        return self.post(f"/api/requests/{request_id}/{path}", body)


# ---- the pages ------------------------------------------------------------------------------------


def login(page, base: str, q: str, username: str) -> None:
    page.goto(f"{base}/login{q}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"{username}-demo")
    with page.expect_navigation():
        page.click("button[type=submit]")


def posting(page, path_part: str, action) -> dict:
    """Do something on a page and wait for the POST it sends (and the redraw that follows its answer)."""
    with page.expect_response(lambda r: path_part in r.url and r.request.method == "POST") as info:
        action()
    resp = info.value
    if not resp.ok:
        raise RuntimeError(f"{path_part}: {resp.status} {resp.text()[:300]}")
    page.wait_for_timeout(300)
    return resp.json()
