"""A4 invoice and receipt (kuitansi) PDFs with reportlab: letterhead, item tables over pages, QR code.

The same document gives the same bytes (reportlab's invariant mode fixes the creation date and file id),
so a PDF can be regenerated for a reprint or checked against an archived copy.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Paragraph, Spacer, Table, TableStyle

from blocking import off_loop
from printer import documents as D
from printer.i18n import translator

MARGIN = 18 * mm
_styles = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_styles["Normal"], fontName="Helvetica", fontSize=9.5, leading=12)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444"))
CELL = ParagraphStyle("cell", parent=BODY, fontSize=9, leading=11)
CELL_R = ParagraphStyle("cell_r", parent=CELL, alignment=TA_RIGHT)
HEAD = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold", textColor=colors.white)
HEAD_R = ParagraphStyle("head_r", parent=HEAD, alignment=TA_RIGHT)
TITLE = ParagraphStyle(
    "title", parent=BODY, fontName="Helvetica-Bold", fontSize=16, leading=20, alignment=TA_CENTER, spaceAfter=2 * mm
)
CENTER = ParagraphStyle("center", parent=BODY, alignment=TA_CENTER)
NAVY = colors.HexColor("#123a6b")


def _p(text: str, style=BODY) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _qr(content: str, size: float = 28 * mm) -> Drawing:
    widget = QrCodeWidget(content, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def _numbered_canvas(label: str):
    """A canvas that writes 'Page x of y' once the number of pages is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont("Helvetica", 8)
                self.setFillColor(colors.HexColor("#444444"))
                self.drawRightString(A4[0] - MARGIN, 10 * mm, label % {"page": self._pageNumber, "pages": total})
                super().showPage()
            super().save()

    return NumberedCanvas


def _build(doc_title: str, number: str, office: D.OfficeInfo, story: list, _, verify_url: str) -> bytes:
    buf = BytesIO()

    def first_page(c: Canvas, d) -> None:
        top = A4[1] - 14 * mm
        c.saveState()
        c.setFillColor(NAVY)
        c.setFont("Helvetica-Bold", 13)
        c.drawString(MARGIN, top, "BADAN PUSAT STATISTIK")
        c.setFont("Helvetica-Bold", 11.5)
        c.drawString(MARGIN, top - 5.5 * mm, office.name.upper())
        c.setFillColor(colors.black)
        c.setFont("Helvetica", 8.5)
        y = top - 10.5 * mm
        c.drawString(MARGIN, y, _("Integrated Statistical Services (PST)"))
        if office.address:
            y -= 4 * mm
            c.drawString(MARGIN, y, office.address)
        contact = "  ·  ".join(x for x in (office.phone, office.email, office.website) if x)
        if contact:
            y -= 4 * mm
            c.drawString(MARGIN, y, contact)
        c.setStrokeColor(NAVY)
        c.setLineWidth(1.6)
        c.line(MARGIN, y - 3 * mm, A4[0] - MARGIN, y - 3 * mm)
        c.setLineWidth(0.5)
        c.line(MARGIN, y - 4 * mm, A4[0] - MARGIN, y - 4 * mm)
        _footer(c)
        c.restoreState()

    def later_pages(c: Canvas, d) -> None:
        c.saveState()
        c.setFont("Helvetica-Bold", 9)
        c.setFillColor(NAVY)
        c.drawString(MARGIN, A4[1] - 12 * mm, f"{office.name} — {doc_title} {number}")
        c.setFont("Helvetica", 8)
        c.setFillColor(colors.black)
        c.drawRightString(A4[0] - MARGIN, A4[1] - 12 * mm, _("(continued)"))
        c.setStrokeColor(NAVY)
        c.line(MARGIN, A4[1] - 14 * mm, A4[0] - MARGIN, A4[1] - 14 * mm)
        _footer(c)
        c.restoreState()

    def _footer(c: Canvas) -> None:
        c.setFont("Helvetica", 8)
        c.setFillColor(colors.HexColor("#444444"))
        c.drawString(MARGIN, 10 * mm, f"{doc_title} {number}")
        if verify_url:
            c.drawString(MARGIN, 6.5 * mm, _("Check this document: %(url)s", url=verify_url))

    template = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=42 * mm,
        bottomMargin=20 * mm,
        title=f"{doc_title} {number}",
        author=office.name,
        creator="Loket",
        producer="Loket (reportlab)",
        subject=doc_title,
        invariant=1,
        lang="id",
    )
    width = A4[0] - 2 * MARGIN
    # The first page carries the letterhead; later pages only a running header, so their frame starts higher.
    first = Frame(MARGIN, 20 * mm, width, A4[1] - 42 * mm - 20 * mm, id="first")
    later = Frame(MARGIN, 20 * mm, width, A4[1] - 20 * mm - 20 * mm, id="later")
    template.addPageTemplates(
        [
            PageTemplate("first", [first], onPage=first_page, autoNextPageTemplate="later"),
            PageTemplate("later", [later], onPage=later_pages),
        ]
    )
    # Rendering computes for 30-110 ms: off the event loop (blocking.py).
    off_loop(template.build, story, canvasmaker=_numbered_canvas(_("Page %(page)s of %(pages)s")))
    return buf.getvalue()


