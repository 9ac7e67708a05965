"""The report speaks the screen's language in its numbers and codes too: IKM 91,67 and 'Data mikro' on the
Indonesian page, PDF and charts; chart text in the page's typeface (DejaVu Sans, Helvetica without it), with
every axis label inside its drawing."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from rules import ikm as ikm_rules
from rules import invoices as inv_rules
from supervisor import charts

Q = "period=day&day=2026-03-02"
# Two visitors gave 4 to every element, one gave 3: every mean is 11/3, the IKM (11/3 x 25) 91.666... -> 91.67.
RATINGS = [dict.fromkeys(ikm_rules.CODES, 4), dict.fromkeys(ikm_rules.CODES, 4), dict.fromkeys(ikm_rules.CODES, 3)]


@pytest.fixture
def paid_products(monkeypatch):
    """PNBP received for microdata and publications, and three ratings, in the report's period."""
    real_pnbp = inv_rules.pnbp_summary

    def pnbp(session, office_id, start, end):
        out = real_pnbp(session, office_id, start, end)
        out["received"] = {"count": 2, "total": 217_000}
        out["received_by_category"] = {"microdata": 47_000, "publication": 170_000}
        return out

    monkeypatch.setattr(inv_rules, "pnbp_summary", pnbp)
    monkeypatch.setattr(ikm_rules, "ikm_for", lambda session, office_id, start, end: ikm_rules.ikm(RATINGS))


def _section(html: str, key: str) -> str:
    return re.search(rf'data-testid="{key}">(.*?)</div>', html, re.S).group(1)


def _chart(html: str, key: str) -> str:
    return re.search(rf'data-chart="{key}">(.*?)</figure>', html, re.S).group(1)


def _cells(section: str) -> dict[str, str]:
    return dict(re.findall(r"<td>(.*?)</td><td class=\"num\">(.*?)</td>", re.sub(r"\s*\n\s*", "", section)))


def test_indonesian_page_writes_ikm_and_categories_in_indonesian(supervisor_api, day, paid_products):
    html = supervisor_api.get(f"/supervisor/reports?{Q}&lang=id").data.decode()
    ikm = _cells(_section(html, "ikm"))
    assert ikm["IKM (0-100)"] == "91,67" and ikm["Persyaratan"] == "3,67"
    pnbp = _cells(_section(html, "pnbp"))
    assert pnbp["Diterima: Data mikro"] == "Rp 47.000" and pnbp["Diterima: Publikasi"] == "Rp 170.000"
    assert "microdata" not in _section(html, "pnbp") and "publication" not in _section(html, "pnbp")
    chart = _chart(html, "pnbp")
    assert "Data mikro" in chart and "Publikasi" in chart and "microdata" not in chart
    assert ">3,67<" in _chart(html, "ikm") and ">3.67<" not in _chart(html, "ikm")  # the bar labels

    en = supervisor_api.get(f"/supervisor/reports?{Q}&lang=en").data.decode()
    ikm = _cells(_section(en, "ikm"))
    assert ikm["IKM (0-100)"] == "91.67" and ikm["Requirements"] == "3.67"
    assert _cells(_section(en, "pnbp"))["Received: Microdata"] == "Rp 47,000"
    assert "Microdata" in _chart(en, "pnbp") and ">3.67<" in _chart(en, "ikm")


def test_indonesian_pdf_says_the_same(supervisor_api, day, paid_products):
    data = supervisor_api.get(f"/supervisor/reports.pdf?{Q}&lang=id").data
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    lines = [line.strip() for line in text.splitlines()]
    assert lines[lines.index("IKM (0-100)") + 1] == "91,67"
    assert lines[lines.index("Diterima: Data mikro") + 1] == "Rp 47.000"
    assert "microdata" not in text and "91.67" not in text


def test_charts_use_the_page_typeface(supervisor_api, day, paid_products):
    html = supervisor_api.get(f"/supervisor/reports?{Q}&lang=id").data.decode()
    svgs = re.findall(r"<figure data-chart=.*?</figure>", html, re.S)
    assert len(svgs) == 8
    for svg in svgs:
        families = set(re.findall(r"font-family: ?([^;\"]+)", svg))
        assert families == {"'DejaVu Sans', Arial, sans-serif"}, families
    # the PDF embeds DejaVu Sans (charts and text alike) instead of Helvetica
    reader = PdfReader(io.BytesIO(supervisor_api.get(f"/supervisor/reports.pdf?{Q}&lang=id").data))
    fonts = {
        str(f["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for f in page["/Resources"]["/Font"].get_object().values()
    }
    assert fonts == {"/DejaVuSans", "/DejaVuSans-Bold"} or fonts == {"DejaVuSans", "DejaVuSans-Bold"}, fonts


def test_charts_fall_back_to_helvetica_without_the_font_files(monkeypatch, tmp_path):
    charts.fonts.cache_clear()
    monkeypatch.setattr(charts, "DEJAVU", tmp_path)
    try:
        assert charts.fonts() == ("Helvetica", "Helvetica-Bold")
        svg = charts.to_svg(charts.hbar_chart("Kunjungan", ["Penelitian", "Bisnis"], [6, 5]))
        assert "font-family: Helvetica, Arial, sans-serif" in svg
    finally:
        charts.fonts.cache_clear()


@pytest.mark.parametrize(
    "labels, values, value_max",
    [
        (["Pendidikan dan penelitian", "Swasta", "Pemerintah", "Perorangan"], [10, 4, 3, 2], None),
        (["Persyaratan", "Biaya/tarif"], [3.67, 4.0], 4),
        ([], [], None),
    ],
)
def test_horizontal_bar_charts_keep_their_axis_labels_inside(labels, values, value_max):
    """The value axis' tick labels under the bars were drawn below y = 0 and cut off by the SVG's edge."""
    d = charts.hbar_chart("Kunjungan menurut segmen", labels, values, value_max=value_max)
    x0, y0, x1, y1 = d.getBounds()
    assert 0 <= x0 and 0 <= y0 and x1 <= d.width and y1 <= d.height, (x0, y0, x1, y1, d.width, d.height)


def test_vertical_bar_charts_keep_their_labels_inside():
    month = charts.bar_chart("Persentase", [str(day) for day in range(1, 32)], [("%", [97.5] * 31)], value_max=100)
    services = charts.bar_chart(
        "Waktu tunggu",
        ["Penjualan Produk Stat…", "Konsultasi Statistik"],
        [("Rata-rata", [10.4, 12.5]), ("Median", [10.0, 13.5]), ("P90", [19.0, 18.0])],
    )
    for d in (month, services):
        x0, y0, x1, y1 = d.getBounds()
        assert 0 <= x0 and 0 <= y0 and x1 <= d.width and y1 <= d.height
