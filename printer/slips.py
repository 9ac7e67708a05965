"""Thermal slips as ESC/POS bytes (python-escpos): the queue ticket, invoice and receipt slips, the test page.

Rendering is pure: a document plus a printer's configuration give bytes, rendered into python-escpos's Dummy
printer with the printer's profile (so native QR, cuts and columns follow the model). Sending the bytes is
``printer.backends``' job. Text is reduced to ASCII: cheap 58 mm printers disagree about code pages, and a
slip must read the same on all of them.
"""

from __future__ import annotations

import textwrap
import unicodedata
from datetime import datetime

from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy

from printer import documents as D
from printer.config import _Printer
from printer.i18n import translator
from rules.errors import N_

_REPLACE = {
    "—": "-",
    "–": "-",
    "±": "+/-",
    "…": "...",
    "·": "-",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "×": "x",
    "•": "-",
    "\u00a0": " ",
    "\u202f": " ",
}


def ascii_text(text: str) -> str:
    """Text every ESC/POS printer prints the same: typographic marks replaced, accents dropped."""
    text = "".join(_REPLACE.get(ch, ch) for ch in str(text))
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if 32 <= ord(ch) < 127 or ch == "\n")


class Slip:
    """A slip being written: lines, styles, QR codes and the cut, for one printer's paper and profile."""

    def __init__(self, cfg: _Printer, lang: str):
        self.cfg = cfg
        self.cols = cfg.line_columns  # the printer's real columns (paper, profile and dots agree: printer.config)
        self.small_cols = cfg.small_columns
        self._ = translator(lang)
        self.lang = lang
        self.p = Dummy(profile=cfg.profile)
        self.p.hw("INIT")
        self.p.set(align="left", font="a", bold=False, underline=0, normal_textsize=True)

    # -- styles
    def style(self, *, align: str = "left", bold: bool = False, size: int = 1, font: str = "a") -> None:
        """Set alignment, bold, size and font; small print (font B) is font A where the printer has no font B."""
        font = "b" if font == "b" and self.cfg.has_small_font else "a"
        if size == 1:
            self.p.set(normal_textsize=True)
        else:
            self.p.set(custom_size=True, width=size, height=size)
        self.p.set(align=align, bold=bold, font=font)

    def reset(self) -> None:
        self.style()

    # -- text
    def line(self, text: str = "", **style) -> None:
        if style:
            self.style(**style)
        self.p.text(ascii_text(text) + "\n")
        if style:
            self.reset()

    def wrapped(self, text: str, *, indent: str = "", width: int | None = None, **style) -> None:
        width = width or self.cols
        for chunk in textwrap.wrap(ascii_text(text), width, subsequent_indent=indent, break_long_words=True) or [""]:
            self.line(chunk, **style)

    def centered(self, text: str, *, bold: bool = False, size: int = 1, font: str = "a") -> None:
        width = self.cols // size if font == "a" else self.small_cols
        self.style(align="center", bold=bold, size=size, font=font)
        for chunk in textwrap.wrap(ascii_text(text), width, break_long_words=True) or [""]:
            self.p.text(chunk + "\n")
        self.reset()

    def pair(self, left: str, right: str, *, bold: bool = False) -> None:
        """A label on the left and a value on the right of one line (the value moves down when both don't fit)."""
        left, right = ascii_text(left), ascii_text(right)
        if bold:
            self.style(bold=True)
        if len(left) + 1 + len(right) <= self.cols:
            self.p.text(left + " " * (self.cols - len(left) - len(right)) + right + "\n")
        else:
            for chunk in textwrap.wrap(left, self.cols):
                self.p.text(chunk + "\n")
            for chunk in textwrap.wrap(right, self.cols):
                self.p.text(" " * (self.cols - len(chunk)) + chunk + "\n")
        if bold:
            self.reset()

    def rule(self, char: str = "-") -> None:
        self.p.text(char * self.cols + "\n")

    def feed(self, n: int = 1) -> None:
        self.p.text("\n" * n)

    # -- codes and paper
    def qr(self, content: str) -> None:
        if not content:
            return
        size = 6 if self.cfg.line_dots >= 512 else 4
        if self.cfg.native_qr:
            self.style(align="center")
            self.p.qr(content, ec=QR_ECLEVEL_M, size=size, native=True)
            self.p.text("\n")
            self.reset()
        else:
            self.p.qr(content, ec=QR_ECLEVEL_M, size=max(size - 2, 2), native=False, center=True)

    def cut(self) -> None:
        if self.cfg.can_cut:
            self.p.cut(mode="PART" if self.cfg.cut == "partial" else "FULL")
        else:
            self.feed(6)  # enough paper past the tear bar

    def output(self) -> bytes:
        return self.p.output

    # -- shared blocks
    def letterhead(self, office: D.OfficeInfo) -> None:
        self.centered(office.name, bold=True)
        self.centered(self._("Integrated Statistical Services (PST)"))
        if office.address:
            self.centered(office.address, font="b")
        self.rule("=")


