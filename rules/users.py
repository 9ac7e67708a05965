"""Staff accounts: creation with hashed passwords and the password policy, sign-in checks, changing and
resetting passwords, deactivation. Changing a password, a reset and deactivation end every session of the user."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select
from werkzeug.security import check_password_hash as _check_hash
from werkzeug.security import generate_password_hash as _make_hash

from blocking import off_loop
from clock import utcnow
from models import Office, Role, User
from rules import passwords, sessions, signin
from rules.errors import N_, NotFound, RuleError

# The demo accounts ./start.sh creates (manage.py seed-demo), each with the password '<username>-demo'.
DEMO_USERNAMES = ("petugas1", "petugas2", "bendahara", "pengawas", "admin")


def demo_password(username: str) -> str:
    """The demo password of a demo account."""
    return f"{username}-demo"


def _context(session: Session, *, username: str, name: str, office_id: int) -> passwords.Context:
    """The words an account's password must not be built from."""
    office = session.get(Office, office_id)
    names = (office.name, office.short_name, office.code) if office else ()
    return passwords.Context(username=username, name=name, office_names=tuple(n for n in names if n))


def create_user(
    session: Session,
    *,
    office_id: int,
    username: str,
    name: str,
    role: str,
    password: str | None = None,
    min_length: int = passwords.MIN_LENGTH,
    enforce_policy: bool = True,
) -> tuple[User, str]:
    """Create a user; returns the user and the password (generated when none is given).

    enforce_policy=False is for the demo accounts only (manage.py seed-demo, tests): the production start
    refuses to run while any of them keeps its demo password."""
    username = username.strip().lower()
    if role not in Role.__members__:
        raise RuleError("bad_role", N_("Unknown role %(role)s."), status=400, role=role[:32])
    if (
        not username
        or len(username) > 64
        or not username.isascii()
        or not username.replace(".", "").replace("_", "").replace("-", "").isalnum()
    ):
        raise RuleError("bad_username", N_("A username is letters, digits, '.', '_' or '-'."), status=400)
    if session.exec(select(User).where(User.username == username)).first():
        raise RuleError("username_taken", N_("The username %(username)s is taken."), username=username)
    name = " ".join((name or "").split()) or username
    password = password or passwords.generate()
    if enforce_policy:
        passwords.check(
            password, _context(session, username=username, name=name, office_id=office_id), min_length=min_length
        )
    user = User(
        office_id=office_id,
        username=username,
        name=name[:120],
        role=role,
        password_hash=generate_password_hash(password),
    )
    session.add(user)
    session.flush()
    return user, password


def get_user(session: Session, username: str) -> User:
    """The account with this username (404 when there is none)."""
    user = session.exec(select(User).where(User.username == (username or "").strip().lower())).first()
    if user is None:
        raise NotFound("user_not_found", N_("No such user."))
    return user


def set_password(
    session: Session,
    user: User,
    password: str,
    *,
    min_length: int = passwords.MIN_LENGTH,
    reason: str = "password_changed",
    must_change: bool = False,
    now: datetime | None = None,
) -> None:
    """Give the user a new password (the policy applies) and end every session they have."""
    passwords.check(
        password,
        _context(session, username=user.username, name=user.name, office_id=user.office_id),
        min_length=min_length,
    )
    now = now or utcnow()
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = now
    user.must_change_password = must_change
    session.add(user)
    sessions.end_all(session, user.id, reason, now=now)


def change_own_password(
    session: Session, user: User, *, current: str, new: str, min_length: int = passwords.MIN_LENGTH
) -> None:
    """The user changes their own password: the current one first, and the new one must differ."""
    if not check_password_hash(user.password_hash, current or ""):
        raise RuleError("wrong_password", N_("The current password is wrong."), status=403)
    if current == new:
        raise RuleError("same_password", N_("Choose a password different from the current one."), status=400)
    set_password(session, user, new, min_length=min_length)


def reset_password(session: Session, user: User, *, password: str | None = None, now: datetime | None = None) -> str:
    """An administrator's reset: a temporary password (generated unless given) that must be changed at the next
    sign-in; every session ends and the account's failed sign-ins are cleared. Returns the temporary password."""
    now = now or utcnow()
    password = password or passwords.generate()
    set_password(session, user, password, reason="password_reset", must_change=True, now=now)
    signin.record(session, username=user.username, address="", outcome="reset", now=now)
    return password


def set_active(session: Session, user: User, active: bool, *, now: datetime | None = None) -> None:
    """Activate or deactivate an account; deactivation ends every session at once."""
    user.active = active
    session.add(user)
    if not active:
        sessions.end_all(session, user.id, "deactivated", now=now)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for unknown user and wrong password)."""
    user = session.exec(select(User).where(User.username == (username or "").strip().lower())).first()
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password or "")  # similar timing either way
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


_DUMMY_HASH = _make_hash("not a password of anyone")


def demo_password_accounts(session: Session) -> list[str]:
    """The active demo accounts that still have their demo password (the production start refuses them)."""
    found = []
    for user in session.exec(select(User).where(User.username.in_(DEMO_USERNAMES), User.active.is_(True))):
        if check_password_hash(user.password_hash, demo_password(user.username)):
            found.append(user.username)
    return sorted(found, key=DEMO_USERNAMES.index)


def generate_password_hash(password: str) -> str:
    """scrypt, off the event loop (blocking.py): ~70 ms of CPU that would otherwise pause the process."""
    return off_loop(_make_hash, password)


def check_password_hash(password_hash: str, password: str) -> bool:
    """The password check, off the event loop like the hash."""
    return off_loop(_check_hash, password_hash, password)
