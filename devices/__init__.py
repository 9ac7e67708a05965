"""Registered kiosks and wall displays: pairing a device with a one-time code (the page /kiosk/pair, the staff
endpoint that makes a code, `manage.py pair-device`), and knowing which device a request comes from (web.py).

The rules live in rules/devices.py. Admin screens to list, pair and revoke devices come later; the endpoints
here are what they will call.
"""

from flask import Blueprint

bp = Blueprint("devices", __name__, template_folder="templates")

from devices import views  # noqa: F401


def init_app(app) -> None:
    from devices.api import bp as api_bp
    from devices.commands import register

    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    register(app)
