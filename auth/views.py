"""Sign-in and sign-out pages."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from auth import bp
from auth.forms import LoginForm
from auth.roles import StaffUser, home_for
from extensions import get_db
from rules.users import authenticate

log = logging.getLogger(__name__)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        with get_db().read() as s:
            user = authenticate(s, form.username.data, form.password.data)
        if user is None:
            log.info("failed sign-in for %s", form.username.data)
            error = _("Wrong username or password.")
        else:
            login_user(StaffUser(user))
            nxt = _safe_next(request.args.get("next"))
            return redirect(nxt if nxt and nxt.rstrip("?") != "/" else home_for(user))
    return render_template("auth/login.html", form=form, error=error), (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/forbidden")
def forbidden():
    return render_template("auth/forbidden.html"), 403
