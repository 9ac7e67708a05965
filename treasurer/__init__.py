"""The treasurer's screen (/treasurer/): confirm payments by their NTPN and issue receipts (kuitansi).

The page in views.py, JSON endpoints in api.py (shapes in schemas.py), the script in static/treasurer.js.
"""

from treasurer.views import bp


def init_app(app) -> None:
    from treasurer.api import bp as api_bp

    app.register_blueprint(bp, url_prefix="/treasurer")
    app.register_blueprint(api_bp)
