"""What every table module shares: unguessable tokens for links handed to visitors."""

from __future__ import annotations

import secrets


def new_token() -> str:
    """An unguessable token for links handed to visitors."""
    return secrets.token_urlsafe(24)


# A token nobody was handed: it replaces a visitor link that must stop for good (erasure, retention). The "~" is
# outside token_urlsafe's alphabet, so such tokens are told apart (and never replaced twice).
DEAD = "~"


def dead_token() -> str:
    """A replacement token that kills a visitor link."""
    return DEAD + secrets.token_urlsafe(24)
