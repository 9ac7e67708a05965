"""The online channel's fixtures: a real SMTP server (aiosmtpd) the app sends to, uploads in a temporary folder,
files of every kind (a real PDF, a PNG, a fake PDF), and the request's path up to any state."""

from __future__ import annotations

import io

import pytest

from tests.conftest import free_port, test_settings
from tests.smtp_server import SmtpServer


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def settings(smtp_port):
    """The repository's config, open at any hour, its e-mail going to this test's SMTP server."""
    return test_settings(LOKET_SMTP_HOST="127.0.0.1", LOKET_SMTP_PORT=str(smtp_port))


@pytest.fixture
def smtp(smtp_port):
    server = SmtpServer(smtp_port).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def uploads_dir(tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setenv("LOKET_UPLOADS", str(folder))
    return folder


def pdf_bytes(text: str = "Abstrak penggunaan data") -> bytes:
    """A real one-page PDF."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def png_bytes() -> bytes:
    """A real small PNG (a photo of a transfer slip, for the test)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 220, 240)).save(buf, "PNG")
    return buf.getvalue()


def visitor_form(**over) -> dict:
    """The guest-book fields of the online page."""
    data = dict(
        name="Rina Paramitha",
        email="rina@example.id",
        phone="081234567890",
        gender="P",
        birth_year=1992,
        education="s2",
        occupation="researcher",
        institution_category="domestic_education",
        institution_name="Universitas Sriwijaya",
        purpose="research",
        consent=True,
    )
    data.update(over)
    return data


MICRODATA = {"item_code": "microdata_raw", "measure": 1_500_000, "quantity": 1, "description": "Susenas 2024 Sumsel"}
PUBLICATION = {"item_code": "publication", "measure": 120, "quantity": 1, "description": "Sumsel Dalam Angka 2025"}
ABSTRACT = "Data Susenas dipakai untuk tesis tentang pengeluaran rumah tangga di Sumatera Selatan, hanya tabulasi."
