"""The treasurer's screen (/treasurer/): confirm payments by their NTPN and issue receipts. Treasurer role only."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from auth.roles import TREASURER_ROLES, roles_required
from extensions import get_db
from models import Office

bp = Blueprint("treasurer", __name__, template_folder="templates")


@bp.route("/")
@roles_required(*TREASURER_ROLES)
def home():
    """Payments waiting for confirmation, paid invoices waiting for a receipt, invoices still open; search."""
    with get_db().read() as s:
        office = s.get(Office, current_user.office_id)
    return render_template("treasurer/treasurer.html", office=office)
