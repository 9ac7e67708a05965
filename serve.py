"""The production server, the one Loket has: `./start.sh` and `python app.py` run it (see docs/DEPLOY.md).

    python serve.py                          # one gevent process, SQLite or PostgreSQL, on 127.0.0.1:8000
    LOKET_DATABASE_URL=postgresql+psycopg://loket@/loket LOKET_MESSAGE_QUEUE=redis://127.0.0.1:6379/0 \
        python serve.py --workers 4          # four gunicorn processes sharing PostgreSQL and Redis

Each process also runs the print worker, the mail worker and the daily purge (one of each sends at a time).

One process (an office on SQLite) is gevent's WSGI server with no master process: gevent patches the standard
library, then the application is imported and served. Several processes are gunicorn's gevent (or gthread)
workers; gunicorn configured in code, so one command starts everything. Websockets through simple-websocket.
docs/DEPLOY.md has the measurements behind gevent. With several workers the Socket.IO server speaks websocket
only, so any worker can take any connection and no sticky sessions are needed.

This module imports nothing of the application before gevent has patched the standard library: each worker
(or the one process) imports Flask, SQLAlchemy, psycopg and redis itself, afterwards.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from rules.privacy import ScrubFilter
from settings import ROOT, ConfigError, load_settings

WORKER_CLASSES = {"gevent": "gevent", "gthread": "gthread"}
ASYNC_MODES = {"gevent": "gevent", "gthread": "threading"}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ
    p = argparse.ArgumentParser(description="Run Loket in production (gunicorn).")
    p.add_argument(
        "--bind",
        default=env.get("LOKET_BIND", "127.0.0.1:8000"),
        help="address:port to listen on (env LOKET_BIND; default 127.0.0.1:8000, behind nginx)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=int(env.get("LOKET_WORKERS", "1")),
        help="server processes (env LOKET_WORKERS; more than 1 needs PostgreSQL and Redis)",
    )
    p.add_argument(
        "--worker-class",
        choices=sorted(WORKER_CLASSES),
        default=env.get("LOKET_WORKER_CLASS", "gevent"),
        help="gevent (default) or gthread (env LOKET_WORKER_CLASS); docs/DEPLOY.md has the measurements",
    )
    p.add_argument(
        "--gunicorn",
        action="store_true",
        default=env.get("LOKET_GUNICORN", "") == "1",
        help="one gevent process under a gunicorn master too (default: without one; more than one process "
        "always runs under gunicorn; env LOKET_GUNICORN=1)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=int(env.get("LOKET_THREADS", "1000")),
        help="gthread only: threads per process = open connections (websockets) it can hold",
    )
    p.add_argument(
        "--connections",
        type=int,
        default=int(env.get("LOKET_WORKER_CONNECTIONS", "10000")),
        help="gevent only: open connections per process",
    )
    p.add_argument(
        "--snapshot-interval",
        type=float,
        default=float(env.get("LOKET_SNAPSHOT_INTERVAL_MS", "500")),
        help="ms: at most one queue snapshot per office per interval and process (calls are never "
        "delayed); 0 sends one after every change (env LOKET_SNAPSHOT_INTERVAL_MS)",
    )
    p.add_argument(
        "--phone-interval",
        type=float,
        default=float(env.get("LOKET_PHONE_INTERVAL_MS", "2000")),
        help="ms: at most one update of the visitors' phones per office per interval and process (their "
        "own call is never delayed; env LOKET_PHONE_INTERVAL_MS)",
    )
    p.add_argument(
        "--snapshot-settle",
        type=float,
        default=float(env.get("LOKET_SNAPSHOT_SETTLE_MS", "50")),
        help="ms: a snapshot (and the phones' update) waits this long after the change that asked for "
        "it, so calls made together go out first and share one snapshot (env "
        "LOKET_SNAPSHOT_SETTLE_MS)",
    )
    p.add_argument(
        "--access-log",
        action="store_true",
        default=env.get("LOKET_ACCESS_LOG", "") == "1",
        help="log every request (env LOKET_ACCESS_LOG=1)",
    )
    return p.parse_args(argv)


def check(settings, workers: int) -> str | None:
    """Why this configuration cannot run, or None. SQLite keeps Loket to one process."""
    url = settings.database_url or ""
    if workers < 1:
        return "--workers must be at least 1"
    if workers > 1 and (not url or url.startswith("sqlite")):
        return (
            "SQLite allows one server process only (one writer, one set of rooms). For several processes "
            "set LOKET_DATABASE_URL=postgresql+psycopg://... and LOKET_MESSAGE_QUEUE=redis://..."
        )
    if workers > 1 and not settings.message_queue:
        return (
            "several server processes need a message queue so that a call made in one reaches the screens "
            "connected to another: set LOKET_MESSAGE_QUEUE=redis://127.0.0.1:6379/0"
        )
    return None


def ensure_secret() -> None:
    """Create instance/secret_key once, here, before the workers start: they must all sign with one key.

    app._instance_secret() reads the same file; without this, the first workers could each write their own.
    """
    if os.environ.get("LOKET_SECRET_KEY"):
        return
    path = ROOT / "instance" / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))


def production_check() -> int:
    """`manage.py check-production` in a child process (this one imports no application code): a placeholder
    secret key or demo passwords outside the demo stop the start with a sentence saying what to do."""
    import subprocess

    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "check-production"], cwd=ROOT).returncode


def app_overrides(
    worker_class: str,
    workers: int,
    database_url: str,
    snapshot_interval_ms: float = 0,
    snapshot_settle_ms: float = 0,
    phone_interval_ms: float = 0,
) -> dict:
    """What the production app changes from the development defaults."""
    postgres = database_url.startswith("postgresql")
    return {
        "SNAPSHOT_MIN_INTERVAL": snapshot_interval_ms / 1000,
        "PHONE_MIN_INTERVAL": phone_interval_ms / 1000,
        "SNAPSHOT_SETTLE": snapshot_settle_ms / 1000,
        "SOCKETIO_ASYNC_MODE": ASYNC_MODES[worker_class],
        # One process may keep polling (proxies without websockets); several: websocket only, no stickiness.
        "SOCKETIO_TRANSPORTS": ["websocket"] if workers > 1 else ["polling", "websocket"],
        # A process keeps up to 15 connections open and opens at most 5 more for a burst. A pool smaller than
        # the threads that use the database at once opened and closed a PostgreSQL connection (a backend
        # process) for nearly every request under load; beyond 20 a request waits for a free connection.
        # PostgreSQL's default max_connections (100) takes 4 processes x 20, plus room for the rest.
        "DATABASE_ENGINE_OPTIONS": {"pool_size": 15, "max_overflow": 5, "pool_timeout": 30} if postgres else {},
    }


class ScrubbedLogger(Logger):
    """gunicorn's logs with every line scrubbed like the application's: no link tokens, search terms, e-mails or
    phone numbers in the access log, control characters escaped."""

    def setup(self, cfg):
        """gunicorn's logging, each handler with the scrubbing filter."""
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            for handler in log.handlers:
                if not any(isinstance(f, ScrubFilter) for f in handler.filters):
                    handler.addFilter(ScrubFilter())


