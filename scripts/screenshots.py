"""Take the README's screenshots (PNG) of every screen, from a real app on a temporary demo database.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--lang id|en] [--only counter-request,rating]

Starts Loket in this process on a fresh SQLite file in a temporary folder (demo office and users), on a demo
clock set to a Tuesday morning, and plays one office morning through the real API and pages with headless
Debian Chromium (Playwright): visitors sign the kiosk's guest book, officers call and serve them, a microdata
sale goes from the counter's request panel to an invoice with its billing code, the treasurer confirms a
payment, a visitor rates a delivered publication on the counter tablet and follows their number on a phone,
a counter on a break lets one line run late (amber, then red on the supervisor's live view), and the day
ends in the supervisor's report. `--only` names the shots to write (the story stops once they are taken).
Nothing touches the real database or needs the internet.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.screenshot_office import (  # noqa: E402
    CHROMIUM,
    LATE_MORNING,
    MORNING,
    NPWP,
    PHONE,
    SHOTS,
    SIZE,
    TABLET,
    DemoClock,
    Done,
    Http,
    Kiosk,
    Officer,
    login,
    posting,
    start_server,
)


class Story:
    def __init__(self, out: Path, wanted: set[str], lang: str):
        self.out, self.wanted, self.taken = out, wanted, []
        self.q = f"?lang={lang}"
        self.locale = "id-ID" if lang == "id" else "en-GB"

    def browser_env(self) -> dict:
        """Date and time fields in the screen's language (Debian's chromium-l10n has the formats; without it,
        Chromium falls back to US English)."""
        lang = self.locale.replace("-", "_")
        return {**os.environ, "LANG": f"{lang}.UTF-8", "LANGUAGE": f"{lang}:{lang.split('_')[0]}"}

    def shot(self, page, name: str, **kw) -> None:
        if name in self.wanted:
            page.screenshot(path=str(self.out / name), **kw)
            self.taken.append(name)
            if set(self.taken) >= self.wanted:
                raise Done

    def needs(self, *names: str) -> bool:
        return any(n in self.wanted and n not in self.taken for n in names)

    def play(self, browser, base: str, office: str) -> None:
        q, shot = self.q, self.shot
        clock = DemoClock()

        def context(viewport=SIZE, **kw):
            return clock.follow(
                browser.new_context(viewport=viewport, locale=self.locale, timezone_id="Asia/Jakarta", **kw)
            )

        # 08:30 The wall display is open all day; it sees the calls as they happen.
        ctx = context()
        display = ctx.new_page()
        display.goto(f"{base}/display/{office}{q}")
        display.wait_for_selector(".counter-box[data-counter='1']")  # the first snapshot is drawn

        kiosk_api = Kiosk(base, office)
        morning = {t["code"]: t for t in map(kiosk_api.arrive, MORNING)}

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
        shot(kiosk, "kiosk-form.png")
        kiosk.click("[data-testid=submit]")
        kiosk.wait_for_selector("[data-testid=ticket-code]:not(:empty)")
        shot(kiosk, "kiosk-ticket.png")
        kiosk.close()

        # Counter 2 calls first (the elderly visitor goes ahead), then counter 1 on its own screen.
        loket2 = Officer(base, office, "petugas2", 2)
        loket2.call_next()
        loket2.start()

        counter_ctx = context()
        counter = counter_ctx.new_page()
        counter.goto(f"{base}/login{q}")
        shot(counter, "login.png")
        counter.fill("input[name=username]", "petugas1")
        counter.fill("input[name=password]", "petugas1-demo")
        counter.click("button[type=submit]")
        counter.click("[data-testid=counter-1]")
        counter.click("[data-testid=reopen]")  # looking at a counter does not open it: the officer opens it
        counter.wait_for_selector("[data-testid=call-next]:enabled")
        counter.click("[data-testid=call-next]")
        counter.wait_for_selector("[data-testid=current-code]:not(:empty)")
        counter.click("[data-testid=start-service]")
        counter.wait_for_function("document.querySelector('#current-state').textContent !== ''")
        counter.wait_for_timeout(1500)  # let the clocks tick once
        shot(counter, "counter.png")

        # The display while announcing, then once the announcements are over.
        if self.needs("display-call.png", "display.png"):
            display.wait_for_selector("[data-testid=call-banner]:not(.hidden)", timeout=15000)
            shot(display, "display-call.png")
            display.wait_for_selector("[data-testid=call-banner].hidden", state="attached", timeout=60000)
            display.wait_for_timeout(500)
            shot(display, "display.png")

        # 08:33 A visitor follows the queue on their phone (the ticket's QR code), people ahead of them.
        clock.at(3)
        phone_ctx = context(PHONE, is_mobile=True, has_touch=True)
        yusuf = kiosk_api.arrive(LATE_MORNING[0][1])
        phone = phone_ctx.new_page()
        phone.goto(f"{base}/s/{yusuf['status_token']}{q}")
        phone.wait_for_selector("[data-testid=ahead]:not(:empty)")
        phone.wait_for_timeout(800)
        shot(phone, "phone-status.png")

        # 08:34 Counter 3 opens and calls the consultation line's first visitor, whose phone is watching.
        clock.at(4)
        loket3 = Officer(base, office, "petugas3", 3)
        ahmad = morning["K-001"]
        phone.goto(f"{base}/s/{ahmad['status_token']}{q}")
        phone.wait_for_selector("[data-testid=code]:not(:empty)")
        phone.wait_for_timeout(1000)  # the live connection is up
        called = loket3.call_next()
        assert called["code"] == "K-001", called
        phone.wait_for_selector("[data-testid=call-banner]:not(.hidden)", timeout=15000)
        phone.wait_for_timeout(500)
        shot(phone, "phone-called.png")
        loket3.start()
        phone_ctx.close()

        # 08:35 Counter 2: a publication for the elderly visitor, paid for, delivered (for the rating later).
        clock.at(5)
        budi = loket2.post("/api/requests", {"ticket_id": loket2.ticket["id"]})["request"]
        loket2.step(
            budi["id"],
            "lines",
            {
                "item_code": "publication",
                "measure": 236,
                "quantity": 1,
                "description": "Statistik Daerah Kota Palembang 2025",
            },
        )
        loket2.step(budi["id"], "agree")
        loket2.step(budi["id"], "check-documents")
        loket2.step(budi["id"], "invoice", {"billing_code": "820260300000142", "print": True})

        # 08:36 Counter 1, on its screen: a company buys microdata; terms, documents, invoice and billing code.
        clock.at(6)
        counter.wait_for_selector("[data-testid=rq-new]:enabled")
        posting(counter, "/api/requests", lambda: counter.click("[data-testid=rq-new]"))
        counter.wait_for_selector("[data-testid=rq-detail]:not(.hidden)")
        counter.select_option("[data-testid=rq-item]", "microdata_raw")
        counter.fill("[data-testid=rq-measure]", "2350000")
        counter.fill("[data-testid=rq-description]", "Susenas Maret 2025 (Kor), Provinsi Sumatera Selatan")
        counter.wait_for_function("document.querySelector('[data-testid=rq-quote]').textContent.includes('Rp')")
        posting(counter, "/lines", lambda: counter.click("[data-testid=rq-add-line]"))
        counter.select_option("[data-testid=rq-item]", "publication")
        counter.fill("[data-testid=rq-measure]", "412")
        counter.fill("[data-testid=rq-description]", "Provinsi Sumatera Selatan Dalam Angka 2025")
        counter.wait_for_function("document.querySelector('[data-testid=rq-quote]').textContent.includes('Rp')")
        posting(counter, "/lines", lambda: counter.click("[data-testid=rq-add-line]"))
        posting(counter, "/agree", lambda: counter.click("[data-testid=rq-step-agree]"))
        posting(counter, "/documents/abstract", lambda: counter.check("[data-doc=abstract]"))
        npwp = counter.locator("#rq-checklist li:has([data-doc=npwp]) input[maxlength='32']")
        npwp.fill(NPWP["Rina Marlina"])
        posting(counter, "/documents/npwp", lambda: npwp.press("Tab"))
        posting(counter, "/documents/npwp", lambda: counter.check("[data-doc=npwp]"))
        posting(counter, "/check-documents", lambda: counter.click("[data-testid=rq-step-check_documents]"))
        counter.fill("[data-testid=rq-issue_invoice-billing_code]", "8202 6030 0000 159")
        posting(counter, "/invoice", lambda: counter.click("[data-testid=rq-step-issue_invoice]"))
        counter.wait_for_selector("#rq-docs [data-invoice]")
        counter.locator("#request-panel").scroll_into_view_if_needed()
        shot(counter, "counter-request.png", full_page=True)

        # 08:37 Counter 3 is done with its visitor and goes on a break: its lines' clocks run on.
        clock.at(7)
        loket3.finish()
        loket3.pause("break")

        # 08:38 The elderly visitor paid by mobile banking; the treasurer confirms, the receipt is issued.
        clock.at(8)
        paid = loket2.step(budi["id"], "payments", {"ntpn": "0A1B2C3D4E5F6071", "paid_at": _now_iso()})
        treasurer_api = Http(base, "bendahara")
        treasurer_api.post(f"/api/payments/{paid['payment']['id']}/confirm")
        treasurer_api.post(f"/api/requests/{budi['id']}/receipt", {})
        for path, body in (
            ("prepare", None),
            ("ready", None),
            ("deliver", {"download_ref": "https://sumsel.bps.go.id/unduh/STD-PLG-2025-0142"}),
        ):
            loket2.step(budi["id"], path, body)
        loket2.finish()

        # 08:39 Counter 1 records the company's payment (shown on the visitor's phone): the treasurer's turn.
        clock.at(9)
        counter.fill("[data-testid=rq-record_payment-ntpn]", "5A3F0C91B27D4E68")
        posting(counter, "/payments", lambda: counter.click("[data-testid=rq-step-record_payment]"))

        # 08:40 Counter 2's next visitor, a government office: an invoice still to be paid.
        clock.at(10)
        loket2.call_next()
        loket2.start()
        dewi = loket2.post("/api/requests", {"ticket_id": loket2.ticket["id"]})["request"]
        loket2.step(
            dewi["id"],
            "lines",
            {"item_code": "map_kabkota_kecamatan", "quantity": 1, "description": "Peta wilayah Kabupaten Ogan Ilir"},
        )
        loket2.step(dewi["id"], "agree")
        loket2.step(dewi["id"], "documents/abstract", {"received": True})
        loket2.step(dewi["id"], "check-documents")
        loket2.step(dewi["id"], "invoice", {"billing_code": "820260300000166", "print": True})

        # 08:41 The treasurer's screen: a payment to confirm, an invoice still open.
        clock.at(11)
        treasurer_ctx = context()
        treasurer = treasurer_ctx.new_page()
        login(treasurer, base, q, "bendahara")
        treasurer.goto(f"{base}/treasurer/{q}")
        treasurer.wait_for_selector("[data-testid=tr-confirm]")
        treasurer.wait_for_timeout(500)
        shot(treasurer, "treasurer.png", full_page=True)
        posting(treasurer, "/confirm", lambda: treasurer.click("[data-testid=tr-confirm]"))
        treasurer.wait_for_selector("[data-testid=tr-receipt]")
        posting(treasurer, "/receipt", lambda: treasurer.click("[data-testid=tr-receipt]"))
        treasurer_ctx.close()

        # 08:42 The elderly visitor rates the service on the counter's tablet.
        clock.at(12)
        link = loket2.get(f"/api/requests/{budi['id']}")["links"]["rating"]
        tablet_ctx = context(TABLET, has_touch=True)
        tablet = tablet_ctx.new_page()
        tablet.goto(f"{link}{q}&channel=counter")
        for n, score in enumerate((4, 4, 3, 4, 4, 3, 4, 4, 3), 1):
            tablet.check(f"fieldset[data-element=u{n}] input[value='{score}']")
        tablet.fill("#comment", "Petugas ramah dan sabar menjelaskan. Mohon tambah kursi di ruang tunggu.")
        tablet.evaluate("window.scrollTo(0, 0)")
        shot(tablet, "rating.png")
        with tablet.expect_navigation():
            tablet.click("[data-testid=rating-submit]")
        tablet.wait_for_selector("[data-testid=rating-thanks]")
        tablet_ctx.close()

        # 08:41-08:43 More visitors; 08:44 the supervisor's live view: one line nearly late, one over the limit.
        for minute, visitor in LATE_MORNING[1:6]:
            clock.at(minute)
            kiosk_api.arrive(visitor)
        clock.at(14.5)
        sv_ctx = context()
        sv = sv_ctx.new_page()
        login(sv, base, q, "pengawas")
        sv.goto(f"{base}/supervisor/{q}")
        sv.wait_for_selector(".sv-ticket[data-state=breached]", timeout=15000)
        sv.wait_for_selector(".sv-ticket[data-state=amber]")
        sv.wait_for_timeout(2000)
        shot(sv, "supervisor-live.png", full_page=True)

        # The rest of the morning, quickly: counters serve everyone, a few more arrive; then the day's report.
        loket3.resume()
        counter_ctx.close()
        loket1 = Officer(base, office, "petugas1", 1)
        loket1.ticket = loket1.get(f"/api/counters/{loket1.cid}/state")["current"]
        later = list(LATE_MORNING[6:])
        minute, service_minutes = 15, {1: 7, 2: 9, 3: 6}
        due = {1: 16, 2: 19, 3: 15}
        while minute < 120:
            while later and later[0][0] <= minute:
                clock.at(later[0][0])
                kiosk_api.arrive(later.pop(0)[1])
            clock.at(minute)
            for number, officer in ((1, loket1), (2, loket2), (3, loket3)):
                if due[number] <= minute:
                    officer.finish()
                    if officer.call_next():
                        officer.start()
                    due[number] = minute + service_minutes[number] + (number + minute) % 4
            if not later and all(o.ticket is None for o in (loket1, loket2, loket3)):
                break
            minute += 1
        reports = sv.goto(f"{base}/supervisor/reports{q}&period=day&day={clock.day}")
        assert reports.ok, reports.status
        charts = sv.locator(".card.rp-section").nth(1).bounding_box()  # the summary and the charts
        shot(
            sv,
            "supervisor-reports.png",
            full_page=True,
            clip={"x": 0, "y": 0, "width": SIZE["width"], "height": charts["y"] + charts["height"] + 16},
        )


def _now_iso() -> str:
    import clock

    return clock.utcnow().isoformat()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--lang", default="id", choices=("id", "en"))
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated shot names (e.g. rating,treasurer.png); default all: {', '.join(s[:-4] for s in SHOTS)}",
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    wanted = {n if n.endswith(".png") else f"{n}.png" for n in names} or set(SHOTS)
    unknown = wanted - set(SHOTS)
    if unknown:
        parser.error(f"unknown shots: {', '.join(sorted(unknown))}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    story = Story(out, wanted, args.lang)
    from playwright.sync_api import sync_playwright

    import clock

    with tempfile.TemporaryDirectory(prefix="loket-shots-") as tmp:
        app, server, base, office = start_server(Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM,
                    headless=True,
                    args=[
                        "--no-sandbox",
                        "--disable-gpu",
                        "--autoplay-policy=no-user-gesture-required",
                        f"--lang={story.locale}",
                    ],
                    env=story.browser_env(),
                )
                try:
                    story.play(browser, base, office)
                except Done:
                    pass
                browser.close()
        finally:
            server.shutdown()
            app.extensions["loket.db"].dispose()
            clock.set_offset(timedelta(0))
    for name in (s for s in SHOTS if s in story.taken):
        p = out / name
        print(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p)
    missing = wanted - set(story.taken)
    if missing:
        print(f"not taken: {', '.join(sorted(missing))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
