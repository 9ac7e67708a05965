"""The treasurer's page: payments waiting for confirmation, paid invoices waiting for a receipt, open invoices."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from auth.roles import roles_required
from extensions import get_db
from models import Office
from rules.roles import TREASURER_ROLES

bp = Blueprint("treasurer", __name__, template_folder="templates", static_folder="static")


@bp.route("/")
@roles_required(*TREASURER_ROLES)
def home():
    """Payments waiting for confirmation, paid invoices waiting for a receipt, invoices still open; search."""
    with get_db().read() as s:
        office = s.get(Office, current_user.office_id)
    return render_template("treasurer/treasurer.html", office=office)
