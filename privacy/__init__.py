"""The rights screen (UU 27/2022 PDP), for the head of the PST unit: find a person, see everything held about them,
export it (JSON, PDF), correct it, merge two records, erase it (keeping what state-finance rules require), and see
who read whose data. The daily personal-data purge and its command live here too.

Pages in views.py, JSON endpoints in api.py (shapes in schemas.py), the script in static/privacy.js, the command
in commands.py, the daily run in scheduler.py. The rules: rules/personal_data.py, rules/erasure.py,
rules/retention.py, rules/access_log.py, and the table registry rules/personal_registry.py.
"""

from flask import Blueprint

bp = Blueprint("privacy", __name__, template_folder="templates", static_folder="static")

from privacy import views  # noqa: F401


def init_app(app) -> None:
    """Register the pages, the JSON endpoints and the purge command."""
    from privacy import commands
    from privacy.api import bp as api_bp

    app.register_blueprint(bp, url_prefix="/privacy")
    app.register_blueprint(api_bp)
    commands.register(app)
