"""A reason someone must give: the rule (given_reason) and the OpenAPI pattern (REASON_PATTERN) say the same.

schemathesis generates requests from the pattern and expects every string it allows to be accepted, so the
pattern must admit exactly what the rule keeps: at least three characters once str.strip() is done, with no
refused character anywhere. A byte order mark alone (what a bounded schemathesis run once sent) is one
character, not a reason.
"""

from __future__ import annotations

import itertools
import re
import sys

import pytest

from rules.text import REASON_PATTERN, given_reason, has_unsafe

PATTERN = re.compile(REASON_PATTERN)
SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def pattern_allows(value: str) -> bool:
    return PATTERN.search(value) is not None


def rule_keeps(value: str) -> bool:
    return given_reason(value) is not None and not has_unsafe(value)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("salah NTPN", "salah NTPN"),
        ("  abc  ", "abc"),
        ("a b", "a b"),
        ("ab", None),
        ("\ufeff", None),
        ("  x  ", None),
        ("\u3000a\u3000", None),
        ("", None),
        (None, None),
    ],
)
def test_a_reason_is_kept_trimmed_or_refused(value, kept):
    assert given_reason(value) == kept
    if value is not None:
        assert pattern_allows(value) is (kept is not None)


@pytest.mark.parametrize("space", SPACES, ids=lambda c: f"U+{ord(c):04X}")
def test_every_space_str_strip_removes_is_a_space_to_the_pattern(space):
    padded = space * 2 + "ab" + space * 2
    assert given_reason(padded) is None
    assert not pattern_allows(padded)
    if not has_unsafe(space):  # a tab or a line break may stand inside a reason
        assert pattern_allows("a" + space + "b") and given_reason("a" + space + "b") == "a" + space + "b"


# Representatives: letters, an accented one, a byte order mark and a zero-width space (not spaces to
# str.strip()), refused characters (NUL, a direction override, a C0 separator), and spaces of every kind.
ALPHABET = ["a", "Z", "é", "\ufeff", "\u200b", "\x00", "\u202e", "\x1f", " ", "\t", "\u3000", "\x85"]


def test_the_pattern_and_the_rule_agree_on_every_short_text():
    """Every string of up to 4 of those characters (22,621 of them): exhaustive, so the same on every run."""
    checked = 0
    for size in range(5):
        for chars in itertools.product(ALPHABET, repeat=size):
            value = "".join(chars)
            assert pattern_allows(value) == rule_keeps(value), repr(value)
            checked += 1
    assert checked == sum(len(ALPHABET) ** n for n in range(5))
