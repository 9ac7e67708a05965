"""The officer's counter screen (login required): choose a counter, serve at it, take a paid-product request.

Pages in views.py; the counter's endpoints in api.py and the request panel's in request_api.py (shapes in
schemas.py and request_schemas.py); scripts in static/ (counter.js, request.js).
"""

from flask import Blueprint

bp = Blueprint("counter", __name__, template_folder="templates", static_folder="static")

from counter import views  # noqa: F401


def init_app(app) -> None:
    from counter.api import bp as api_bp
    from counter.online_api import bp as online_api_bp
    from counter.request_api import bp as requests_api_bp

    app.register_blueprint(bp, url_prefix="/counter")
    app.register_blueprint(api_bp)
    app.register_blueprint(online_api_bp)  # before request_api: /api/requests/online is not a request id
    app.register_blueprint(requests_api_bp)
