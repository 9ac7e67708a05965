"""The pairing page a kiosk opens (/kiosk/pair): type the code staff made, get the device's cookie."""

from __future__ import annotations

import logging

from flask import redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from api.errors import refusal_message
from devices import bp
from devices.web import current_device, set_device_cookie
from extensions import get_db
from models import Office
from rules import devices
from rules.errors import RuleError

log = logging.getLogger(__name__)


class PairForm(FlaskForm):
    code = StringField("code", validators=[DataRequired(), Length(max=20)])


@bp.route("/kiosk/pair", methods=["GET", "POST"])
def pair():
    """Show whether this browser is a paired device; pair it with a one-time code."""
    form = PairForm()
    error = None
    if form.validate_on_submit():
        try:
            with get_db().write() as s:
                device, token = devices.pair(s, code=form.code.data)
                office = s.get(Office, device.office_id)
                where = f"/{'kiosk' if device.kind == 'kiosk' else 'display'}/{office.code}"
                log.info("device %s paired (%s, station %s)", device.id, device.kind, device.station or "-")
        except RuleError as e:
            error = refusal_message(e)
        else:
            return set_device_cookie(redirect(where), token)
    elif request.method == "POST":
        error = _("Type the pairing code.")
    with get_db().read() as s:
        device = current_device(s)
        paired = {"label": device.label, "station": device.station, "kind": device.kind} if device is not None else None
    return render_template("devices/pair.html", form=form, error=error, paired=paired), (400 if error else 200)
