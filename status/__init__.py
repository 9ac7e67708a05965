"""The visitor's own phone: a live status page per ticket at /s/<token> (no login, no app).

- Routes (status/views.py): the page, /state (JSON, the polling fallback), POST /back ("I'll be back in N
  minutes", 0 = "I'm back") and POST /cancel (both CSRF-protected), /qr.svg (the link as a QR code, shown
  on the kiosk screen). Unknown and expired tokens get the same 404 "not found".
- Live updates (status/live.py, status/events.py): Socket.IO namespace '/status', one room per ticket
  ('ticket:<token>'); realtime.broadcast pushes 'call' to the called ticket and 'state' to each ticket
  whose own state changed. The page (status.js) joins it with the vendored official Socket.IO client
  (websocket, else long-polling) and polls /state when it cannot connect; it re-fetches whenever the phone
  wakes up.
- Stepping out keeps the place: call-next does not skip the ticket; the counter screen shows "Back by
  HH:MM", and a visitor still away when called goes through the usual recalls and no-show.
- The link works while the ticket (or the paid-product request opened from it) is open, and for
  app.status_link_hours (config.toml, default 24) after it closed.
"""

from flask import Blueprint

# Static files under /s/static/ (the token is a single path segment, so the two never collide).
bp = Blueprint("status", __name__, template_folder="templates", static_folder="static", static_url_path="/static")

from status import events, views  # noqa: E402,F401

# Socket.IO handlers of '/status', attached to each app's server when the blueprint is registered on it.
bp.record(lambda _state: events.register())
