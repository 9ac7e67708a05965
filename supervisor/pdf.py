"""The report as a PDF (reportlab platypus), with the same figures, wording and charts as the page."""

from __future__ import annotations

import io
from datetime import datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from blocking import off_loop
from rules.reports import GUESTBOOK_DIMENSIONS, Report
from supervisor import present
from supervisor.charts import fonts

BLUE = colors.HexColor("#0b4f9c")
LINE = colors.HexColor("#d8dee8")


def _styles():
    # One typeface with the page and the charts (DejaVu Sans; Helvetica if its files are missing).
    regular, bold = fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle(
            "t", parent=base["Title"], fontName=bold, fontSize=16, textColor=BLUE, spaceAfter=4, alignment=0
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base["Heading2"],
            fontName=bold,
            fontSize=11.5,
            textColor=BLUE,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,  # a heading never sits alone at the bottom of a page (issue 15)
        ),
        "body": ParagraphStyle("b", parent=base["BodyText"], fontName=regular, fontSize=8.5, leading=11),
        "small": ParagraphStyle(
            "s", parent=base["BodyText"], fontName=regular, fontSize=7, leading=9, textColor=colors.HexColor("#5b6575")
        ),
        "cell": ParagraphStyle("c", parent=base["BodyText"], fontName=regular, fontSize=7, leading=8.5),
        # a breakdown table's column heads: several words in a narrow column, so they wrap (right-aligned)
        "head": ParagraphStyle(
            "hd",
            parent=base["BodyText"],
            fontName=bold,
            fontSize=6,
            leading=7.5,
            textColor=BLUE,
            alignment=2,
            splitLongWords=0,
        ),
    }


def _table(rows: list[list], widths=None, header: bool = True, zebra: bool = True) -> Table:
    regular, bold = fonts()
    t = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), regular, 7.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, LINE),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style += [
            ("FONT", (0, 0), (-1, 0), bold, 7.5),
            ("TEXTCOLOR", (0, 0), (-1, 0), BLUE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, BLUE),
        ]
    if zebra:
        for i in range(1 if header else 0, len(rows), 2):
            style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f3f6fa")))
    t.setStyle(TableStyle(style))
    return t


def _pairs_table(pairs: list[tuple[str, str]], columns: int = 2) -> Table:
    """label/value pairs laid out in `columns` column pairs."""
    per = -(-len(pairs) // columns)
    rows = []
    for i in range(per):
        row = []
        for c in range(columns):
            k = c * per + i
            row += list(pairs[k]) if k < len(pairs) else ["", ""]
        rows.append(row)
    # the page is 180 mm wide between the margins
    widths = ([62 * mm, 28 * mm] if columns == 2 else [130 * mm, 40 * mm]) * columns
    t = _table(rows, widths=widths, header=False)
    t.setStyle(
        TableStyle(
            [("ALIGN", (0, 0), (-1, -1), "LEFT")]
            + [("ALIGN", (2 * c + 1, 0), (2 * c + 1, -1), "RIGHT") for c in range(columns)]
            + [("FONT", (2 * c + 1, 0), (2 * c + 1, -1), fonts()[1], 7.5) for c in range(columns)]
        )
    )
    return t


def _breakdown(title: str, rows: list[dict], label_of, st) -> list:
    cols = present.breakdown_columns()
    data = [[title] + [Paragraph(escape(h), st["head"]) for h, _f in cols]]
    for r in rows:
        data.append([Paragraph(escape(label_of(r)), st["cell"])] + [f(r) for _h, f in cols])
    # 180 mm: the label (it wraps) and ten figures; narrow paddings so "Pengalihan" fits its column unbroken
    t = _table(data, widths=[32 * mm] + [148 * mm / len(cols)] * len(cols))
    t.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
            ]
        )
    )
    return [t, Spacer(1, 6)]


