"""Staff endpoints for devices: make a pairing code, list the office's devices, revoke one (supervisor, admin)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from spectree import Response

from api.schemas import STAFF_ERRORS
from auth.roles import roles_required
from devices import schemas as S
from extensions import api_spec, get_db
from rules import audit, devices
from rules.roles import SUPERVISOR_ROLES

bp = Blueprint("devices_api", __name__, url_prefix="/api")


def configured_stations() -> frozenset[str]:
    """The station names config.toml knows (its [stations], and a station per counter)."""
    return frozenset(current_app.extensions["loket.printing"].stations)


def device_json(d) -> dict:
    """A device as staff see it (never its token or code)."""

    def iso(t):
        """A time as ISO 8601, or None."""
        return t.isoformat() if t else None

    return {
        "id": d.id,
        "kind": d.kind,
        "label": d.label,
        "station": d.station,
        "paired_at": iso(d.paired_at),
        "last_seen_at": iso(d.last_seen_at),
        "revoked_at": iso(d.revoked_at),
    }


@bp.post("/devices/pairing")
@api_spec.validate(json=S.PairingIn, resp=Response(HTTP_201=S.PairingOut, **STAFF_ERRORS), tags=["devices"])
@roles_required(*SUPERVISOR_ROLES)
def create_pairing():
    """Register a kiosk or display of your office and make its one-time pairing code (valid 15 minutes)."""
    body = request.context.json
    with get_db().write() as s:
        device, code = devices.create_pairing(
            s,
            office_id=current_user.office_id,
            kind=body.kind,
            station=body.station,
            label=body.label,
            stations=configured_stations(),
            created_by=current_user.id,
        )
        audit.record(
            s,
            office_id=current_user.office_id,
            actor=audit.Actor(current_user.id, current_user.username),
            entity="device",
            action="paired",
            entity_id=device.id,
            summary=device.label or device.kind,
            after={"kind": device.kind, "label": device.label, "station": device.station},
        )
        out = {
            "device": device_json(device),
            "code": devices.format_code(code),
            "expires_at": device.pairing_expires_at.isoformat(),
        }
    return jsonify(out), 201


@bp.get("/devices")
@api_spec.validate(resp=Response(HTTP_200=S.DeviceList, **STAFF_ERRORS), tags=["devices"])
@roles_required(*SUPERVISOR_ROLES)
def list_devices():
    """The kiosks and displays of your office, newest first."""
    with get_db().read() as s:
        return jsonify(devices=[device_json(d) for d in devices.list_devices(s, current_user.office_id)])


@bp.post("/devices/<int:device_id>/revoke")
@api_spec.validate(resp=Response(HTTP_200=S.DeviceOut, **STAFF_ERRORS), tags=["devices"])
@roles_required(*SUPERVISOR_ROLES)
def revoke_device(device_id: int):
    """End a device's pairing: its next request is refused until it pairs again."""
    with get_db().write() as s:
        device = devices.revoke(s, device_id, office_id=current_user.office_id)
        audit.record(
            s,
            office_id=current_user.office_id,
            actor=audit.Actor(current_user.id, current_user.username),
            entity="device",
            action="revoked",
            entity_id=device.id,
            summary=device.label or device.kind,
            after={"revoked_at": device.revoked_at},
        )
        return jsonify(device_json(device))