def _signatory(s: D.Signatory) -> str:
    return s.name + (f" (NIP {s.nip})" if s.nip else "")


PRIORITY_LABELS = {
    "disability": N_("Person with a disability"),
    "elderly": N_("Elderly"),
    "pregnant": N_("Pregnant"),
    "infant": N_("With an infant"),
}
COMPLAINT_LABELS = {"box": "", "lapor": "", "web": "", "email": "Email: ", "whatsapp": "WhatsApp: "}


def ticket_slip(doc: D.TicketDoc, cfg: _Printer, lang: str = "id") -> bytes:
    """The queue ticket: office, number in large type, service, date and time, people ahead and wait, QR, complaints."""
    s = Slip(cfg, lang)
    _ = s._
    tz = doc.office.timezone
    s.letterhead(doc.office)
    s.centered(_("QUEUE NUMBER"), bold=True)
    s.centered(doc.code, bold=True, size=4 if s.cols >= 40 else 3)
    s.centered(doc.service, bold=True)
    if doc.priority_reason:
        s.centered(
            _("Priority: %(reason)s", reason=_(PRIORITY_LABELS.get(doc.priority_reason, doc.priority_reason))),
            bold=True,
        )
    s.rule()
    s.pair(_("Date"), D.local_date(doc.issued_at, tz, lang))
    s.pair(_("Time"), D.local_time(doc.issued_at, tz))
    s.pair(_("Ahead of you"), _("%(n)s people", n=doc.ahead) if doc.ahead != 1 else _("1 person"))
    if doc.ahead > 0 and doc.estimate_minutes is not None:
        s.pair(_("Est. wait"), _("about %(n)s minutes", n=doc.estimate_minutes))
    else:
        s.pair(_("Est. wait"), _("you are next"))
    s.wrapped(
        _("You will be called at most %(n)s minutes after the visitor ahead of you has finished.", n=doc.limit_minutes)
    )
    if doc.status_url:
        s.feed()
        s.qr(doc.status_url)
        s.centered(_("Scan to follow your place in the queue"))
        s.centered(doc.status_url, font="b")
    if doc.complaints:
        s.rule()
        s.line(_("Complaints and suggestions:"), bold=True)
        for key in ("box", "lapor", "web", "email", "whatsapp"):
            text = doc.complaints.get(key)
            if key == "box" and lang == "en":  # the box in English when the office wrote it (admin, config.toml)
                text = doc.complaints.get("box_en") or text
            if text:
                s.wrapped(f"- {COMPLAINT_LABELS[key]}{text}", indent="  ")
    s.centered(_("Thank you for your visit"))
    s.cut()
    return s.output()


def _lines_block(s: Slip, lines: list[D.Line]) -> None:
    for line in lines:
        s.wrapped(line.description)
        qty = f"{D.quantity(line.quantity)} {line.unit}".strip()
        s.pair(f"  {qty} x {D.rupiah(line.unit_price)}", D.rupiah(line.amount))
        if line.rule:
            s.style(font="b")
            for chunk in textwrap.wrap(ascii_text(line.rule), s.small_cols - 2):
                s.p.text("  " + chunk + "\n")
            s.reset()


def _big_code(s: Slip, label: str, code: str) -> None:
    s.centered(label)
    s.centered(code, bold=True, size=2 if len(code) * 2 <= s.cols else 1)