def render(
    report: Report, names: dict, drawings: list[tuple[str, Drawing]], caption: str, generated_at: datetime
) -> bytes:
    """The PDF bytes of a report."""
    st = _styles()
    buf = io.BytesIO()
    title = _("PST service report")
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{title} {report.office['name']} {report.period.slug}",
        author="Loket",
        subject=present.period_title(report),
        initialFontName=st["body"].fontName,
    )  # not reportlab's Helvetica on each page
    tz = ZoneInfo(report.office["timezone"])
    story: list = [
        Paragraph(escape(title), st["title"]),
        Paragraph(escape(f"{report.office['name']} ({report.office['code']})"), st["body"]),
        Paragraph(escape(f"{present.period_title(report)} · {caption}"), st["body"]),
        Paragraph(
            escape(
                _(
                    "Made %(at)s (%(tz)s) by Loket",
                    at=generated_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                    tz=report.office["timezone"],
                )
            ),
            st["small"],
        ),
        Spacer(1, 6),
        Paragraph(escape(_("Summary")), st["h2"]),
        _pairs_table(present.summary_rows(report.summary, report.online_limit)),
        Spacer(1, 4),
    ]
    story.append(Paragraph(escape(_("How the figures are counted")), st["h2"]))
    for line in present.definitions(report):
        story.append(Paragraph("• " + escape(line), st["small"]))
    story.append(Paragraph(escape(_("Charts")), st["h2"]))
    for _key, d in drawings:
        story += [KeepTogether([d]), Spacer(1, 6)]
    story.append(Paragraph(escape(_("Estimate accuracy")), st["h2"]))
    story.append(_pairs_table(present.estimate_rows(report.summary), columns=1))
    story.append(Paragraph(escape(_("By service")), st["h2"]))
    story += _breakdown(_("Service"), report.by_service, lambda r: names["service"](r["id"], r["label"]), st)
    story.append(Paragraph(escape(_("By counter")), st["h2"]))
    story += _breakdown(_("Counter"), report.by_counter, lambda r: r["label"] or _("Not called"), st)
    story.append(Paragraph(escape(_("By officer")), st["h2"]))
    story += _breakdown(_("Officer"), report.by_officer, lambda r: r["label"] or _("Not called"), st)
    unit_title = _("Per day") if report.time_unit == "day" else _("Per month")
    story.append(Paragraph(escape(unit_title), st["h2"]))
    rows = [
        [
            _("Date") if report.time_unit == "day" else _("Month"),
            _("Tickets"),
            _("Served"),
            _("Within limit"),
            _("Wait median"),
        ]
    ]
    rows += [
        [
            r["key"],
            present.number(r["tickets"]),
            present.number(r["served"]),
            present.percent(r["limit_share"]),
            present.minutes(r["median_wait"]),
        ]
        for r in report.by_time
        if r["tickets"]
    ]
    story.append(_table(rows, widths=[30 * mm, 25 * mm, 25 * mm, 30 * mm, 30 * mm]))
    story.append(Paragraph(escape(_("Guest book")), st["h2"]))
    titles = present.dimension_titles()
    for dim in GUESTBOOK_DIMENSIONS:
        data = [[titles[dim], _("Visits")]] + [
            [Paragraph(escape(names[dim](code)), st["cell"]), present.number(n)] for code, n in report.guestbook[dim]
        ]
        story += [KeepTogether([_table(data, widths=[110 * mm, 25 * mm])]), Spacer(1, 5)]
    for key, heading in (("pnbp", _("PNBP (invoiced and received)")), ("ikm", _("Satisfaction index (IKM)"))):
        story.append(Paragraph(escape(heading), st["h2"]))
        pairs = present.extra_section(report, key)
        story.append(_pairs_table(pairs, columns=1) if pairs else Paragraph("–", st["body"]))

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setFont(fonts()[0], 7)
        canvas.setFillColor(colors.HexColor("#5b6575"))
        canvas.drawString(15 * mm, 8 * mm, f"Loket · {report.office['name']} · {report.period.slug}")
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, _("Page %(n)s", n=doc_.page))
        canvas.restoreState()

    off_loop(doc.build, story, onFirstPage=footer, onLaterPages=footer)  # long reports: off the event loop
    return buf.getvalue()
