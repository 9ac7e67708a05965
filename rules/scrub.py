"""Masking one person's identity inside free text (an officer's note, a reason, a slip's contents) before the
rows are kept without it: their names, e-mails, phone numbers and NPWP, however they were typed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

MASK = "***"
# Name parts shorter than this are not masked on their own ("A.", "Hj").
MIN_PART = 3


def _digits_pattern(number: str) -> str | None:
    """A phone or NPWP as typed in text: its digits with any spaces, dots, dashes or brackets between; a mobile
    number also with +62 or 62 instead of its leading 0."""
    digits = re.sub(r"\D", "", number or "")
    if len(digits) < 6:
        return None
    if digits.startswith("0"):
        lead, rest = r"(?:\+?62|0)", digits[1:]
    else:
        lead, rest = "", digits
    sep = r"[\s.\-()]*"
    return lead + sep + sep.join(re.escape(d) for d in rest)


class Scrubber:
    """Masks a person's identity strings in text; built from every value they typed or had on record."""

    def __init__(self, names: Iterable[str] = (), emails: Iterable[str] = (), numbers: Iterable[str] = ()):
        """One pattern for every name (and its parts), e-mail and number."""
        names = {n.strip() for n in names if n and len(n.strip()) >= 2}
        parts = {p for n in names for p in re.split(r"[\s,.]+", n) if len(p) >= MIN_PART}
        words = sorted(names | parts | {e.strip() for e in emails if e and e.strip()}, key=len, reverse=True)
        patterns = [r"(?<!\w)" + re.escape(w) + r"(?!\w)" for w in words]
        patterns += [p for n in numbers if (p := _digits_pattern(n))]
        self.pattern = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None

    def text(self, value: str) -> str:
        """The text with every identity string masked."""
        if not value or self.pattern is None:
            return value
        return self.pattern.sub(MASK, value)

    def json(self, value: str) -> str:
        """A JSON text with every string inside it masked (escaped characters included); not JSON: as text."""
        try:
            data = json.loads(value)
        except (TypeError, ValueError):
            return self.text(value)
        return json.dumps(self._walk(data), sort_keys=True, ensure_ascii=False)

    def _walk(self, data):
        """Mask every string inside a decoded JSON value."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, list):
            return [self._walk(x) for x in data]
        if isinstance(data, dict):
            return {k: self._walk(v) for k, v in data.items()}
        return data
