"""What the production start refuses: a placeholder or short secret key, and demo accounts that still have their
demo passwords (outside the demo). `python app.py` and `serve.py` run these checks before serving; so does
`python manage.py check-production`. Each problem is one sentence that says what to do."""

from __future__ import annotations

import re

from flask import Flask

# Words that mark a value copied from an example rather than generated.
PLACEHOLDER = re.compile(r"change[-_ ]?me|replace|example|placeholder|secret|default|your[-_]|xxxx|todo", re.I)
MIN_SECRET = 32
GENERATE = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


def secret_key_problem(secret: str) -> str | None:
    """Why this secret key may not sign sessions in production, or None."""
    if len(secret) < MIN_SECRET:
        return (
            f"LOKET_SECRET_KEY is too short ({len(secret)} characters; at least {MIN_SECRET}): session cookies "
            f"signed with it can be forged. Set it to the output of {GENERATE}, or remove it so that Loket keeps "
            "a generated key in instance/secret_key."
        )
    if PLACEHOLDER.search(secret) or len(set(secret)) < 10:
        return (
            "LOKET_SECRET_KEY is a placeholder (as in deploy/loket.env.example), so anyone can sign a session "
            f"cookie with it. Set it to the output of {GENERATE} (the same value on every host), or remove it so "
            "that Loket keeps a generated key in instance/secret_key."
        )
    return None


def demo_password_problem(accounts: list[str]) -> str | None:
    """The sentence for demo accounts that still have their demo passwords, or None."""
    if not accounts:
        return None
    names = ", ".join(accounts)
    return (
        f"The demo account(s) {names} still have their demo passwords (printed in the README), so anyone can sign "
        "in with them. Give each a new password (python manage.py reset-password USERNAME) or deactivate it "
        "(python manage.py set-active USERNAME --inactive). For a demo, set LOKET_DEMO=1 as ./start.sh does."
    )


def problems(app: Flask) -> list[str]:
    """Everything that stops this app from serving in production (empty: it may start)."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from rules.users import demo_password_accounts

    settings = app.extensions["loket.settings"]
    found = []
    if settings.secret_key:
        found.append(secret_key_problem(settings.secret_key))
    if not settings.security.demo:
        try:
            with app.extensions["loket.db"].read() as s:
                found.append(demo_password_problem(demo_password_accounts(s)))
        except (OperationalError, ProgrammingError):
            pass  # no tables yet: no accounts either
    return [p for p in found if p]


def banner(app: Flask) -> str:
    """What the start prints about the mode it runs in."""
    if app.extensions["loket.settings"].security.demo:
        return "DEMO (LOKET_DEMO=1): demo passwords allowed, kiosks paired automatically. Not for real use."
    return ""
