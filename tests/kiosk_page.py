"""Filling the kiosk's guest book in a browser page: one helper for every browser test that takes a ticket."""

from __future__ import annotations


def fill_guest_book(page, *, name: str = "Siti Aminah", email: str = "siti.aminah@contoh.id",
                    phone: str = "0812 3456 7890", occupation: str = "lecturer_teacher",
                    service: str = "penjualan", submit: bool = False) -> None:
    """Open the form from the welcome screen and answer every question as a university researcher would."""
    page.get_by_test_id("start").click()
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#phone", phone)
    page.check("input[name=gender][value=P]")
    page.fill("#birth_year", "1994")
    page.select_option("#education", "s2")
    page.select_option("#occupation", occupation)
    page.select_option("#institution_category", "domestic_education")
    page.fill("#institution_name", "Universitas Sriwijaya")
    page.select_option("#purpose", "research")
    page.get_by_test_id(f"service-{service}").click()
    page.get_by_test_id("consent").check()
    if submit:
        page.get_by_test_id("submit").click()