def _meta_table(rows: list[tuple[str, str]]) -> Table:
    data = [[_p(k, CELL), _p(v, ParagraphStyle("v", parent=CELL, fontName="Helvetica-Bold"))] for k, v in rows]
    t = Table(data, colWidths=[38 * mm, None], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return t


# The item table's headings (msgids; N_ marks them for extraction).
def N_(s: str) -> str:
    return s


HEADINGS = (N_("No."), N_("Description"), N_("Quantity"), N_("Unit"), N_("Unit price"), N_("Amount"))


def _fits(least: float, heading: str) -> float:
    """A column's width: at least `least`, and wide enough that no word of its heading is split."""
    longest = max((stringWidth(w, HEAD.fontName, HEAD.fontSize) for w in heading.split()), default=0)
    return max(least, longest + 12 + 2)  # the cell's left and right padding (6 pt each) and a little air


def _lines_table(lines: list[D.Line], total, total_label: str, _) -> Table:
    head = [_p(_(h), style) for h, style in zip(HEADINGS, (HEAD, HEAD, HEAD_R, HEAD, HEAD_R, HEAD_R), strict=True)]
    data = [head]
    for i, line in enumerate(lines, 1):
        desc = [_p(line.description, CELL)]
        if line.rule:
            desc.append(_p(line.rule, SMALL))
        data.append(
            [
                _p(str(i), CELL),
                desc,
                _p(D.quantity(line.quantity), CELL_R),
                _p(line.unit, CELL),
                _p(D.rupiah(line.unit_price), CELL_R),
                _p(D.rupiah(line.amount), CELL_R),
            ]
        )
    bold_r = ParagraphStyle("total", parent=CELL_R, fontName="Helvetica-Bold", fontSize=10)
    data.append(
        [
            "",
            _p(total_label, ParagraphStyle("tl", parent=CELL, fontName="Helvetica-Bold", fontSize=10)),
            "",
            "",
            "",
            _p(D.rupiah(total), bold_r),
        ]
    )
    width = A4[0] - 2 * MARGIN
    least = (10 * mm, None, 18 * mm, 24 * mm, 30 * mm, 32 * mm)
    cols = [_fits(w, _(h)) if w else None for w, h in zip(least, HEADINGS, strict=True)]
    cols[1] = width - sum(c for c in cols if c)
    t = Table(data, colWidths=cols, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), NAVY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f1f4f8")]),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.HexColor("#c5ccd6")),
                ("LINEABOVE", (0, -1), (-1, -1), 1, NAVY),
                ("SPAN", (1, -1), (4, -1)),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return t


def _signature(place_date: str, role: str, who: D.Signatory, verify_url: str, caption: str) -> Table:
    sign = [
        _p(place_date, CELL),
        _p(role, CELL),
        Spacer(1, 16 * mm),
        _p(
            who.name or "....................................",
            ParagraphStyle("sn", parent=CELL, fontName="Helvetica-Bold"),
        ),
    ]
    if who.nip:
        sign.append(_p(f"NIP {who.nip}", CELL))
    left = [_qr(verify_url), _p(caption, SMALL)] if verify_url else [""]
    t = Table([[left, sign]], colWidths=[60 * mm, None], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (1, 0), (1, 0), 50 * mm),
            ]
        )
    )
    return t


