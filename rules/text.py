"""What text people may type: no control characters (NUL, escape sequences) and no bidirectional overrides, which
can hide or reorder what staff read and forge lines in logs. Free text keeps tabs and line breaks; one-line
fields (names, usernames, codes) refuse those too."""

from __future__ import annotations

import re

from rules.errors import N_

# C0 and C1 controls except tab, line feed, carriage return; DEL; bidi embeddings, overrides and isolates.
UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# One-line fields: every control character, line and paragraph separators, bidi controls.
UNSAFE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# The same, as JSON-schema patterns for the OpenAPI document: strings made only of allowed characters.
TEXT_PATTERN = "^[^" + UNSAFE.pattern[1:-1] + "]*$"
LINE_PATTERN = "^[^" + UNSAFE_LINE.pattern[1:-1] + "]*$"
REFUSED = N_("The text contains characters that are not allowed (control characters or direction overrides).")
# A reason someone must give (changing or cancelling a request, not confirming a payment): at least REASON_MIN
# characters from the first to the last one that is not a space, i.e. what str.strip() keeps.
REASON_MIN = 3
SPACES = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SAFE, _SAFE_INK = "[^" + UNSAFE.pattern[1:-1] + "]", "[^" + UNSAFE.pattern[1:-1] + SPACES + "]"
# The same as one JSON-schema pattern (no look-arounds, so a generator can follow it): allowed characters only,
# and two that are not spaces at least REASON_MIN - 2 characters apart.
REASON_PATTERN = f"^{_SAFE}*{_SAFE_INK}{_SAFE}{{{REASON_MIN - 2},}}{_SAFE_INK}{_SAFE}*$"


def given_reason(value: str | None) -> str | None:
    """The reason trimmed, or None when it is too short to say anything (the caller refuses it)."""
    reason = (value or "").strip()
    return reason if len(reason) >= REASON_MIN else None


def has_unsafe(value, *, line: bool = False) -> bool:
    """Whether a string (or any string inside lists and dicts, keys included) carries a refused character."""
    pattern = UNSAFE_LINE if line else UNSAFE
    if isinstance(value, str):
        return bool(pattern.search(value))
    if isinstance(value, dict):
        return any(has_unsafe(k, line=True) or has_unsafe(v, line=line) for k, v in value.items())
    if isinstance(value, list):
        return any(has_unsafe(v, line=line) for v in value)
    return False


def one_line(value: str) -> str:
    """A pydantic validator for names and other one-line fields."""
    if isinstance(value, str) and UNSAFE_LINE.search(value):
        raise ValueError(REFUSED)
    return value


def free_text(value: str) -> str:
    """A pydantic validator for notes and other multi-line fields."""
    if isinstance(value, str) and UNSAFE.search(value):
        raise ValueError(REFUSED)
    return value


_ESCAPE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]")


def escape_controls(text: str) -> str:
    """Control characters as visible escapes ('\\n', '\\x1b', '\\u202e') and backslashes doubled: one log record
    stays one line, whatever a user typed."""

    def rep(m: re.Match) -> str:
        """One character's visible escape."""
        ch = m.group(0)
        if ch == "\\":
            return "\\\\"
        if ch in "\n\r\t":
            return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch]
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _ESCAPE.sub(rep, text)
