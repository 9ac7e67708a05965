"""The audit of the office's set-up: every change made on the admin screens (or by a set-up command) records who,
when, what, and the values before and after. Plain functions on a session; the admin screens list the rows."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, select

from clock import utcnow
from models import AuditEntry
from rules.errors import N_, RuleError

# The set-up's parts, as the audit screen names them (msgids; the screen translates).
ENTITIES = {
    "office": N_("Office"),
    "hours": N_("Opening hours"),
    "special_day": N_("Special day"),
    "service": N_("Service"),
    "counter": N_("Counter"),
    "user": N_("Staff account"),
    "device": N_("Device"),
    "config": N_("Configuration"),
}
ACTIONS = {
    "created": N_("created"),
    "changed": N_("changed"),
    "removed": N_("removed"),
    "activated": N_("activated"),
    "deactivated": N_("deactivated"),
    "password_reset": N_("password reset"),
    "paired": N_("pairing code made"),
    "revoked": N_("revoked"),
    "imported": N_("imported from config.toml"),
}


class Actor:
    """Who makes a change: a signed-in user (id, username) or a command ("manage.py")."""

    def __init__(self, user_id: int | None = None, username: str = "manage.py"):
        self.user_id, self.username = user_id, username


COMMAND = Actor()


def invalid(field: str, code: str, message: str, **params) -> RuleError:
    """A refusal of what was typed in one field: 400 with {fields: {field: message}} besides the message."""
    err = RuleError(code, message, status=400, **params)
    err.fields = {field: message}  # the msgid: translated (and its parameters filled) by the screen
    return err


def _plain(value):
    """A value as JSON keeps it (dates and times as ISO text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in (sorted(value) if isinstance(value, set | frozenset) else value)]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def action_of(was_active: bool, is_active: bool) -> str:
    """How the audit names a change to an item that can be switched off: 'activated', 'deactivated' or 'changed'."""
    if was_active == is_active:
        return "changed"
    return "activated" if is_active else "deactivated"


def record(
    session: Session,
    *,
    office_id: int,
    actor: Actor,
    entity: str,
    action: str,
    entity_id: int | None = None,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
    now: datetime | None = None,
) -> AuditEntry | None:
    """Record one change (only the fields that differ, when both sides are given); None when nothing changed."""
    before, after = _plain(before or {}), _plain(after or {})
    if before and after and action == "changed":
        keys = [k for k in after if before.get(k) != after.get(k)]
        if not keys:
            return None
        before, after = {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
    row = AuditEntry(
        office_id=office_id,
        at=now or utcnow(),
        user_id=actor.user_id,
        username=actor.username[:64],
        entity=entity,
        entity_id=entity_id,
        action=action,
        summary=summary[:200],
        before=json.dumps(before, ensure_ascii=False, sort_keys=True),
        after=json.dumps(after, ensure_ascii=False, sort_keys=True),
    )
    session.add(row)
    session.flush()
    return row


def entries(session: Session, office_id: int, *, limit: int = 200, entity: str = "") -> list[AuditEntry]:
    """The office's latest set-up changes, newest first."""
    q = select(AuditEntry).where(AuditEntry.office_id == office_id)
    if entity:
        q = q.where(AuditEntry.entity == entity)
    return list(session.exec(q.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))


def as_dict(row: AuditEntry) -> dict:
    """One entry with its before and after read back from JSON."""
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "username": row.username,
        "entity": row.entity,
        "entity_id": row.entity_id,
        "action": row.action,
        "summary": row.summary,
        "before": json.loads(row.before or "{}"),
        "after": json.loads(row.after or "{}"),
    }
