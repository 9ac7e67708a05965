"""The JSON API's shared plumbing: the OpenAPI document, the error shape, the staff's view of a request.

The endpoints themselves live with the screen they serve (kiosk/api.py, counter/api.py, treasurer/api.py,
phone/api.py, ...); each registers its own blueprint under /api. This package only holds what they share.
"""

from flask import Blueprint, current_app, jsonify

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document of this API, generated from the routes and their pydantic models, with what the
    guards of every route enforce (api/openapi.py)."""
    from api.openapi import served

    return jsonify(served(current_app))


def init_app(app) -> None:
    app.register_blueprint(bp)
