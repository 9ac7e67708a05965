"""Running an office from the browser (admin role; supervisors may read): the office's details and complaint
channels, services, counters, opening hours and special days, staff accounts, printers and stations, paired
devices, the audit of every change, and the configuration as TOML (download and `manage.py export-config`).

- views.py: the pages under /admin/; api.py: the JSON endpoints under /api/admin/ (shapes in schemas.py);
- live.py: every server process lays the office's set-up from the database over its settings (hours, holidays,
  complaint channels, counters' printers) and screens hear of each change through realtime.publish;
- commands.py: `manage.py export-config`.
The rules: rules/office_setup.py, rules/catalog.py, rules/staff.py, rules/calendar_setup.py, rules/audit.py,
rules/config_export.py (docs/ADMIN.md).
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates", static_folder="static")

from admin import views  # noqa: F401


def init_app(app) -> None:
    """Register the pages, the JSON endpoints, the live set-up and the export command."""
    from admin import commands, live
    from admin.api import bp as api_bp

    app.register_blueprint(bp, url_prefix="/admin")
    # The addresses an office admin tries first lead to the admin screens.
    from flask import redirect

    app.add_url_rule("/settings", "admin_settings", lambda: redirect("/admin/office"))
    app.add_url_rule("/users", "admin_users", lambda: redirect("/admin/staff"))
    app.register_blueprint(api_bp)
    live.init_app(app)
    commands.register(app)
