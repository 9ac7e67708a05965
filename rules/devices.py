"""Registered kiosks and wall displays: staff make a one-time pairing code, the device trades it for a long-lived
token (kept in a cookie), and the server knows from that token which office and station a request comes from.

Only hashes are stored (of the code and of the token's secret half); revoking a device ends its token. The
station names the printer its paper goes to and must be one of config.toml's [stations].
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from clock import utcnow
from models import Device, DeviceKind
from rules.errors import N_, NotFound, RuleError

PAIRING_VALID = timedelta(minutes=15)
# No 0/O, 1/I/L: a code is read off one screen and typed on another.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# last_seen_at is written at most this often per device.
SEEN_EVERY = timedelta(minutes=1)


def _hash(secret: str) -> str:
    """What is stored of a code or a token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize_code(code: str) -> str:
    """What the person typed, as stored: upper case, without spaces or dashes."""
    return re.sub(r"[\s-]+", "", code or "").upper()


def format_code(code: str) -> str:
    """'ABCDEFGH' -> 'ABCD-EFGH' (easier to read aloud)."""
    return f"{code[:4]}-{code[4:]}"


def create_pairing(
    session: Session,
    *,
    office_id: int,
    kind: str,
    station: str,
    label: str,
    stations: set[str] | frozenset[str],
    created_by: int | None,
    now: datetime | None = None,
) -> tuple[Device, str]:
    """Register a device waiting to pair; returns it and its one-time code (shown once, valid PAIRING_VALID)."""
    now = now or utcnow()
    if kind not in DeviceKind.__members__:
        raise RuleError("bad_kind", N_("A device is a kiosk or a display."), status=400)
    station = (station or "").strip()
    if kind == DeviceKind.kiosk and station not in stations:
        raise RuleError(
            "unknown_station",
            N_("Unknown station %(station)s; config.toml's [stations] has: %(known)s."),
            status=404,
            station=station[:64],
            known=", ".join(sorted(stations)) or "-",
        )
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    device = Device(
        office_id=office_id,
        kind=kind,
        label=(label or "").strip()[:80] or f"{kind} {station}".strip(),
        station=station,
        pairing_code_hash=_hash(code),
        pairing_expires_at=now + PAIRING_VALID,
        created_by=created_by,
        created_at=now,
    )
    session.add(device)
    session.flush()
    return device, code


def pair(session: Session, *, code: str, now: datetime | None = None) -> tuple[Device, str]:
    """Trade a pairing code for the device's token (used once); refuse an unknown, used or expired code."""
    now = now or utcnow()
    code = normalize_code(code)
    device = None
    if len(code) == CODE_LENGTH:
        device = session.exec(select(Device).where(Device.pairing_code_hash == _hash(code))).first()
    if device is None or device.revoked_at is not None or device.pairing_expires_at is None:
        raise RuleError("bad_pairing_code", N_("This pairing code is not valid. Ask for a new one."), status=400)
    if device.pairing_expires_at <= now:
        raise RuleError("bad_pairing_code", N_("This pairing code has expired. Ask for a new one."), status=400)
    return _issue_token(session, device, now)


def _issue_token(session: Session, device: Device, now: datetime) -> tuple[Device, str]:
    """Give a device its long-lived token (the code is used up)."""
    secret = secrets.token_urlsafe(32)
    device.token_hash = _hash(secret)
    device.pairing_code_hash = None
    device.pairing_expires_at = None
    device.paired_at = device.last_seen_at = now
    session.add(device)
    session.flush()
    return device, f"{device.id}.{secret}"


def register_paired(
    session: Session, *, office_id: int, kind: str, station: str, label: str, now: datetime | None = None
) -> tuple[Device, str]:
    """Register a device and pair it at once (the demo's automatic kiosk, the benchmark, tests)."""
    now = now or utcnow()
    device = Device(office_id=office_id, kind=kind, station=station, label=label[:80], created_at=now)
    session.add(device)
    session.flush()
    return _issue_token(session, device, now)


def from_token(session: Session, token: str, *, now: datetime | None = None) -> Device | None:
    """The paired, not revoked device holding this token, or None; notes when it was last seen."""
    sid, _, secret = (token or "").partition(".")
    if not sid.isdigit() or len(sid) > 18 or not secret:
        return None
    device = session.get(Device, int(sid))
    if device is None or device.token_hash is None or device.revoked_at is not None:
        return None
    if not hmac.compare_digest(device.token_hash, _hash(secret)):
        return None
    now = now or utcnow()
    if device.last_seen_at is None or now - device.last_seen_at > SEEN_EVERY:
        device.last_seen_at = now
        session.add(device)
    return device


def revoke(session: Session, device_id: int, *, office_id: int, now: datetime | None = None) -> Device:
    """End a device's token (and any unused pairing code)."""
    device = session.get(Device, device_id)
    if device is None or device.office_id != office_id:
        raise NotFound("device_not_found", N_("No such device."))
    device.revoked_at = device.revoked_at or now or utcnow()
    device.pairing_code_hash = None
    session.add(device)
    return device


def list_devices(session: Session, office_id: int) -> list[Device]:
    """The office's devices, newest first."""
    return list(session.exec(select(Device).where(Device.office_id == office_id).order_by(Device.id.desc())))
