"""Everything that ends on paper or in a PDF: thermal slips (ESC/POS), A4 PDFs, and the print queue.

`init_app(app)` validates the [printers]/[stations] configuration (a bad one stops start-up naming the
key), registers the printer pages and API (blueprint in printer/views.py) and the print commands.
"""

from printer import escpos_cache

escpos_cache.prepare()  # before any module of this package imports python-escpos: no temp folder per process


def init_app(app) -> None:
    from printer import config
    from printer.commands import register
    from printer.views import bp

    app.extensions["loket.printing"] = config.load(app.extensions["loket.settings"])
    app.register_blueprint(bp)
    register(app)
