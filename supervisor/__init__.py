"""The supervisor's screens: the live wall view (counters, queues, the 10-minute limit) and the reports.

Pages and exports in views.py, the live view's data in live.py and its Socket.IO handler in events.py, reports'
presentation in present.py, charts.py, export.py and pdf.py, the command in commands.py.
"""

from flask import Blueprint

bp = Blueprint("supervisor", __name__, template_folder="templates", static_folder="static")

from supervisor import views  # noqa: F401


def init_app(app) -> None:
    from supervisor import commands, events

    app.register_blueprint(bp, url_prefix="/supervisor")
    commands.register(app)
    events.register()
