"""The online channel's public pages (the standard's "cara online"): the office's request page at /online/<code>
(tariff sheet with prices, products and the form each needs, the abstract for microdata and maps, the sale terms,
the NPWP for private buyers) and the visitor's own page of a request without a ticket at /o/<token>, reached
by the link e-mailed to the address they gave (which proves it): steps, papers, uploads, corrections, rating.

Pages in pages.py, JSON endpoints in api.py (shapes in schemas.py), scripts in static/.
"""

from flask import Blueprint

bp = Blueprint(
    "online", __name__, template_folder="templates", static_folder="static", static_url_path="/online-static"
)

from online import pages  # noqa: F401


def init_app(app) -> None:
    """Register the pages and the JSON endpoints."""
    from online.api import bp as api_bp

    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
