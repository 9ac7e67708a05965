"""Socket.IO room names: one public and one staff room per office (a phone has its own room, see phone/)."""

from __future__ import annotations

from flask_socketio import join_room


def public_room(office_code: str) -> str:
    """Wall displays and kiosks of an office: ticket codes and counters only."""
    return f"public:{office_code}"


def staff_room(office_code: str) -> str:
    """Signed-in staff of an office: counters, treasurer, supervisor."""
    return f"staff:{office_code}"


def enter(room: str) -> bool:
    """Put the connection of the event being handled in `room`; False if it hung up meanwhile.

    A screen that closes (or reloads) right after sending an event leaves the namespace before the event's
    handler runs: joining then raises in python-socketio. That is a visitor leaving, not an error.
    """
    try:
        join_room(room)
    except ValueError:  # "sid is not connected to requested namespace"
        return False
    return True
