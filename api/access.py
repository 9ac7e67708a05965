"""Recording a staff member's read of personal data from a screen (rules/access_log.py): one light write after
the read, in its own transaction, so a failed read records nothing and a read never waits on the log's rows."""

from __future__ import annotations

from collections.abc import Iterable

from flask_login import current_user

from extensions import get_db
from rules import access_log


def log_read(kind: str, visitor_ids: Iterable[int | None], ref: str = "") -> None:
    """Record that the signed-in staff member read these persons' data (kinds: rules.access_log.KINDS). Called
    before the answer is sent: a read that cannot be recorded fails instead of passing unrecorded."""
    if not current_user.is_authenticated:
        return
    with get_db().read() as s:  # a screen that refreshes itself mostly finds its reads recorded already
        ids = access_log.unrecorded(s, user_id=current_user.id, kind=kind, visitor_ids=visitor_ids, ref=ref)
    if not ids:
        return
    with get_db().write() as s:
        access_log.record(
            s,
            office_id=current_user.office_id,
            user_id=current_user.id,
            kind=kind,
            visitor_ids=ids,
            ref=ref,
            coalesce=False,
        )
