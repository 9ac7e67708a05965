"""The visitor's own phone: a live status page per ticket at /s/<token> (no login, no app), the visitor's
paid-product request through its token, and the satisfaction rating (/rate/<token>).

- Pages (views.py): the status page, /state (JSON, the polling fallback), POST /back ("I'll be back in N
  minutes", 0 = "I'm back") and POST /cancel (both CSRF-protected), /qr.svg (the link as a QR code, shown on
  the kiosk screen). Unknown and expired tokens get the same 404 "not found".
- JSON endpoints (api.py): the ticket by its token, the visitor's request and its papers, a correction, the
  rating. The rating page that works without JavaScript is rating.py.
- Live updates (live.py, events.py): Socket.IO namespace '/status', one room per ticket ('ticket:<token>');
  live.py registers with realtime for calls, request changes and 'office changed', so a phone only ever
  receives its own ticket's events. The page (static/phone.js) joins it with the vendored Socket.IO client
  (websocket, else long-polling) and polls /state when it cannot connect; it re-fetches when the phone wakes.
- Stepping out keeps the place: call-next does not skip the ticket; the counter screen shows "Back by HH:MM".
- The link works while the ticket (or the request opened from it) is open, and for app.status_link_hours
  (config.toml, default 24) after it closed.
"""

from flask import Blueprint

# Static files under /s/static/ (the token is a single path segment, so the two never collide).
bp = Blueprint("phone", __name__, template_folder="templates", static_folder="static", static_url_path="/static")

from phone import live, views  # noqa: F401  (live registers the phone's realtime hooks)


def init_app(app) -> None:
    from phone import events
    from phone.api import bp as api_bp
    from phone.rating import bp as rating_bp

    app.register_blueprint(bp, url_prefix="/s")
    app.register_blueprint(api_bp)
    app.register_blueprint(rating_bp)
    events.register()
