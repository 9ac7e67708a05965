"""Live updates over Socket.IO: the plumbing that carries events to screens. It imports no screen.

- `rooms`: room names ('public:<office>' for wall displays and kiosks, 'staff:<office>' for signed-in staff);
- `publish`: `publish()` after a committed change (in the web process), `publish_external()` from a command or
  worker, both through `broadcast()`; the snapshot every screen of the office gets after a change;
- `hooks`: what a screen asks to be told (a call, an event, "this office changed"); the visitor's phone
  registers its pushes here, so the arrow points from the screen to the plumbing, never back;
- `coalesce`: at most one snapshot per office in flight; screens reconnecting together share one build;
- `queue`: the message queue that lets several server processes (and commands) share one system.
"""

from realtime.hooks import on_call, on_event, on_office_changed
from realtime.publish import (
    broadcast,
    init_app,
    publish,
    publish_external,
    snapshot_for,
    snapshot_for_joiner,
)
from realtime.queue import client_manager, external_emitter, office_changed
from realtime.rooms import enter, public_room, staff_room

__all__ = [
    "broadcast",
    "client_manager",
    "enter",
    "external_emitter",
    "init_app",
    "office_changed",
    "on_call",
    "on_event",
    "on_office_changed",
    "public_room",
    "publish",
    "publish_external",
    "snapshot_for",
    "snapshot_for_joiner",
    "staff_room",
]
