"""The report's charts, drawn once with reportlab.graphics: the page shows them as SVG and the PDF embeds
the very same drawings, so the screen and the paper cannot disagree."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from rules.errors import N_
from rules.reports import Report

BLUE = colors.HexColor("#0b4f9c")
ORANGE = colors.HexColor("#f39200")
GREEN = colors.HexColor("#1e8e3e")
GREY = colors.HexColor("#5b6575")
WIDTH, HEIGHT = 480, 210

# The pages' own typeface (static/css/loket.css), so charts read like the page around them, on screen and on
# paper. Debian's fonts-dejavu-core puts it here; without it the charts fall back to Helvetica (PDF base font).
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
# In the SVG a font is a CSS family: the browser draws DejaVu Sans as the page does (reportlab would write the
# registered name, which no browser knows, and the browser would pick its default serif).
SVG_FONTS = {
    "DejaVuSans": {"family": "'DejaVu Sans', Arial, sans-serif"},
    "DejaVuSans-Bold": {"family": "'DejaVu Sans', Arial, sans-serif", "weight": "bold"},
    "Helvetica": {"family": "Helvetica, Arial, sans-serif"},
    "Helvetica-Bold": {"family": "Helvetica, Arial, sans-serif", "weight": "bold"},
}


@cache
def fonts() -> tuple[str, str]:
    """(regular, bold) font names registered with reportlab: DejaVu Sans, or Helvetica if its files are missing."""
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return "Helvetica", "Helvetica-Bold"
    try:
        if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            pdfmetrics.registerFontFamily(
                "DejaVuSans",
                normal="DejaVuSans",
                bold="DejaVuSans-Bold",
                italic="DejaVuSans",
                boldItalic="DejaVuSans-Bold",
            )
    except Exception:  # noqa: BLE001 - an unreadable or damaged font file: the charts still draw, in Helvetica
        return "Helvetica", "Helvetica-Bold"
    return "DejaVuSans", "DejaVuSans-Bold"


def _plain(value: float, places: int) -> str:
    return f"{value:.{places}f}"


NumberFormat = Callable[[float, int], str]  # a number with `places` decimals, as the screen's language writes it


def _nice_max(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above value, and at least 5 (so a step of max/5 is whole)."""
    if value <= 5:
        return 5
    exp = 10 ** math.floor(math.log10(value))
    return next(m * exp for m in (1, 2, 2.5, 5, 10) if value <= m * exp)


def _drawing(width: float, height: float) -> Drawing:
    d = Drawing(width, height)
    d.initialFontName = fonts()[0]  # reportlab's own default (Helvetica) would be referenced in the PDF too
    return d


def _title(d: Drawing, text: str) -> None:
    d.add(String(4, d.height - 14, text, fontName=fonts()[1], fontSize=10, fillColor=colors.black))


def bar_chart(
    title: str,
    categories: list[str],
    series: list[tuple[str, list[float | None]]],
    palette=(BLUE, ORANGE, GREEN),
    value_max: float | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
    decimal: NumberFormat = _plain,
) -> Drawing:
    """Vertical bars, one group per category, one bar per series; a legend when there are several series."""
    regular = fonts()[0]
    d = _drawing(width, height)
    _title(d, title)
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 38
    chart.width, chart.height = width - 60, height - 38 - (38 if len(series) > 1 else 24)
    data = [[0 if v is None else v for v in values] for _name, values in series] or [[0]]
    chart.data = data if categories else [[0]]
    top = max([max(row) for row in data if row] + [0])
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = value_max if value_max is not None else _nice_max(top)
    chart.valueAxis.valueStep = chart.valueAxis.valueMax / 5
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = regular
    step = chart.valueAxis.valueStep
    chart.valueAxis.labelTextFormat = lambda v: decimal(v, 0 if step == int(step) else 1)
    chart.categoryAxis.categoryNames = categories or [""]
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.fontSize = 7 if len(categories) <= 16 else 5.5
    if len(categories) > 12:
        chart.categoryAxis.labels.angle = 90
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dy = -2
    chart.barSpacing = 1
    chart.groupSpacing = 4 if len(categories) > 16 else 8
    for i, _s in enumerate(series):
        chart.bars[i].fillColor = palette[i % len(palette)]
        chart.bars[i].strokeColor = None
    d.add(chart)
    if len(series) > 1:
        legend = Legend()
        legend.x, legend.y = 44, height - 24
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.fontSize = 7
        legend.fontName = regular
        legend.dx = legend.dy = 7
        legend.deltax = 90
        legend.colorNamePairs = [(palette[i % len(palette)], name) for i, (name, _v) in enumerate(series)]
        d.add(legend)
    return d


# Room under a horizontal bar chart for its value axis: tick marks and their labels.
AXIS_ROOM = 20


