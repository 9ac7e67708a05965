"""What every table module shares: unguessable tokens for links handed to visitors."""

from __future__ import annotations

import secrets


def new_token() -> str:
    """An unguessable token for links handed to visitors."""
    return secrets.token_urlsafe(24)