def invoice_pdf(data: dict | D.InvoiceDoc, lang: str = "id") -> bytes:
    """The invoice on A4: letterhead, number and dates, buyer, items (continuing over pages), billing code, QR."""
    doc = D.invoice(data)
    _ = translator(lang)
    tz = doc.office.timezone
    title = _("INVOICE")
    story: list = [_p(title, TITLE)]
    meta = [
        (_("Number"), doc.number),
        (_("Date"), D.local_datetime(doc.issued_at, tz, lang)),
        (_("Valid until"), D.local_date(doc.valid_until, tz, lang)),
    ]
    if doc.buyer.name:
        meta.append((_("Buyer"), doc.buyer.name))
    if doc.buyer.institution:
        meta.append((_("Institution"), doc.buyer.institution))
    story += [
        _meta_table(meta),
        Spacer(1, 5 * mm),
        _lines_table(doc.lines, doc.total, _("TOTAL"), _),
        Spacer(1, 5 * mm),
    ]
    if doc.billing_code:
        # The last day to pay is said once, in the table above ("Valid until"), in the document's language.
        box = Table(
            [
                [
                    _p(_("Billing code (SIMPONI)"), CELL),
                    _p(
                        doc.billing_code,
                        ParagraphStyle("bc", parent=BODY, fontName="Courier-Bold", fontSize=15, leading=18),
                    ),
                ],
            ],
            colWidths=[50 * mm, None],
            hAlign="LEFT",
        )
        box.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1, NAVY),
                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f1f4f8")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story += [KeepTogether([box]), Spacer(1, 4 * mm)]
    if doc.notes:
        story.append(_p(_("Notes:"), ParagraphStyle("nh", parent=BODY, fontName="Helvetica-Bold")))
        story += [_p(f"{i}. {note}", BODY) for i, note in enumerate(doc.notes, 1)]
        story.append(Spacer(1, 4 * mm))
    place = f"{doc.office.city + ', ' if doc.office.city else ''}{D.local_date(doc.issued_at, tz, lang)}"
    story.append(
        KeepTogether([_signature(place, _("Officer"), doc.officer, doc.verify_url, _("Scan to check this document"))])
    )
    return _build(title, doc.number, doc.office, story, _, doc.verify_url)


def receipt_pdf(data: dict | D.ReceiptDoc, lang: str = "id") -> bytes:
    """The receipt (kuitansi) on A4: payment proof with billing code and NTPN, items, treasurer, QR."""
    doc = D.receipt(data)
    _ = translator(lang)
    tz = doc.office.timezone
    title = _("RECEIPT")
    story: list = [_p(title, TITLE)]
    meta = [(_("Number"), doc.number), (_("Date"), D.local_datetime(doc.issued_at, tz, lang))]
    if doc.invoice_number:
        meta.append((_("Invoice"), doc.invoice_number))
    if doc.billing_code:
        meta.append((_("Billing code"), doc.billing_code))
    if doc.ntpn:
        meta.append(("NTPN", doc.ntpn))
    meta.append((_("Paid at"), D.local_datetime(doc.paid_at, tz, lang)))
    if doc.payer.name:
        meta.append((_("Received from"), doc.payer.name))
    if doc.payer.institution:
        meta.append((_("Institution"), doc.payer.institution))
    meta.append((_("Amount"), D.rupiah(doc.total)))
    meta.append((_("In words"), D.terbilang(doc.total, lang)))
    story += [
        _meta_table(meta),
        Spacer(1, 5 * mm),
        _p(_("For payment of:"), BODY),
        Spacer(1, 2 * mm),
        _lines_table(doc.lines, doc.total, _("TOTAL PAID"), _),
        Spacer(1, 5 * mm),
    ]
    if doc.notes:
        story += [_p(f"{i}. {note}", BODY) for i, note in enumerate(doc.notes, 1)]
        story.append(Spacer(1, 4 * mm))
    place = f"{doc.office.city + ', ' if doc.office.city else ''}{D.local_date(doc.issued_at, tz, lang)}"
    story.append(
        KeepTogether(
            [_signature(place, _("Treasurer"), doc.treasurer, doc.verify_url, _("Scan to check this document"))]
        )
    )
    return _build(title, doc.number, doc.office, story, _, doc.verify_url)