def hbar_chart(
    title: str,
    labels: list[str],
    values: list[float],
    width: int = WIDTH,
    color=BLUE,
    value_max: float | None = None,
    decimal: NumberFormat = _plain,
    places: int = 0,
) -> Drawing:
    """Horizontal bars, largest first as given; the height grows with the number of bars. `places`: the
    decimals of the value written beside each bar."""
    regular = fonts()[0]
    rows = max(len(labels), 1)
    height = 34 + AXIS_ROOM + rows * 16
    d = _drawing(width, height)
    _title(d, title)
    chart = HorizontalBarChart()
    chart.x, chart.y = 190, AXIS_ROOM
    chart.width, chart.height = width - 220, rows * 16
    chart.data = [list(reversed(values)) or [0]]
    chart.categoryAxis.categoryNames = list(reversed(labels)) or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.fontName = regular
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = value_max if value_max is not None else _nice_max(max(values, default=0))
    chart.valueAxis.valueStep = chart.valueAxis.valueMax / (4 if value_max == 4 else 5)
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = regular
    step = chart.valueAxis.valueStep
    chart.valueAxis.labelTextFormat = lambda v: decimal(v, 0 if step == int(step) else 1)
    chart.bars[0].fillColor = color
    chart.bars[0].strokeColor = None
    chart.barLabels.fontSize = 7
    chart.barLabels.fontName = regular
    chart.barLabelFormat = lambda v: decimal(v, places)
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    d.add(chart)
    return d


def _short(label: str, n: int = 38) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def report_charts(
    report: Report, t: Callable[[str], str], names: dict, decimal: NumberFormat = _plain
) -> list[tuple[str, Drawing]]:
    """The report's charts as (key, drawing). `t` translates a msgid; `names` maps codes to labels; `decimal`
    writes a number in the screen's language (4,00 in Indonesian)."""
    unit_day = report.time_unit == "day"
    if unit_day and report.period.kind == "month":
        cats = [str(int(r["key"][-2:])) for r in report.by_time]
    elif unit_day:
        cats = [r["key"][5:] for r in report.by_time]
    else:
        cats = [r["key"] for r in report.by_time]
    out = [
        (
            "tickets",
            bar_chart(
                t(N_("Tickets and visitors served per day"))
                if unit_day
                else t(N_("Tickets and visitors served per month")),
                cats,
                [
                    (t(N_("Tickets")), [r["tickets"] for r in report.by_time]),
                    (t(N_("Served")), [r["served"] for r in report.by_time]),
                ],
                decimal=decimal,
            ),
        ),
        (
            "limit",
            bar_chart(
                t(N_("Share of first calls within the limit, percent")),
                cats,
                [
                    (
                        "%",
                        [
                            None if r["limit_share"] is None else round(100 * r["limit_share"], 1)
                            for r in report.by_time
                        ],
                    )
                ],
                palette=(GREEN,),
                value_max=100,
                decimal=decimal,
            ),
        ),
    ]
    svc = [r for r in report.by_service if r["waiting"]["count"]]
    out.append(
        (
            "waiting",
            bar_chart(
                t(N_("Waiting time by service (minutes)")),
                [_short(names["service"](r["id"], r["label"]), 22) for r in svc],
                [
                    (t(N_("Mean")), [r["waiting"]["mean"] for r in svc]),
                    (t(N_("Median")), [r["waiting"]["median"] for r in svc]),
                    (t(N_("90th percentile")), [r["waiting"]["p90"] for r in svc]),
                ],
                decimal=decimal,
            ),
        )
    )
    out.append(
        (
            "hours",
            bar_chart(
                t(N_("Tickets by hour of arrival")),
                [f"{h:02d}" for h, _n in report.by_hour],
                [(t(N_("Tickets")), [n for _h, n in report.by_hour])],
                palette=(ORANGE,),
                decimal=decimal,
            ),
        )
    )
    for dim, title in (("segment", t(N_("Visits by segment"))), ("purpose", t(N_("Visits by purpose")))):
        rows = report.guestbook.get(dim, [])
        out.append(
            (
                dim,
                hbar_chart(
                    title, [_short(names[dim](code)) for code, _n in rows], [n for _c, n in rows], decimal=decimal
                ),
            )
        )
    by_category = (report.pnbp or {}).get("received_by_category") if isinstance(report.pnbp, dict) else None
    if by_category:
        cats = sorted(by_category.items(), key=lambda kv: -kv[1])
        category = names.get("category", lambda code: code)
        out.append(
            (
                "pnbp",
                hbar_chart(
                    t(N_("PNBP received by product category (thousand Rp)")),
                    [category(c) for c, _v in cats],
                    [v / 1000 for _c, v in cats],
                    color=GREEN,
                    decimal=decimal,
                ),
            )
        )
    elements = (report.ikm or {}).get("elements") if isinstance(report.ikm, dict) else None
    if elements:
        out.append(
            (
                "ikm",
                hbar_chart(
                    t(N_("Satisfaction: mean score per element (1-4)")),
                    [_short(t(e["name"])) for e in elements],
                    [float(e["mean"]) for e in elements],
                    color=ORANGE,
                    value_max=4,
                    decimal=decimal,
                    places=2,
                ),
            )
        )
    return out


def to_svg(drawing: Drawing) -> str:
    """Inline SVG (no XML prolog) that scales to its container."""
    svg = renderSVG.drawToString(drawing, fontHacks=SVG_FONTS)
    svg = svg[svg.index("<svg") :]
    w, h = int(drawing.width), int(drawing.height)
    svg = re.sub(r"<svg\b", f'<svg viewBox="0 0 {w} {h}" preserveAspectRatio="xMinYMin meet" role="img"', svg, count=1)
    svg = re.sub(r'(<svg[^>]*?)\swidth="[^"]*"', r"\1", svg, count=1)
    svg = re.sub(r'(<svg[^>]*?)\sheight="[^"]*"', r"\1", svg, count=1)
    return svg
