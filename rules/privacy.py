"""Masking personal data for public screens and logs (UU 27/2022 PDP)."""

from __future__ import annotations

import logging
import re

from rules.text import escape_controls


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


# A link token in a path (/s/<token>, /rate/<token>, /verify/<token>, /api/visitor/requests/<token>, ...):
# new_token() makes 32 URL-safe characters; any path segment of 20 or more such characters is taken for one,
# also URL-encoded inside a query (next=%2Fs%2F...).
_TOKEN = re.compile(r"(/|%2[Ff])[A-Za-z0-9_-]{20,}(?=[/?&#\s\"']|%2[Ff]|$)")
# Query parameters that carry what a person typed (search terms: names, e-mails, phones) or a secret.
_QUERY_SECRET = re.compile(
    r"([?&](?:q|query|search|term|name|email|phone|npwp|nik|token|code|password)=)[^&\s\"']*", re.IGNORECASE
)


def scrub(text: str) -> str:
    """Mask emails and long digit runs (phones, NIK, NPWP) in free text."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return _LONG_DIGITS.sub(lambda m: mask_number(m.group(1)), text)


def scrub_log(text: str) -> str:
    """A log line as it may be written: control characters escaped (one record, one line), link tokens and
    search terms out of URLs, emails and long digit runs masked."""
    text = escape_controls(text)
    text = _TOKEN.sub(lambda m: m.group(1) + "<token>", text)
    text = _QUERY_SECRET.sub(lambda m: m.group(1) + "<hidden>", text)
    return scrub(text)


class ScrubFilter(logging.Filter):
    """A logging filter that masks personal data and link tokens in every record and escapes control characters
    (Werkzeug's and gunicorn's access logs included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - never break logging
            return True
        record.msg, record.args = scrub_log(msg), ()
        return True
