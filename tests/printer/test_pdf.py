"""A4 invoice and receipt PDFs, read back: numbers, amounts, billing code, NTPN, pages, identical bytes."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from printer import pdf, samples


def text_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_invoice_pdf_reads_back_with_its_number_amounts_and_billing_code():
    data = pdf.invoice_pdf(samples.invoice())
    assert data.startswith(b"%PDF-")
    (page,) = text_of(data)
    for expected in (
        "BADAN PUSAT STATISTIK",
        "BPS PROVINSI SUMATERA SELATAN",
        "Pelayanan Statistik Terpadu (PST)",
        "INVOICE",
        "INV/1600/2026/00012",
        "29 November 2026 10.15 WIB",
        "29 Desember 2026",
        "Siti Aminah",
        "Universitas Sriwijaya",
        "Rp 170.000",
        "Rp 20.000",
        "Rp 1.050.000",
        "Rp 70.000",
        "Rp 10.000",
        "TOTAL",
        "Rp 1.250.000",
        "820261129000123",
        "Kode billing (SIMPONI)",
        "Petugas Satu",
        "NIP 198001012005011001",
        "Palembang, 29 November 2026",
        "Tagihan berlaku 1 (satu) bulan",
        "Halaman 1 dari 1",
        "Periksa keaslian dokumen: http://pst.bps1600.local/v/INV-1600-2026-00012-7f3a",
    ):
        assert expected in page, expected
    assert page.index("Rp 1.050.000") < page.index("TOTAL") < page.index("Rp 1.250.000")


def test_receipt_pdf_reads_back_with_ntpn_and_total_paid():
    (page,) = text_of(pdf.receipt_pdf(samples.receipt()))
    for expected in (
        "KUITANSI",
        "KW/1600/2026/00007",
        "INV/1600/2026/00012",
        "820261129000123",
        "NTPN",
        "0A1B2C3D4E5F6G7H",
        "30 November 2026 08.05 WIB",
        "Diterima dari",
        "Siti Aminah",
        "TOTAL DIBAYAR",
        "Rp 1.250.000",
        "Bendahara Penerimaan",
        "NIP 198502022010012002",
    ):
        assert expected in page, expected


@pytest.mark.parametrize(
    "total,words",
    [(1_000_000, "satu juta rupiah"), (11_011, "sebelas ribu sebelas rupiah"), (0, "nol rupiah")],
)
def test_receipt_pdf_carries_the_amount_in_words(total, words):
    line = {"description": "Data", "quantity": 1, "unit": "", "unit_price": total, "amount": total}
    (page,) = text_of(pdf.receipt_pdf(samples.receipt(lines=[line], total=total)))
    assert f"Terbilang {words}" in " ".join(page.split())


def test_english_receipt_reads_the_amount_in_english_words():
    (page,) = text_of(pdf.receipt_pdf(samples.receipt(), lang="en"))
    assert "In words one million, two hundred and fifty thousand rupiah" in " ".join(page.split())


@pytest.mark.parametrize(
    "lang,valid,heads", [("id", "29 Desember 2026", "Banyaknya"), ("en", "29 December 2026", "Quantity")]
)
def test_invoice_says_the_last_day_once_and_no_heading_splits(lang, valid, heads):
    """Issue 15: not "Berlaku s.d." and "Bayar ... sebelum" and an ISO date: the day once, long, in the
    document's language; the table's headings are whole words ("Banyaknya", never "Banyakn / ya")."""
    (page,) = text_of(pdf.invoice_pdf(samples.invoice(notes=[]), lang=lang))
    assert page.count(valid) == 1 and "2026-12-29" not in page
    assert "sebelum" not in page and "before" not in page
    head = next(line for line in page.splitlines() if heads in line)
    words = head.split()
    assert heads in words, head
    for word in ("Uraian", "Satuan", "Harga", "satuan", "Jumlah") if lang == "id" else ("Description", "Unit"):
        assert word in page.split(), word


def test_english_pdf():
    (page,) = text_of(pdf.invoice_pdf(samples.invoice(), lang="en"))
    assert "Valid until" in page and "Billing code (SIMPONI)" in page and "Page 1 of 1" in page


def test_same_input_gives_byte_identical_pdfs():
    assert pdf.invoice_pdf(samples.invoice()) == pdf.invoice_pdf(samples.invoice())
    assert pdf.receipt_pdf(samples.receipt()) == pdf.receipt_pdf(samples.receipt())
    assert pdf.invoice_pdf(samples.invoice()) != pdf.invoice_pdf(samples.invoice(number="INV/1600/2026/00013"))


def test_a_long_invoice_continues_over_pages_with_the_table_head_repeated():
    lines = samples.many_lines(70)
    pages = text_of(pdf.invoice_pdf(samples.invoice(lines=lines, total=70 * 22000)))
    assert len(pages) >= 3
    table_pages = [p for p in pages if "Tabel hasil olahan" in p]
    assert len(table_pages) >= 3
    for n, page in enumerate(pages, 1):
        assert f"Halaman {n} dari {len(pages)}" in page
    for page in table_pages:
        assert "Uraian" in page and "Harga satuan" in page  # the head row repeated on every page of the table
    for later in pages[1:]:
        assert "INVOICE INV/1600/2026/00012" in later and "(lanjutan)" in later
    rows = [int(m) for page in pages for m in re.findall(r"Tabel hasil olahan nomor (\d{3})", page)]
    assert rows == list(range(1, 71))  # every row once, in order, across the pages
    with_total = [i for i, p in enumerate(pages) if "Rp 1.540.000" in p]
    assert with_total == [pages.index(table_pages[-1])]  # the total once, after the last row
    assert "Petugas Satu" in pages[-1]


def test_invoice_with_a_wrong_total_is_refused():
    with pytest.raises(ValueError, match="not the sum"):
        pdf.invoice_pdf(samples.invoice(total=1250001))


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        pdf.invoice_pdf(samples.invoice(issued_at="2026-11-29T10:15:00"))
