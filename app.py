"""The Loket application factory and Socket.IO server: read this file as the table of contents."""

from __future__ import annotations

import logging
import os
import sys

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import text

import i18n
import realtime
import security
from api.errors import refusal_json
from db import Database
from extensions import api_spec, babel, csrf, get_db, login_manager, socketio
from rules import offices
from rules.errors import N_, RuleError
from rules.privacy import ScrubFilter
from settings import ROOT, Settings, load_settings


def create_app(overrides: dict | None = None, settings: Settings | None = None) -> Flask:
    """Build the app: configuration, extensions, screens, the API, Socket.IO handlers and commands."""
    # INSTANCE_PATH (tests): another instance folder, so a test can look at every file the app wrote there.
    instance = (overrides or {}).get("INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(__name__, instance_path=instance, template_folder="templates", static_folder="static")
    settings = settings or load_settings()
    configure(app, settings, overrides or {})
    register_extensions(app, settings)
    register_screens(app)
    register_errorhandlers(app)
    register_commands(app)
    register_health(app)
    return app


def configure(app: Flask, settings: Settings, overrides: dict) -> None:
    """Flask's configuration from the validated settings; the cookies' flags and the proxy in security/."""
    secret = settings.secret_key or os.environ.get("LOKET_SECRET_KEY", "")
    if not secret:
        secret = _instance_secret(app)
    app.config.update(
        SECRET_KEY=secret,
        DATABASE_URL=settings.database_url or None,
        WTF_CSRF_TIME_LIMIT=None,  # a kiosk page stays open all day
        BABEL_DEFAULT_LOCALE=settings.app.default_language,
        BABEL_DEFAULT_TIMEZONE=settings.office.timezone,
        BABEL_TRANSLATION_DIRECTORIES=";".join(str(p) for p in i18n.translation_dirs()),
    )
    security.configure(app, settings)
    app.config.update(overrides)
    app.extensions["loket.settings"] = settings
    if not app.testing:
        configure_logging()


def _instance_secret(app: Flask) -> str:
    """A per-installation secret kept in instance/ so sessions survive restarts without configuration."""
    path = ROOT / "instance" / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        import secrets

        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def configure_logging() -> None:
    """One place for logging; every record is scrubbed of personal data."""
    root = logging.getLogger()
    if any(isinstance(f, ScrubFilter) for h in root.handlers for f in h.filters):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ScrubFilter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines are noise at every start
    for h in logging.getLogger("werkzeug").handlers:
        h.addFilter(ScrubFilter())


def register_extensions(app: Flask, settings: Settings) -> None:
    db = Database(app.config["DATABASE_URL"], **app.config.get("DATABASE_ENGINE_OPTIONS", {}))
    app.extensions["loket.db"] = db
    i18n.compile_catalogs()
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # serve.py (production) picks the async mode and, with several processes on one port, websocket only
    # (a polling session lives in one process; a websocket needs no sticky sessions). The message queue's
    # manager is built by realtime (it also carries the 'office changed' hint that lets each process update
    # the screens connected to it); None: one process, no queue.
    socketio.init_app(
        app,
        client_manager=realtime.client_manager(settings),
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE", "threading"),
        transports=app.config.get("SOCKETIO_TRANSPORTS", ["polling", "websocket"]),
        # The origin of every handshake is checked: the configured public URL(s), else the page's own origin.
        cors_allowed_origins=security.socketio_origins(settings),
        cors_credentials=False,
    )
    security.guard_sockets(socketio.server)
    realtime.init_app(app)
    from rules.requests import clock as request_clock

    request_clock.use_settings(settings)  # the working-day clock reads the office's week and holiday settings

    @app.context_processor
    def _globals():
        from flask_login import current_user

        return {
            "settings": settings,
            "current_user": current_user,
            "lang": i18n.select_locale(),
            "service_name": offices.service_name,
            "demo": settings.security.demo,
        }


def register_screens(app: Flask) -> None:
    """Every screen is a package with init_app(app): it registers its blueprints (pages and JSON endpoints), its
    Socket.IO handlers and its commands. `api` holds only what their JSON endpoints share (the OpenAPI document)."""
    import admin
    import api
    import auth
    import counter
    import devices
    import display
    import kiosk
    import mail
    import online
    import phone
    import printer
    import privacy
    import supervisor
    import treasurer
    import verify

    for screen in (
        api,
        auth,
        devices,
        kiosk,
        online,
        counter,
        treasurer,
        display,
        supervisor,
        phone,
        verify,
        printer,
        mail,
        privacy,
        admin,
    ):
        screen.init_app(app)
    api_spec.register(app)
    # Headers, input guards and rate limits wrap what the screens registered.
    security.init_app(app, app.extensions["loket.settings"])

    @app.route("/")
    def index():
        from flask_login import current_user

        from auth.roles import staff_screens

        role = current_user.role if current_user.is_authenticated else None
        return render_template("index.html", staff_screens=staff_screens(role))


def register_errorhandlers(app: Flask) -> None:
    def wants_json() -> bool:
        return request.path.startswith("/api/") or request.is_json

    @app.errorhandler(RuleError)
    def _rule_error(err: RuleError):
        body = refusal_json(err)
        if wants_json():
            return jsonify(body), err.status
        return render_template("error.html", message=body["message"]), err.status

    @app.errorhandler(CSRFError)
    def _csrf_error(err):
        message = _("This form has expired. Reload the page and try again.")
        if wants_json():
            return jsonify(error="csrf", message=message), 400
        return render_template("error.html", message=message), 400

    @app.errorhandler(429)
    def _too_many(err):
        from security.limits import retry_after

        message = _("Too many requests. Wait a moment and try again.")
        if wants_json():
            resp = jsonify(error="rate_limited", message=message)
        else:
            resp = app.make_response(render_template("error.html", message=message))
        resp.status_code = 429
        resp.headers["Retry-After"] = str(retry_after())
        return resp

    for status, text_ in (
        (404, N_("Not found.")),
        (405, N_("Method not allowed.")),
        (413, N_("The request is too large.")),
        (500, N_("Something went wrong.")),
    ):

        def handler(err, status=status, text_=text_):
            if wants_json():
                return jsonify(error=str(status), message=_(text_)), status
            return render_template("error.html", message=_(text_)), status

        app.register_error_handler(status, handler)


def register_commands(app: Flask) -> None:
    from commands import register

    register(app)


def register_health(app: Flask) -> None:
    @app.route("/healthz")
    def healthz():
        try:
            with get_db().read() as s:
                s.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001
            return jsonify(status="error", database="unreachable"), 503
        return jsonify(status="ok")

    csrf.exempt(healthz)


def main(argv: list[str] | None = None) -> None:
    """`python app.py`: the production server (serve.py, one gevent process) on LOKET_HOST:LOKET_PORT (default
    127.0.0.1:5000), as ./start.sh runs it. `python app.py --dev`: the development server (Werkzeug), only when
    asked for by name."""
    argv = sys.argv[1:] if argv is None else argv
    host = os.environ.get("LOKET_HOST", "127.0.0.1")
    port = int(os.environ.get("LOKET_PORT", "5000"))
    if "--dev" not in argv:
        # A fresh interpreter: gevent must patch the standard library before the application is imported, and
        # this module has imported Flask already. serve.py imports nothing of the application before patching.
        serve = str(ROOT / "serve.py")
        os.execv(sys.executable, [sys.executable, serve, "--bind", f"{host}:{port}", *argv])
    run_development_server(host, port)


def run_development_server(host: str, port: int) -> None:
    """Werkzeug + simple-websocket, one thread per connection: for working on Loket, never for an office."""
    from serve import checked_app

    app = checked_app()
    print(
        f"Loket for {app.extensions['loket.settings'].office.name}: http://{host}:{port}/ (DEVELOPMENT server)",
        flush=True,
    )
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False, log_output=False)


if __name__ == "__main__":
    main()
