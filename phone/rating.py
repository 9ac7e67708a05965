"""The satisfaction survey page (/rate/<token>): the 9 SKM elements on the 1-4 scale, on a counter tablet or the
visitor's phone. Works without JavaScript (a plain form post)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from api.errors import refusal_message
from extensions import get_db
from phone.api import rating_form_json
from rules import ikm as ikm_rules
from rules.errors import RuleError

bp = Blueprint("rating", __name__, template_folder="templates")


@bp.route("/rate/<token>", methods=["GET", "POST"])
def rate(token: str):
    """The SKM survey; a refused answer is shown on the form with what was chosen kept."""
    error, done, chosen = "", False, {}
    if request.method == "POST":
        chosen = {c: request.form.get(c, "") for c in ikm_rules.CODES}
        scores = {c: int(v) if v.isdigit() else None for c, v in chosen.items()}
        channel = request.form.get("channel", "")
        try:
            with get_db().write() as s:
                ikm_rules.rate(
                    s, rating_token=token, scores=scores, comment=request.form.get("comment", ""), channel=channel
                )
            done = True
        except RuleError as err:
            if err.status == 404:
                raise
            error = refusal_message(err)
    with get_db().read() as s:
        form = rating_form_json(s, token)
    return render_template(
        "phone/rate.html",
        form=form,
        token=token,
        error=error,
        done=done,
        chosen=chosen,
        channel=request.args.get("channel", request.form.get("channel", "phone")),
    )
