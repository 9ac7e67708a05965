"""A person's data as a readable A4 PDF (the export handed over at the counter): every table's rows as label and
value, the files, and why rows stay after an erasure. Built from rules.personal_data.export's document, so the
PDF and the JSON hold the same rows."""

from __future__ import annotations

import json
from datetime import datetime
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from blocking import off_loop

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
NAVY = colors.HexColor("#123a6b")
LINE = colors.HexColor("#d8dee8")


def _fonts() -> tuple[str, str]:
    """DejaVu Sans (every Indonesian and foreign name prints), or Helvetica if its files are missing."""
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return "Helvetica", "Helvetica-Bold"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    return "DejaVuSans", "DejaVuSans-Bold"


def _text(value) -> str:
    """A value as the PDF prints it ('—' for nothing, JSON compact)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def _local(value, tz: ZoneInfo):
    """An ISO moment as the office's local time ('2026-01-14 10:00'), anything else as it is."""
    if isinstance(value, str) and len(value) >= 19 and value[10] == "T" and value[4] == "-":
        try:
            return datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    return value


def render(doc: dict, *, office: str, titles: dict[str, str], kept: dict[str, str], tz: str, _) -> bytes:
    """The export `doc` (rules.personal_data.export) as PDF bytes; `titles` and `kept` are in the screen's
    language, `_` translates the page's own words."""
    regular, bold = _fonts()
    zone = ZoneInfo(tz)
    base = getSampleStyleSheet()
    title = ParagraphStyle("t", parent=base["Title"], fontName=bold, fontSize=15, textColor=NAVY, alignment=0)
    h2 = ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=11, textColor=NAVY, spaceBefore=8)
    body = ParagraphStyle("b", parent=base["BodyText"], fontName=regular, fontSize=8.5, leading=11)
    small = ParagraphStyle("s", parent=body, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444"))
    cell = ParagraphStyle("c", parent=body, fontSize=7.5, leading=9)
    key = ParagraphStyle("k", parent=cell, fontName=bold, textColor=NAVY)

    def p(text, style=body):
        """A paragraph of plain text."""
        return Paragraph(escape(str(text)), style)

    story = [
        p(_("Personal data held about person #%(id)s", id=doc["person"]), title),
        p(office),
        p(_("Made on %(when)s (UU 27/2022 on Personal Data Protection).", when=_local(doc["generated_at"], zone))),
        Spacer(1, 3 * mm),
    ]
    for table, rows in doc["tables"].items():
        story.append(p(f"{titles.get(table, table)} ({len(rows)})", h2))
        if table in kept:
            story.append(p(kept[table], small))
        if not rows:
            story.append(p(_("Nothing held."), small))
        for row in rows:
            data = [[p(k, key), p(_text(_local(v, zone)), cell)] for k, v in row.items()]
            t = Table(data, colWidths=[42 * mm, None], hAlign="LEFT")
            t.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
                        ("BOX", (0, 0), (-1, -1), 0.6, NAVY),
                        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                    ]
                )
            )
            story += [KeepTogether(t) if len(data) < 30 else t, Spacer(1, 2 * mm)]
    story.append(p(_("Files"), h2))
    files = doc.get("files") or []
    story.append(p(", ".join(f"{f['name']} ({f['bytes']} B)" for f in files) if files else _("Nothing held."), small))
    buf = BytesIO()
    document = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=_("Personal data held about person #%(id)s", id=doc["person"]),
        author=office,
        creator="Loket",
        invariant=1,
    )
    off_loop(document.build, story)  # off the event loop (blocking.py)
    return buf.getvalue()