def invoice_slip(data: dict | D.InvoiceDoc, cfg: _Printer, lang: str = "id") -> bytes:
    """The invoice (tagihan) as a thermal slip: number, items, total in rupiah, billing code, validity, QR."""
    doc = D.invoice(data)
    s = Slip(cfg, lang)
    _ = s._
    tz = doc.office.timezone
    s.letterhead(doc.office)
    s.centered(_("INVOICE"), bold=True, size=2)
    s.pair(_("Number"), doc.number)
    s.pair(_("Date"), D.local_datetime(doc.issued_at, tz, lang))
    s.pair(_("Valid until"), D.local_date(doc.valid_until, tz, lang))
    if doc.buyer.name:
        s.pair(_("Buyer"), doc.buyer.name)
    if doc.buyer.institution:
        s.pair(_("Institution"), doc.buyer.institution)
    s.rule()
    _lines_block(s, doc.lines)
    s.rule()
    s.pair(_("TOTAL"), D.rupiah(doc.total), bold=True)
    s.rule()
    if doc.billing_code:
        _big_code(s, _("Billing code (SIMPONI)"), doc.billing_code)  # the last day is said once, above
    for note in doc.notes:
        s.wrapped(f"* {note}", indent="  ")
    if doc.officer.name:
        s.feed()
        s.pair(_("Officer"), _signatory(doc.officer))
    if doc.verify_url:
        s.feed()
        s.qr(doc.verify_url)
        s.centered(_("Scan to check this document"))
        s.centered(doc.verify_url, font="b")
    s.cut()
    return s.output()


def receipt_slip(data: dict | D.ReceiptDoc, cfg: _Printer, lang: str = "id") -> bytes:
    """The receipt (kuitansi) as a thermal slip: payment proof with NTPN, items, total, treasurer, QR."""
    doc = D.receipt(data)
    s = Slip(cfg, lang)
    _ = s._
    tz = doc.office.timezone
    s.letterhead(doc.office)
    s.centered(_("RECEIPT"), bold=True, size=2)
    s.pair(_("Number"), doc.number)
    s.pair(_("Date"), D.local_datetime(doc.issued_at, tz, lang))
    if doc.invoice_number:
        s.pair(_("Invoice"), doc.invoice_number)
    if doc.billing_code:
        s.pair(_("Billing code"), doc.billing_code)
    if doc.ntpn:
        s.pair("NTPN", doc.ntpn)
    s.pair(_("Paid at"), D.local_datetime(doc.paid_at, tz, lang))
    if doc.payer.name:
        s.pair(_("Received from"), doc.payer.name)
    if doc.payer.institution:
        s.pair(_("Institution"), doc.payer.institution)
    s.rule()
    _lines_block(s, doc.lines)
    s.rule()
    s.pair(_("TOTAL PAID"), D.rupiah(doc.total), bold=True)
    s.wrapped(_("In words: %(words)s", words=D.terbilang(doc.total, lang)))
    s.rule()
    for note in doc.notes:
        s.wrapped(f"* {note}", indent="  ")
    if doc.treasurer.name:
        s.pair(_("Treasurer"), _signatory(doc.treasurer))
    if doc.verify_url:
        s.feed()
        s.qr(doc.verify_url)
        s.centered(_("Scan to check this document"))
        s.centered(doc.verify_url, font="b")
    s.cut()
    return s.output()


def test_page(name: str, cfg: _Printer, *, now: datetime, tz: str, lang: str = "id") -> bytes:
    """What a printer can do, printed: its settings, a column ruler, styles, a QR code and a cut."""
    s = Slip(cfg, lang)
    _ = s._
    s.centered(_("TEST PAGE"), bold=True, size=2)
    s.centered("Loket")
    s.rule()
    s.pair(_("Printer"), name)
    if cfg.label:
        s.pair(_("Label"), cfg.label)
    s.pair(_("Connection"), cfg.backend)
    s.pair(_("Paper"), f"{cfg.paper_mm} mm, {s.cols} " + _("columns"))
    s.pair(_("Dots per line"), str(cfg.line_dots))
    s.pair(_("Profile"), cfg.profile)
    s.pair(_("Printed at"), D.local_datetime(now, tz, lang))
    s.rule()
    s.line("".join(str(i % 10) for i in range(1, s.cols + 1)))
    s.line(_("Bold text"), bold=True)
    s.line(_("Centred text"), align="center")
    s.line(_("Large"), size=2)
    s.line(_("Small font B"), font="b")
    s.qr(f"loket:test:{name}")
    s.centered(_("If you can read this, the printer works."))
    s.cut()
    return s.output()
