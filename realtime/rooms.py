"""Socket.IO room names: one public and one staff room per office (a phone has its own room, see phone/)."""

from __future__ import annotations


def public_room(office_code: str) -> str:
    """Wall displays and kiosks of an office: ticket codes and counters only."""
    return f"public:{office_code}"


def staff_room(office_code: str) -> str:
    """Signed-in staff of an office: counters, treasurer, supervisor."""
    return f"staff:{office_code}"
