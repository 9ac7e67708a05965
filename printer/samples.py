"""Sample invoice and receipt dicts in the shapes printer/documents.py documents: for previews, the benchmark and tests."""

from __future__ import annotations

OFFICE = {
    "name": "BPS Provinsi Sumatera Selatan",
    "short_name": "BPS Sumsel",
    "code": "1600",
    "address": "Jl. Kapten Anwar Sastro No. 1694, Palembang, Sumatera Selatan 30129",
    "phone": "(0711) 312223",
    "email": "bps1600@bps.go.id",
    "website": "sumsel.bps.go.id",
    "city": "Palembang",
    "timezone": "Asia/Jakarta",
}

LINES = [
    {
        "description": "Publikasi elektronik: Provinsi Sumatera Selatan Dalam Angka 2026 (412 halaman)",
        "quantity": 9,
        "unit": "50 halaman",
        "unit_price": 15000,
        "amount": 170000,
        "rule": "PP 13/2024: 50 halaman pertama Rp 50.000, tiap 50 halaman berikutnya Rp 15.000; blok yang "
        "dimulai dibulatkan ke atas",
    },
    {
        "description": "Data mikro Susenas Maret 2025 tanpa pengolahan (1 dataset, 1 MB pertama)",
        "quantity": 1,
        "unit": "dataset",
        "unit_price": 20000,
        "amount": 20000,
        "rule": "PP 13/2024",
    },
    {
        "description": "Peta digital wilayah kerja statistik Kota Palembang per desa/kelurahan",
        "quantity": 15,
        "unit": "peta",
        "unit_price": 70000,
        "amount": 1050000,
        "rule": "PP 13/2024",
    },
    {
        "description": "Data mikro Sakernas Agustus 2025 dengan pengolahan (tabulasi)",
        "quantity": 1,
        "unit": "tabel",
        "unit_price": 10000,
        "amount": 10000,
        "rule": "PP 13/2024",
    },
]


def invoice(**over) -> dict:
    data = {
        "office": OFFICE,
        "number": "INV/1600/2026/00012",
        "issued_at": "2026-11-29T03:15:00+00:00",
        "valid_until": "2026-12-29",
        "billing_code": "820261129000123",
        "buyer": {"name": "Siti Aminah", "institution": "Universitas Sriwijaya"},
        "lines": LINES,
        "total": 1250000,
        "officer": {"name": "Petugas Satu", "nip": "198001012005011001"},
        "verify_url": "http://pst.bps1600.local/v/INV-1600-2026-00012-7f3a",
        "notes": [
            "Tagihan berlaku 1 (satu) bulan sejak diterbitkan.",
            "Pembayaran melalui bank/pos persepsi dengan kode billing SIMPONI.",
        ],
    }
    data.update(over)
    return data


def receipt(**over) -> dict:
    data = {
        "office": OFFICE,
        "number": "KW/1600/2026/00007",
        "issued_at": "2026-11-30T02:40:00+00:00",
        "invoice_number": "INV/1600/2026/00012",
        "billing_code": "820261129000123",
        "ntpn": "0A1B2C3D4E5F6G7H",
        "paid_at": "2026-11-30T01:05:00+00:00",
        "payer": {"name": "Siti Aminah", "institution": "Universitas Sriwijaya"},
        "lines": LINES,
        "total": 1250000,
        "treasurer": {"name": "Bendahara Penerimaan", "nip": "198502022010012002"},
        "verify_url": "http://pst.bps1600.local/v/KW-1600-2026-00007-91bc",
    }
    data.update(over)
    return data


def many_lines(n: int = 60) -> list[dict]:
    return [
        {
            "description": f"Tabel hasil olahan nomor {i:03d}",
            "quantity": 1,
            "unit": "tabel",
            "unit_price": 22000,
            "amount": 22000,
            "rule": "PP 13/2024",
        }
        for i in range(1, n + 1)
    ]