class LoketServer(BaseApplication):
    """gunicorn, configured in code so that one command starts everything."""

    def __init__(self, options: dict, overrides: dict, settings):
        self.options = options
        self.overrides = overrides
        self.settings = settings  # read once in the master; each worker inherits it
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Runs in each worker, after gevent's monkey-patching.
        keep_client_libraries_out(self.settings)
        from app import create_app

        app = create_app(dict(self.overrides))
        start_background_work(app)
        return app


# python-socketio imports its clients' HTTP and websocket libraries whenever they are installed (the test and
# benchmark set installs them): 13-18 MB in every server process, which never opens a client connection.
CLIENT_LIBRARIES = ("aiohttp", "requests", "websocket")


def keep_client_libraries_out(settings) -> None:
    """Mark the libraries the server never uses as absent (their `import` fails, as where only the runtime
    requirements are installed); Redis too when neither the message queue nor the rate limits use it."""
    uses_redis = settings.message_queue or "redis" in (settings.security.rate_limit_storage or "")
    for name in CLIENT_LIBRARIES + (() if uses_redis else ("redis",)):
        if name not in sys.modules:
            sys.modules[name] = None


def start_background_work(app) -> None:
    """The threads every server process runs beside the web: printing, e-mail and the daily purge."""
    from mail.worker import start_in_process as start_mail_worker
    from printer.worker import start_in_process
    from privacy import scheduler

    # The print worker, as a thread of every server process: its lease lets one of them send at a time, and
    # another takes over when that process ends (at once on this host, else after the lease time).
    # LOKET_PRINT_WORKER=0 leaves printing to `manage.py print-worker` (e.g. printers on another host).
    start_in_process(app)
    start_mail_worker(app)  # the same for the e-mail outbox (LOKET_MAIL_WORKER=0: `manage.py mail-worker`)
    scheduler.start_in_process(app)  # the daily personal-data purge: every process looks, one claims the day


