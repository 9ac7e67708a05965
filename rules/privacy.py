"""Masking personal data for public screens and logs (UU 27/2022 PDP)."""

from __future__ import annotations

import logging
import re


def first_name(name: str) -> str:
    parts = (name or "").split()
    return parts[0] if parts else ""


def mask_name(name: str) -> str:
    """'Siti Aminah' -> 'Siti A.'"""
    parts = (name or "").split()
    if not parts:
        return ""
    return " ".join([parts[0]] + [p[0] + "." for p in parts[1:]])


def mask_email(email: str) -> str:
    """'budi.santoso@example.com' -> 'b***@example.com'"""
    local, _, domain = (email or "").partition("@")
    return f"{local[:1]}***@{domain}" if domain else ("***" if email else "")


def mask_number(value: str) -> str:
    """NIK/NPWP: only the last four digits."""
    digits = re.sub(r"\D", "", value or "")
    return "*" * max(len(digits) - 4, 0) + digits[-4:] if digits else ""


_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")
_LONG_DIGITS = re.compile(r"(?<!\d)(\d[\d.\- ]{8,}\d)(?!\d)")


def scrub(text: str) -> str:
    """Mask emails and long digit runs (phones, NIK, NPWP) in free text."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return _LONG_DIGITS.sub(lambda m: mask_number(m.group(1)), text)


class ScrubFilter(logging.Filter):
    """A logging filter that masks personal data in every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - never break logging
            return True
        record.msg, record.args = scrub(msg), ()
        return True
