"""The report page, its CSV and its PDF on the hand-made day of test_reports.py: the same figures everywhere."""

from __future__ import annotations

import csv
import io
import re

from pypdf import PdfReader

Q = "period=day&day=2026-03-02"


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _value_after(text: str, label: str, n: int = 1):
    """In the PDF's tables each value is the text right after its label (n > 1: the next n cells)."""
    lines = [line.strip() for line in text.splitlines()]
    i = lines.index(label)
    return lines[i + 1] if n == 1 else lines[i + 1 : i + 1 + n]


def test_page_shows_figures_and_charts(supervisor_api, day):
    r = supervisor_api.get(f"/supervisor/reports?{Q}&lang=en")
    assert r.status_code == 200
    html = r.data.decode()
    summary = re.search(r'data-testid="summary">(.*?)</div>\s*<ul', html, re.S).group(1)
    pairs = dict(re.findall(r"<span>(.*?)</span><strong>(.*?)</strong>", summary))
    assert pairs["Tickets"] == "7" and pairs["Visitors"] == "3" and pairs["Served"] == "4"
    assert pairs["Waiting time, mean (min)"] == "11.6" and pairs["Waiting time, median (min)"] == "17.0"
    assert pairs["Waiting time, 90th percentile (min)"] == "18.6"
    assert pairs["Service time, median (min)"] == "5.5" and pairs["Service time, 90th percentile (min)"] == "8.8"
    assert pairs["Share within the limit"] == "80.0%" and pairs["Over the limit"] == "1"
    for key in ("tickets", "limit", "waiting", "hours", "segment", "purpose"):
        assert re.search(rf'data-chart="{key}"><svg ', html), key
    assert "PERCENTILE.INC" in html


def test_page_in_indonesian_by_default(supervisor_api, day):
    html = supervisor_api.get(f"/supervisor/reports?{Q}").data.decode()
    assert "Waktu tunggu, rata-rata (menit)" in html and "11,6" in html and "80,0%" in html


def test_csv_has_the_same_figures(supervisor_api, day):
    r = supervisor_api.get(f"/supervisor/reports.csv?{Q}&lang=en")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"] and "2026-03-02" in r.headers["Content-Disposition"]
    text = r.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = next(row for row in rows if row[:3] == ["group", "id", "label"])
    table = [dict(zip(header, row)) for row in rows if row and row[0] in ("office", "service", "counter", "officer")]
    office = table[0]
    assert office["tickets"] == "7" and office["wait_mean_min"] == "11.60" and office["wait_p90_min"] == "18.60"
    assert office["service_p90_min"] == "8.80" and office["within_limit_share"] == "0.8000"
    assert office["estimate_mae_min"] == "4.33" and office["estimate_bias_min"] == "2.33"
    by_service = {r["label"]: r["tickets"] for r in table if r["group"] == "service"}
    assert by_service == {"Sale of Statistical Products": "6", "Statistical Consultation": "1"}
    assert ["segment", "government", "Government", "2"] in rows
    assert ["purpose", "government_planning", "Government planning and evaluation", "2"] in rows


def test_pdf_read_back(supervisor_api, day):
    r = supervisor_api.get(f"/supervisor/reports.pdf?{Q}&lang=en")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(r.data))
    assert reader.metadata.title.startswith("PST service report")
    text = _pdf_text(r.data)
    for expected in ("PST service report", "Day 2026-03-02", "Whole office", "PERCENTILE.INC"):
        assert expected in text, expected
    figures = {
        "Tickets": "7",
        "Visitors": "3",
        "Served": "4",
        "No-shows": "1",
        "Cancelled": "1",
        "Not served": "1",
        "Transfers": "1",
        "Waiting time, mean (min)": "11.6",
        "Waiting time, median (min)": "17.0",
        "Waiting time, 90th percentile (min)": "18.6",
        "Service time, mean (min)": "6.3",
        "Service time, median (min)": "5.5",
        "Service time, 90th percentile (min)": "8.8",
        "Called": "5",
        "Within the limit": "4",
        "Over the limit": "1",
        "Share within the limit": "80.0%",
        "Mean absolute error (min)": "4.3",
        "Within 5 minutes of the estimate": "66.7%",
    }
    assert {label: _value_after(text, label) for label in figures} == figures
    # the charts are the page's drawings: their titles and axis labels are in the PDF as text
    for title in (
        "Tickets and visitors served per day",
        "Share of first calls within the limit, percent",
        "Waiting time by service (minutes)",
        "Tickets by hour of arrival",
        "Visits by segment",
        "Visits by purpose",
    ):
        assert title in text, title
    # by counter 1 (A, D, E: waits 2, 17, 19): tickets, served, no-shows, transfers, wait mean 38/3, median 17,
    # P90 at rank 2 x 0.9 = 1.8: 17 + 0.8 x (19 - 17) = 18.6, service median of A (6) and E (5) 5.5, P90 5 + 0.9 = 5.9, within 100 %
    assert _value_after(text, "Loket 1", 10) == ["3", "2", "1", "1", "12.7", "17.0", "18.6", "5.5", "5.9", "100.0%"]
    assert "PNBP" in text and "IKM" in text


def test_pdf_in_indonesian(supervisor_api, day):
    text = _pdf_text(supervisor_api.get(f"/supervisor/reports.pdf?{Q}").data)
    assert "Laporan layanan PST" in text
    assert _value_after(text, "Waktu tunggu, rata-rata (menit)") == "11,6"
    assert _value_after(text, "Persentase dalam batas") == "80,0%"


def test_filters_and_periods(supervisor_api, day):
    month = supervisor_api.get("/supervisor/reports.csv?period=month&month=2026-03&lang=en").data.decode("utf-8-sig")
    assert "2026-03-01,2026-03-31" in month and "\r\n2026-03-31,0,0,," in month
    rng = supervisor_api.get(
        "/supervisor/reports.csv?period=range&start=2026-01-01&end=2026-06-30&lang=en"
    ).data.decode("utf-8-sig")
    assert "\r\nmonth,tickets" in rng and "\r\n2026-03,7,4,0.8000,17.00" in rng
    svc = supervisor_api.get("/supervisor/reports?period=day&day=2026-03-02&service=2&lang=en").data.decode()
    assert "Service: Statistical Consultation" in svc


def test_bad_input_is_a_clear_400(supervisor_api):
    r = supervisor_api.get("/supervisor/reports?period=day&day=2026-02-31&lang=en")
    assert r.status_code == 400 and b"Not a date" in r.data
    assert supervisor_api.get("/supervisor/reports?period=month&month=2026-13").status_code == 400


def test_reports_need_a_supervisor(make_api):
    officer = make_api()
    officer.login("petugas1")
    for path in ("/supervisor/reports", "/supervisor/reports.csv", "/supervisor/reports.pdf"):
        r = officer.get(path, headers={"Accept": "application/json"})
        assert r.status_code == 403, path


def test_pnbp_and_ikm_sections_are_on_the_page_and_in_the_csv(supervisor_api, day):
    html = supervisor_api.get(f"/supervisor/reports?{Q}&lang=en").data.decode()
    pnbp = re.search(r'data-testid="pnbp">(.*?)</div>', html, re.S).group(1)
    assert "PNBP received" in pnbp and "Rp 0" in pnbp
    csv_text = supervisor_api.get(f"/supervisor/reports.csv?{Q}").data.decode("utf-8-sig")
    assert "pnbp,received.total,0" in csv_text and "ikm,respondents,0" in csv_text
