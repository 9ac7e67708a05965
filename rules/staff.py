"""Staff accounts as the admin manages them: create (with a temporary password to change at the first sign-in),
change name, role and office, deactivate (every open session ends at once), reactivate, reset the password.
The account rules themselves (policy, sessions) are rules/users.py's; this adds the audit of each change."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from models import Office, Role, User
from rules import audit, passwords, users
from rules.audit import Actor
from rules.errors import N_, NotFound, RuleError

# The roles, as the staff screen names them (msgids).
ROLE_NAMES = {
    Role.officer.value: N_("Counter officer"),
    Role.treasurer.value: N_("Treasurer"),
    Role.supervisor.value: N_("Supervisor"),
    Role.admin.value: N_("Administrator"),
}


def fields(user: User) -> dict:
    """What the audit keeps of an account (never its password or hash)."""
    return {
        "username": user.username,
        "name": user.name,
        "role": user.role,
        "office_id": user.office_id,
        "active": user.active,
        "must_change_password": user.must_change_password,
    }


def staff_of(session: Session, office_id: int) -> list[User]:
    return list(
        session.exec(select(User).where(User.office_id == office_id).order_by(User.active.desc(), User.username))
    )


def get(session: Session, office_id: int, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.office_id != office_id:
        raise NotFound("user_not_found", N_("No such user."))
    return user


def _check_role(role: str) -> None:
    if role not in ROLE_NAMES:
        raise audit.invalid("role", "bad_role", N_("Choose one of the roles."))


def create(
    session: Session,
    *,
    office_id: int,
    actor: Actor,
    username: str,
    name: str,
    role: str,
    min_length: int = passwords.MIN_LENGTH,
    now: datetime | None = None,
) -> tuple[User, str]:
    """A new account with a generated temporary password it must change at its first sign-in."""
    _check_role(role)
    if not (name or "").strip():
        raise audit.invalid("name", "bad_name", N_("Type the person's name."))
    try:
        user, password = users.create_user(
            session, office_id=office_id, username=username, name=name, role=role, min_length=min_length
        )
    except RuleError as e:
        if e.code in ("bad_username", "username_taken"):
            raise audit.invalid("username", e.code, e.message, **e.params) from None
        raise
    user.must_change_password = True
    session.add(user)
    session.flush()
    audit.record(
        session,
        office_id=office_id,
        actor=actor,
        entity="user",
        action="created",
        entity_id=user.id,
        summary=user.username,
        after=fields(user),
        now=now,
    )
    return user, password


def update(
    session: Session,
    *,
    office_id: int,
    user_id: int,
    actor: Actor,
    name: str | None = None,
    role: str | None = None,
    office_code: str | None = None,
    active: bool | None = None,
    now: datetime | None = None,
) -> User:
    """Change an account's name, role, office or whether it may sign in. Deactivating ends its sessions at once.
    An admin cannot deactivate themselves or take away their own admin role (someone must remain)."""
    user = get(session, office_id, user_id)
    before = fields(user)
    if role is not None:
        _check_role(role)
        if user.id == actor.user_id and role != user.role:
            raise audit.invalid("role", "own_role", N_("You cannot change your own role."))
        user.role = role
    if name is not None:
        name = " ".join(name.split())[:120]
        if not name:
            raise audit.invalid("name", "bad_name", N_("Type the person's name."))
        user.name = name
    if office_code:
        office = session.exec(select(Office).where(Office.code == office_code)).first()
        if office is None:
            raise audit.invalid("office", "office_not_found", N_("No office with code %(code)s."), code=office_code)
        user.office_id = office.id
    session.add(user)
    action = "changed"
    if active is not None and active != user.active:
        if user.id == actor.user_id and not active:
            raise audit.invalid("active", "own_account", N_("You cannot deactivate your own account."))
        users.set_active(session, user, active, now=now)
        action = "activated" if active else "deactivated"
    session.flush()
    audit.record(
        session,
        office_id=office_id,
        actor=actor,
        entity="user",
        action=action,
        entity_id=user.id,
        summary=user.username,
        before=before,
        after=fields(user),
        now=now,
    )
    return user


def reset_password(
    session: Session, *, office_id: int, user_id: int, actor: Actor, now: datetime | None = None
) -> tuple[User, str]:
    """A temporary password (shown once to the admin), to be changed at the next sign-in; sessions end."""
    user = get(session, office_id, user_id)
    password = users.reset_password(session, user, now=now)
    audit.record(
        session,
        office_id=office_id,
        actor=actor,
        entity="user",
        action="password_reset",
        entity_id=user.id,
        summary=user.username,
        after={"must_change_password": True},
        now=now,
    )
    return user, password
