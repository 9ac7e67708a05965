"""Staff accounts: creation with hashed passwords, and sign-in checks."""

from __future__ import annotations

import secrets

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from models import Role, User
from rules.errors import N_, RuleError

MIN_PASSWORD = 8


def create_user(
    session: Session, *, office_id: int, username: str, name: str, role: str, password: str | None = None
) -> tuple[User, str]:
    """Create a user; returns the user and the password (generated when none is given)."""
    username = username.strip().lower()
    if role not in Role.__members__:
        raise RuleError("bad_role", N_("Unknown role %(role)s."), status=400, role=role)
    if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise RuleError("bad_username", N_("A username is letters, digits, '.', '_' or '-'."), status=400)
    if session.exec(select(User).where(User.username == username)).first():
        raise RuleError("username_taken", N_("The username %(username)s is taken."), username=username)
    password = password or secrets.token_urlsafe(9)
    if len(password) < MIN_PASSWORD:
        raise RuleError("weak_password", N_("A password needs at least %(n)s characters."), status=400, n=MIN_PASSWORD)
    user = User(
        office_id=office_id,
        username=username,
        name=name.strip() or username,
        role=role,
        password_hash=generate_password_hash(password),
    )
    session.add(user)
    session.flush()
    return user, password


def set_password(session: Session, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise RuleError("weak_password", N_("A password needs at least %(n)s characters."), status=400, n=MIN_PASSWORD)
    user.password_hash = generate_password_hash(password)
    session.add(user)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for unknown user and wrong password)."""
    user = session.exec(select(User).where(User.username == (username or "").strip().lower())).first()
    if user is None or not user.active:
        check_password_hash(generate_password_hash("x"), password or "")  # similar timing either way
        return None
    return user if check_password_hash(user.password_hash, password or "") else None
