"""Staff sign-in and roles: the sign-in pages (views.py) and endpoints (api.py), the role check (roles.py)."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from auth import views  # noqa: F401


def init_app(app) -> None:
    from auth.api import bp as api_bp

    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
