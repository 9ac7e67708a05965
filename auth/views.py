"""Sign-in and sign-out pages, and the page where a user changes their own password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from api.errors import refusal_message
from auth import bp
from auth import signin as signin_flow
from auth.forms import ChangePasswordForm, LoginForm
from auth.roles import home_for, sign_in
from auth.signin import attempt
from extensions import get_db, get_settings
from rules import sessions
from rules.errors import RuleError


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; a user whose password was reset goes to the password page first."""
    form = LoginForm()
    error = None
    status = 200
    headers = {}
    if form.validate_on_submit():
        outcome = attempt(form.username.data, form.password.data)
        if outcome.user is None:
            error, status = outcome.message, outcome.status
            if outcome.retry_after:
                headers["Retry-After"] = str(outcome.retry_after)
        else:
            staff = sign_in(outcome.user)
            nxt = _safe_next(request.args.get("next"))
            if staff.must_change_password or not nxt or nxt.rstrip("?") == "/":
                return redirect(home_for(staff))
            return redirect(nxt)
    return render_template("auth/login.html", form=form, error=error), status, headers


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out: every session of this user ends, here and on any other browser."""
    if current_user.is_authenticated:
        with get_db().write() as s:
            sessions.end_all(s, current_user.id, "logout")
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """Change your own password (required after an administrator's reset); every other session ends."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    form = ChangePasswordForm()
    error = None
    if form.validate_on_submit():
        if form.new_password.data != form.confirm.data:
            error = _("The two new passwords differ.")
        else:
            try:
                outcome = signin_flow.change_password(
                    current_user.id, form.current_password.data, form.new_password.data
                )
            except RuleError as e:
                error = refusal_message(e)
            else:
                if outcome.user is None:
                    error = outcome.message
                else:
                    staff = sign_in(outcome.user)  # this browser stays signed in, with a new session
                    return redirect(home_for(staff))
    elif request.method == "POST":
        error = _("Fill in every field.")
    return render_template(
        "auth/password.html",
        form=form,
        error=error,
        forced=current_user.must_change_password,
        min_length=get_settings().security.min_password_length,
    ), (400 if error else 200)


@bp.route("/forbidden")
def forbidden():
    return render_template("auth/forbidden.html"), 403
