"""The bytes that would reach the printer, decoded: ticket, invoice and receipt slips and the test page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import qrcode

from printer import documents as D
from printer import samples, slips
from printer.config import PrintingConfig
from tests.printer.escpos_parser import parse
from tests.printer.test_config import documented_profiles

PRINTING = PrintingConfig.model_validate(
    {
        "printers": {
            "epson80": {"backend": "none", "paper_mm": 80, "profile": "TM-T20II"},
            # Seiko's 58 mm head prints 54 mm (432 dots), as its profile says: the dots are set to match.
            "rongta58": {"backend": "none", "paper_mm": 58, "profile": "RP-F10-58mm", "dots": 432, "cut": "full"},
            "cheap58": {"backend": "none", "paper_mm": 58, "profile": "POS-5890"},
        }
    }
)
EPSON80, RONGTA58, CHEAP58 = (PRINTING.printers[n] for n in ("epson80", "rongta58", "cheap58"))
URL = "http://pst.bps1600.local/s/Zx8-token_123"


def ticket_doc(**over) -> D.TicketDoc:
    data = dict(
        office=D.OfficeInfo(
            name="BPS Provinsi Sumatera Selatan", address="Jl. Kapten Anwar Sastro No. 1694, Palembang"
        ),
        service="Penjualan Produk Statistik",
        code="B-012",
        issued_at=datetime(2026, 11, 30, 1, 7, tzinfo=UTC),  # 08.07 WIB
        ahead=3,
        estimate_minutes=24,
        limit_minutes=10,
        status_url=URL,
        complaints={
            "box": "Kotak saran & pengaduan pada unit PST BPS",
            "lapor": "www.lapor.go.id",
            "web": "webapps.bps.go.id/pengaduan",
            "email": "bps1600@bps.go.id",
            "whatsapp": "0813-3378-3485",
        },
    )
    data.update(over)
    return D.TicketDoc(**data)


def test_ticket_slip_in_indonesian_reads_back_line_by_line():
    doc = parse(slips.ticket_slip(ticket_doc(), EPSON80, "id"))
    assert doc.initialised  # ESC @ first: no style left over from the last job
    head = doc.lines[0]
    assert head.text == "BPS Provinsi Sumatera Selatan" and head.bold and head.align == "center"
    assert doc.find("Pelayanan Statistik Terpadu (PST)").align == "center"
    assert doc.find("NOMOR ANTREAN").bold
    number = doc.find("B-012")
    assert number.text == "B-012" and number.size == (4, 4) and number.bold and number.align == "center"
    assert doc.find("Penjualan Produk Statistik").bold
    assert (
        doc.find("Tanggal").text
        == "Tanggal" + " " * (48 - len("Tanggal") - len("30 November 2026")) + "30 November 2026"
    )
    assert doc.find("Jam").text.endswith("08.07 WIB")
    assert doc.find("Di depan Anda").text.endswith("3 orang")
    assert doc.find("Perkiraan tunggu").text.endswith("sekitar 24 menit")
    assert "10 menit" in " ".join(doc.text)
    # The visitor's status link as a native QR code, centred, followed by its text.
    (qr,) = doc.qrs
    assert qr.payload == URL and qr.align == "center" and qr.ec == "M" and qr.model == 2 and qr.size == 6
    assert doc.find(URL).style.font == "b"
    for channel in (
        "Kotak saran & pengaduan pada unit PST BPS",
        "www.lapor.go.id",
        "webapps.bps.go.id/pengaduan",
        "Email: bps1600@bps.go.id",
        "WhatsApp: 0813-3378-3485",
    ):
        doc.find(channel)
    assert [c.mode for c in doc.cuts] == ["partial"]
    assert doc.items[-1] == doc.cuts[0]  # nothing printed after the cut
    # Normal-size lines fit the paper: 48 columns on 80 mm with this profile.
    assert all(len(line.text) <= 48 for line in doc.lines if line.size == (1, 1) and line.style.font == "a")


def test_ticket_slip_in_english_with_priority_and_nobody_ahead():
    doc = parse(slips.ticket_slip(ticket_doc(ahead=0, estimate_minutes=0, priority_reason="elderly"), EPSON80, "en"))
    assert doc.find("QUEUE NUMBER").bold
    assert doc.find("Priority: Elderly").bold
    assert doc.find("Ahead of you").text.endswith("0 people")
    assert doc.find("Est. wait").text.endswith("you are next")


def test_ticket_on_58mm_paper_uses_36_columns_a_smaller_number_and_a_full_cut():
    doc = parse(slips.ticket_slip(ticket_doc(), RONGTA58, "id"))
    assert doc.find("B-012").size == (3, 3)
    assert doc.find("Tanggal").text == "Tanggal" + " " * (36 - 7 - 16) + "30 November 2026"
    assert all(len(line.text) <= 36 for line in doc.lines if line.size == (1, 1) and line.style.font == "a")
    assert doc.qrs[0].payload == URL and doc.qrs[0].size == 4
    assert [c.mode for c in doc.cuts] == ["full"]


def test_printer_without_native_qr_gets_the_code_as_an_image_and_no_cut():
    """The POS-5890 profile has neither a QR command nor a cutter: the QR is a raster image of the same
    matrix the qrcode library makes for the link, and the paper is fed past the tear bar."""
    doc = parse(slips.ticket_slip(ticket_doc(), CHEAP58, "id"))
    assert doc.qrs == [] and doc.cuts == []
    (image,) = doc.images
    code = qrcode.QRCode(version=None, box_size=2, border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(URL)
    code.make(fit=True)
    matrix = code.get_matrix()  # with the 1-module border
    modules = len(matrix)
    # The image is centred on 384 dots: find the code's left edge and sample each module's centre.
    left = min(row.index(1) for row in image.rows if 1 in row) - 2  # the border module is white
    top = next(i for i, row in enumerate(image.rows) if 1 in row) - 2
    sampled = [[image.rows[top + 2 * r + 1][left + 2 * c + 1] for c in range(modules)] for r in range(modules)]
    assert sampled == [[1 if v else 0 for v in row] for row in matrix]
    assert doc.lines[-1].text == "" and doc.text[-6:] == [""] * 6


def test_invoice_slip_amounts_billing_code_and_verification_qr():
    doc = parse(slips.invoice_slip(samples.invoice(), EPSON80, "id"))
    assert doc.find("INVOICE").size == (2, 2)
    assert doc.find("Nomor").text.endswith("INV/1600/2026/00012")
    assert doc.find("Tanggal").text.endswith("29 November 2026 10.15 WIB")
    assert doc.find("Berlaku s.d.").text.endswith("29 Desember 2026")
    assert doc.find("Pembeli").text.endswith("Siti Aminah")
    assert doc.find("15 peta x Rp 70.000").text.endswith("Rp 1.050.000")
    assert doc.find("9 50 halaman x Rp 15.000").text.endswith("Rp 170.000")
    total = doc.find("TOTAL")
    assert total.bold and total.text.endswith("Rp 1.250.000")
    code = doc.find("820261129000123")
    assert code.text == "820261129000123" and code.size == (2, 2) and code.align == "center"
    # The last day to pay is said once (issue 15): "Berlaku s.d." in the long date, no "Bayar ... sebelum", no ISO.
    text = " ".join(doc.text)
    assert text.count("29 Desember 2026") == 1 and "sebelum" not in text and "2026-12-29" not in text
    assert doc.find("Petugas").text.endswith("Petugas Satu (NIP 198001012005011001)")
    assert [q.payload for q in doc.qrs] == [samples.invoice()["verify_url"]]
    assert len(doc.cuts) == 1


def test_receipt_slip_shows_ntpn_payment_and_treasurer():
    doc = parse(slips.receipt_slip(samples.receipt(), EPSON80, "id"))
    assert doc.find("KUITANSI").bold
    assert doc.find("Nomor").text.endswith("KW/1600/2026/00007")
    assert doc.find("NTPN").text.endswith("0A1B2C3D4E5F6G7H")
    assert doc.find("Kode billing").text.endswith("820261129000123")
    assert doc.find("Invoice").text.endswith("INV/1600/2026/00012")
    assert doc.find("Waktu bayar").text.endswith("30 November 2026 08.05 WIB")
    assert doc.find("TOTAL DIBAYAR").text.endswith("Rp 1.250.000")
    # Label and name do not fit one line: the name moves to the next line, right-aligned.
    label = doc.find("Bendahara")
    assert label.text == "Bendahara"
    assert doc.lines[doc.lines.index(label) + 1].text == "Bendahara Penerimaan (NIP 198502022010012002)".rjust(48)
    assert doc.qrs[0].payload == samples.receipt()["verify_url"]


@pytest.mark.parametrize(
    "total,words",
    [(1_000_000, "satu juta rupiah"), (11_011, "sebelas ribu sebelas rupiah"), (0, "nol rupiah")],
)
def test_receipt_slip_carries_the_amount_in_words(total, words):
    line = {"description": "Data", "quantity": 1, "unit": "", "unit_price": total, "amount": total}
    doc = parse(slips.receipt_slip(samples.receipt(lines=[line], total=total), EPSON80, "id"))
    assert f"Terbilang: {words}" in " ".join(t.strip() for t in doc.text)
    assert doc.find("TOTAL DIBAYAR").text.endswith(D.rupiah(total))


def test_test_page_shows_settings_and_a_column_ruler():
    doc = parse(
        slips.test_page("epson80", EPSON80, now=datetime(2026, 11, 30, 1, 0, tzinfo=UTC), tz="Asia/Jakarta", lang="id")
    )
    assert doc.find("HALAMAN UJI").size == (2, 2)
    assert doc.find("Printer").text.endswith("epson80")
    assert doc.find("Kertas").text.endswith("80 mm, 48 kolom")
    assert doc.find("Profil").text.endswith("TM-T20II")
    assert doc.find("123456789012").text == "".join(str(i % 10) for i in range(1, 49))
    assert doc.qrs[0].payload == "loket:test:epson80"
    assert len(doc.cuts) == 1


def test_text_is_reduced_to_ascii_so_every_printer_prints_it_the_same():
    doc = parse(slips.ticket_slip(ticket_doc(service="Konsultasi — Statistik ±", code="K-001"), EPSON80, "id"))
    assert doc.find("Konsultasi - Statistik +/-")


def test_a_document_with_a_wrong_total_is_refused_before_it_reaches_paper():
    with pytest.raises(ValueError, match="not the sum"):
        slips.invoice_slip(samples.invoice(total=1), EPSON80)


def test_rupiah_uses_babel_indonesian_grouping():
    assert D.rupiah(1250000) == "Rp 1.250.000"
    assert D.rupiah("65000") == "Rp 65.000"
    assert D.rupiah(0) == "Rp 0"
    assert D.quantity("1.5") == "1,5"


@pytest.mark.parametrize("row", documented_profiles(), ids=lambda r: r["printer"])
def test_every_line_fits_the_printers_real_columns(row):
    """For each printer of docs/PRINTING.md: no line of any slip is wider than that printer's line (font A lines
    scaled by their width, font B against its own columns), so no two-column line wraps on the paper."""
    cfg = PrintingConfig.model_validate(
        {
            "printers": {
                "p": {"backend": "none", "paper_mm": row["paper"], "dots": row["dots"], "profile": row["profile"]}
            }
        }
    ).printers["p"]
    assert cfg.line_columns == row["columns"]
    now = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    for data in (
        slips.ticket_slip(ticket_doc(), cfg, "id"),
        slips.invoice_slip(samples.invoice(), cfg, "id"),
        slips.receipt_slip(samples.receipt(), cfg, "en"),
        slips.test_page("p", cfg, now=now, tz="Asia/Jakarta", lang="id"),
    ):
        doc = parse(data)
        for line in doc.lines:
            limit = cfg.small_columns if line.style.font == "b" else cfg.line_columns
            assert len(line.text) * line.style.width <= limit, (row["printer"], line.text, line.style)
