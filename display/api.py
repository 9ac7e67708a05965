"""The wall display's JSON endpoint (public): the queue snapshot, the same one it gets over Socket.IO."""

from __future__ import annotations

from flask import Blueprint, jsonify
from spectree import Response

from api.schemas import Error
from display.schemas import Snapshot
from extensions import api_spec, get_db
from realtime import snapshot_for
from rules import offices

bp = Blueprint("display_api", __name__, url_prefix="/api")


@bp.get("/offices/<code>/queue")
@api_spec.validate(resp=Response(HTTP_200=Snapshot, HTTP_404=Error), tags=["display"])
def queue_snapshot(code: str):
    """The public queue snapshot: counters, last calls, waiting per service. No personal data."""
    with get_db().read() as s:
        return jsonify(snapshot_for(s, offices.get_office(s, code)))