def serve_one_process(args: argparse.Namespace, settings) -> None:
    """One gevent process, no gunicorn master: what ./start.sh runs (an office on SQLite).

    gevent patches the standard library before the application is imported, so that every lock and socket the
    application creates is cooperative. The production checks run in this process (not `manage.py
    check-production` in a child): one application start instead of two keeps a restart under 2 s.
    """
    from gevent import monkey

    monkey.patch_all()
    keep_client_libraries_out(settings)
    app = checked_app(
        app_overrides(
            "gevent", 1, settings.database_url or "", args.snapshot_interval, args.snapshot_settle, args.phone_interval
        )
    )
    host, _, port = args.bind.rpartition(":")
    print(
        f"Loket for {app.extensions['loket.settings'].office.name}: http://{args.bind}/ "
        f"(1 gevent process, database {(settings.database_url or 'sqlite (instance/loket.db)').split('@')[-1]})",
        flush=True,
    )
    listen(app, host or "127.0.0.1", int(port), args.access_log)


def checked_app(overrides: dict | None = None):
    """The application as a server runs it: built, refused with a sentence per problem (a placeholder secret key,
    demo passwords outside the demo), the demo banner printed, its background work started."""
    from app import create_app
    from security.startup import banner, problems

    try:
        app = create_app(overrides)
    except ConfigError as e:
        sys.exit(str(e))
    refused = problems(app)
    if refused:
        sys.exit("\n".join(f"Loket will not start: {p}" for p in refused))
    if banner(app):
        print(banner(app), flush=True)
    start_background_work(app)
    return app


def listen(app, host: str, port: int, access_log: bool) -> None:
    """gevent's WSGI server on a listening socket with TCP_NODELAY (inherited by every connection): without it, a
    response written in two parts waited for the client's delayed ACK, 40 ms a request. Websockets through
    simple-websocket (engineio's gevent driver)."""
    import socket

    from gevent import pywsgi

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host.strip("[]"), port))
    sock.listen(1024)
    # Through the application's logging: every line scrubbed of personal data (app.configure_logging).
    log = logging.getLogger("loket.access") if access_log else None
    server = pywsgi.WSGIServer(sock, app, log=log, error_log=logging.getLogger("loket.server"))
    signals(server)
    server.serve_forever()


def signals(server) -> None:
    """TERM/INT: stop taking connections and give open requests 5 s (screens reconnect to the next start).
    HUP: the same, then run again in place (new code and configuration; systemd's reload, as gunicorn's HUP)."""
    import signal

    import gevent

    def stop(then_restart: bool) -> None:
        logging.getLogger("loket.server").info("stopping%s", " to restart" if then_restart else "")
        server.stop(timeout=5)
        if then_restart:
            os.execv(sys.executable, [sys.executable, *sys.argv])

    gevent.signal_handler(signal.SIGTERM, stop, False)
    gevent.signal_handler(signal.SIGINT, stop, False)
    gevent.signal_handler(signal.SIGHUP, stop, True)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    try:
        settings = load_settings()
    except ConfigError as e:
        sys.exit(str(e))
    problem = check(settings, args.workers)
    if problem:
        sys.exit(f"serve.py: {problem}")
    ensure_secret()
    if args.workers == 1 and args.worker_class == "gevent" and not args.gunicorn:
        serve_one_process(args, settings)
        return
    refused = production_check()
    if refused:
        sys.exit(refused)
    options = {
        "bind": args.bind,
        "workers": args.workers,
        "worker_class": WORKER_CLASSES[args.worker_class],
        "threads": args.threads if args.worker_class == "gthread" else 1,
        "worker_connections": args.connections,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        # Behind nginx on the same host: trust its X-Forwarded-* headers.
        "forwarded_allow_ips": os.environ.get("LOKET_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "accesslog": "-" if args.access_log else None,
        "logger_class": ScrubbedLogger,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "loket",
        # No runtime control socket: one fixed path per user would clash between several servers on a host.
        "control_socket_disable": True,
    }
    db = settings.database_url or "sqlite (instance/loket.db)"
    print(
        f"Loket: {args.workers} {args.worker_class} process(es) on http://{args.bind}/ "
        f"database {db.split('@')[-1]} message queue {settings.message_queue or 'none'}",
        flush=True,
    )
    LoketServer(
        options,
        app_overrides(
            args.worker_class,
            args.workers,
            settings.database_url or "",
            args.snapshot_interval,
            args.snapshot_settle,
            args.phone_interval,
        ),
        settings,
    ).run()


if __name__ == "__main__":
    main()
