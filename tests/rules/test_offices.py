"""Services' names by language: one function for every page, slip and report that names a service."""

from __future__ import annotations

from models import Service
from rules.offices import service_name


def test_a_service_is_named_in_the_screens_language_with_the_indonesian_name_as_fallback():
    svc = Service(office_id=1, code="penjualan", prefix="B", name="Penjualan Produk Statistik", name_en="Sales")
    assert service_name(svc, "id") == "Penjualan Produk Statistik"
    assert service_name(svc, "en") == "Sales"
    untranslated = Service(office_id=1, code="x", prefix="X", name="Perpustakaan", name_en="")
    assert service_name(untranslated, "en") == "Perpustakaan"
    # The same choice for data that carries both names (a ticket's state on the phone's page).
    assert service_name({"name": "Konsultasi", "name_en": "Consultation"}, "en") == "Consultation"
    assert service_name({"name": "Konsultasi", "name_en": None}, "en") == "Konsultasi"
