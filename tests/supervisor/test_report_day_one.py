"""Issue 15: in the report PDF a section heading never sits alone at the bottom of a page; the CSV's column
headings are in the report's language."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

Q = "period=day&day=2026-03-02"
HEADINGS_EN = (
    "Summary",
    "How the figures are counted",
    "Charts",
    "Estimate accuracy",
    "By service",
    "By counter",
    "By officer",
    "Per day",
    "Per month",
    "Guest book",
    "PNBP (invoiced and received)",
    "Satisfaction index (IKM)",
)


def _page_ends(data: bytes) -> list[str]:
    """The last line of text each page's content ends with (the footer is drawn first, at the page's start)."""
    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        lines = [ln.strip() for ln in page.extract_text().splitlines() if ln.strip()]
        out.append(lines[-1] if lines else "")
    return out


@pytest.mark.parametrize("period", [Q, "period=month&month=2026-03", "period=range&start=2026-01-01&end=2026-12-31"])
def test_no_heading_sits_alone_at_the_bottom_of_a_page(supervisor_api, day, period):
    data = supervisor_api.get(f"/supervisor/reports.pdf?{period}&lang=en").data
    ends = _page_ends(data)
    assert len(ends) >= 2  # the report runs over pages, so pages do end somewhere
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert all(h in text for h in HEADINGS_EN if not h.startswith("Per "))
    assert not [e for e in ends[:-1] if e in HEADINGS_EN], ends


def test_every_heading_keeps_with_what_follows():
    from supervisor import pdf

    assert pdf._styles()["h2"].keepWithNext == 1


def _csv(api, lang: str) -> list[list[str]]:
    text = api.get(f"/supervisor/reports.csv?{Q}&lang={lang}").data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_headings_in_indonesian_mode_are_indonesian(supervisor_api, day):
    rows = _csv(supervisor_api, "id")
    header = next(row for row in rows if row[:3] == ["kelompok", "id", "label"])
    assert header[3:6] == ["tiket", "pengunjung", "dilayani"] and "waktu_tunggu_rata_menit" in header
    assert ["jam", "tiket"] in rows and ["buku_tamu", "kode", "label", "kunjungan"] in rows
    assert ["hari", "tiket", "dilayani", "porsi_dalam_batas", "waktu_tunggu_median_menit"] in rows
    table = [dict(zip(header, row)) for row in rows if row and row[0] == "office"]
    assert table[0]["tiket"] == "7" and table[0]["waktu_tunggu_rata_menit"] == "11.60"
    english = _csv(supervisor_api, "en")
    assert ["group", "id", "label", "tickets", "visitors", "served"] == next(
        row for row in english if row[:3] == ["group", "id", "label"]
    )[:6]


def test_ikm_per_service_on_the_page_in_the_csv_and_the_pdf(supervisor_api, db, day):
    """A consultation rated 4 everywhere and a sale rated 3: the report gives each service's IKM."""
    from datetime import UTC, datetime

    from sqlmodel import select

    from models import Office, Rating, Service

    at = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 12.00 WIB on the report's day
    with db.write() as s:
        office = s.exec(select(Office)).first()
        svc = {v.code: v.id for v in s.exec(select(Service))}
        s.add(
            Rating(
                office_id=office.id,
                ticket_id=day["F"],
                service_id=svc["konsultasi"],
                at=at,
                **dict.fromkeys([f"u{i}" for i in range(1, 10)], 4),
            )
        )
        s.add(
            Rating(
                office_id=office.id,
                ticket_id=day["A"],
                service_id=svc["penjualan"],
                at=at,
                **dict.fromkeys([f"u{i}" for i in range(1, 10)], 3),
            )
        )
    html = supervisor_api.get(f"/supervisor/reports?{Q}").data.decode()
    assert "IKM: Konsultasi Statistik" in html and "100,00 (A), 1 responden" in html
    assert "IKM: Penjualan Produk Statistik" in html and "75,00 (C), 1 responden" in html
    rows = _csv(supervisor_api, "id")
    assert ["ikm", "by_service.konsultasi.ikm_display", "100.00"] in rows
    assert ["ikm", "by_service.penjualan.respondents", "1"] in rows
    pdf = supervisor_api.get(f"/supervisor/reports.pdf?{Q}&lang=en").data
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "IKM: Statistical Consultation" in text and "100.00 (A), 1 respondents" in text
