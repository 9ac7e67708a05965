"""The staff password policy: long enough, not common or easy to guess, and not the username or office inside.

Guessability is zxcvbn's (the Dropbox estimator: common-password, name and word lists from real leaks,
keyboard patterns, dates, repeats), given the account's own words so that 'petugas1-2024!' is weak for
petugas1. A refusal names what is wrong in the screen's language.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from rules.errors import N_, RuleError

MIN_LENGTH = 12
MAX_LENGTH = 200
# zxcvbn's scores: 0 too guessable ... 4 very unguessable; 3 is "safely unguessable" (about 10^8 guesses and up).
MIN_SCORE = 3
# zxcvbn refuses longer input; the first 72 characters are plenty to judge.
_SCORED_CHARS = 72


@dataclass(frozen=True)
class Context:
    """Words of the account that its password must not be built from."""

    username: str = ""
    name: str = ""
    office_names: tuple[str, ...] = ()


def _plain(text: str) -> str:
    """Lower-case letters and digits only: 'BPS Sumsel' -> 'bpssumsel'."""
    return re.sub(r"[\W_]+", "", (text or "").lower())


def problem(password: str, context: Context = Context(), *, min_length: int = MIN_LENGTH) -> RuleError | None:
    """Why this password may not be used, or None."""
    password = password or ""
    if len(password) < min_length:
        return RuleError("weak_password", N_("A password needs at least %(n)s characters."), status=400, n=min_length)
    if len(password) > MAX_LENGTH:
        return RuleError("weak_password", N_("A password has at most %(n)s characters."), status=400, n=MAX_LENGTH)
    plain = _plain(password)
    user = _plain(context.username)
    if len(user) >= 3 and user in plain:
        return RuleError("weak_password", N_("The password may not contain the username."), status=400)
    for office in context.office_names:
        o = _plain(office)
        if len(o) >= 4 and o in plain:
            return RuleError("weak_password", N_("The password may not contain the office's name."), status=400)
    words = [w for w in (context.username, context.name, *context.office_names) if w]
    words += [w for text in words for w in re.split(r"[\W_]+", text) if len(w) >= 3]
    from zxcvbn import zxcvbn  # its word lists take 12 MB: loaded when a password is first set, not at start

    if zxcvbn(password[:_SCORED_CHARS], user_inputs=words)["score"] < MIN_SCORE:
        return RuleError(
            "weak_password",
            N_("This password is too common or too easy to guess. Use a few unrelated words or a longer phrase."),
            status=400,
        )
    return None


def check(password: str, context: Context = Context(), *, min_length: int = MIN_LENGTH) -> None:
    """Refuse a password that breaks the policy (RuleError 'weak_password')."""
    err = problem(password, context, min_length=min_length)
    if err is not None:
        raise err


def generate() -> str:
    """A temporary password that passes the policy: four groups of random letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))
