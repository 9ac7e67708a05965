"""The public check of a printed invoice or receipt (/verify/<token>, the QR code on the paper)."""

from verify.views import bp


def init_app(app) -> None:
    app.register_blueprint(bp)
