"""Start Loket as deployed (serve.py subprocesses) on scratch databases, for the benchmark and tests/scale.

Everything here cleans up after itself: servers are killed by their own process group, scratch PostgreSQL
databases are dropped, Redis channels are unique per run (pub/sub channels leave nothing behind).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
POSTGRES_ADMIN = os.environ.get("LOKET_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("LOKET_TEST_REDIS", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_available() -> str | None:
    """None if the PostgreSQL server answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, connect_timeout=3) as c:
            c.execute("SELECT 1")
        return None
    except Exception as e:  # noqa: BLE001
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN}: {e}"


def redis_available() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
        return None
    except Exception as e:  # noqa: BLE001
        return f"Redis not reachable at {REDIS_URL}: {e}"


@contextmanager
def scratch_postgres(prefix: str = "loket_scratch"):
    """A new, empty PostgreSQL database; yields its SQLAlchemy URL and drops it afterwards."""
    import psycopg

    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def unique_channel(prefix: str = "loket-scratch") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# The benchmark's few kiosks issue hundreds of tickets a second and its officers sign in at once from one
# address: limits far above that (the production defaults are in config.toml).
BENCH_LIMITS = {
    "LOKET_RATE_TICKET": "1000000 per minute",
    "LOKET_RATE_PUBLIC": "1000000 per minute",
    "LOKET_RATE_SIGNIN": "1000000 per minute",
}


class Server:
    """`python serve.py` in its own process group, on a free port, with its output in a log file."""

    def __init__(
        self,
        *,
        database_url: str,
        workers: int = 1,
        worker_class: str = "gevent",
        message_queue: str = "",
        channel: str = "",
        log_path: str | os.PathLike = os.devnull,
        extra_env: dict | None = None,
        threads: int = 1000,
        root: Path = ROOT,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = str(log_path)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
        # No print worker unless asked: the benchmark measures the queue, and test servers must not print
        # into the repository's instance/ (bench/bench_printing.py measures printing).
        env.update(
            {
                "LOKET_DATABASE_URL": database_url,
                "LOKET_ALWAYS_OPEN": "1",
                "LOKET_PRINT_WORKER": "0",
                "LOKET_SECRET_KEY": uuid.uuid4().hex,
                **BENCH_LIMITS,
                "PYTHONUNBUFFERED": "1",
            }
        )
        if message_queue:
            env["LOKET_MESSAGE_QUEUE"] = message_queue
            env["LOKET_MESSAGE_QUEUE_CHANNEL"] = channel or unique_channel()
        env.update(extra_env or {})
        self.env = env
        self.root = Path(root)
        self.cmd = [
            PYTHON,
            str(self.root / "serve.py"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
        ]
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Server:
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.cmd, cwd=self.root, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve.py exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"serve.py did not answer /healthz within {timeout}s; see {self.log_path}")

    def pids(self) -> list[int]:
        """The gunicorn master and its workers."""
        if self.proc is None:
            return []
        pids = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            pids += [int(p) for p in children]
        except OSError:
            pass
        return pids

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group this Server started, nothing else
            self.proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        self.proc = None
        self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# The README's start path. Another change may make start.sh run serve.py instead of app.py: the helper below
# runs the script itself and hands it the port in the variables both servers read, so it keeps working.
START_COMMAND = ["bash", "start.sh"]


def wait_healthy(url: str, proc: subprocess.Popen | None, timeout: float, what: str) -> float:
    """Poll url/healthz until it answers 200 (return that moment, time.monotonic()); fail if proc exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as r:
                if r.status == 200:
                    return time.monotonic()
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{what} was not healthy within {timeout}s")


class StartScript:
    """./start.sh (set-up, migrations, demo data, the server) in its own process group, on a free port and its
    own database, as an operator starts Loket; `kill()` is `kill -9` of everything it started."""

    def __init__(
        self, *, database_url: str, log_path: str | os.PathLike, extra_env: dict | None = None, root: Path = ROOT
    ):
        self.root = Path(root)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = str(log_path)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
        env.update(
            {
                "LOKET_DATABASE_URL": database_url,
                "LOKET_HOST": "127.0.0.1",
                "LOKET_PORT": str(self.port),  # app.py
                "LOKET_BIND": f"127.0.0.1:{self.port}",  # serve.py
                "LOKET_PRINT_WORKER": "0",  # the demo printers write into the repository's instance/
                "LOKET_SECRET_KEY": uuid.uuid4().hex,
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(extra_env or {})
        self.env = env
        self.proc: subprocess.Popen | None = None
        self._log = None

    def start(self) -> float:
        """Start the script; return the moment it started (time.monotonic())."""
        self._log = open(self.log_path, "ab")
        started = time.monotonic()
        self.proc = subprocess.Popen(
            START_COMMAND,
            cwd=self.root,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return started

    def wait_healthy(self, timeout: float = 60) -> float:
        """Poll /healthz until it answers 200; return that moment (time.monotonic())."""
        return wait_healthy(self.url, self.proc, timeout, f"start.sh (see {self.log_path})")

    def kill(self) -> None:
        """kill -9 of the process group this helper started (the server and anything start.sh left running)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self.proc = None
        self._log.close()


class StartedServer(StartScript):
    """./start.sh as a context manager with `Server`'s interface (url, pids), for the load benchmark: the README's
    start measured as a newcomer runs it. Stopped with SIGTERM, as an operator stops it."""

    def __enter__(self):
        self.start()
        self.wait_healthy(timeout=300)
        return self

    def __exit__(self, *exc):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self.kill()
            return
        self.proc = None
        self._log.close()

    pids = Server.pids


def proc_stats(pid: int) -> dict:
    """RSS now and at its peak (MB), and CPU seconds used, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields = {line.split(":")[0]: line.split(":")[1].strip() for line in status.splitlines() if ":" in line}
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return {
        "pid": pid,
        "rss_mb": int(fields["VmRSS"].split()[0]) / 1024,
        "peak_rss_mb": int(fields["VmHWM"].split()[0]) / 1024,
        "cpu_s": (int(stat[11]) + int(stat[12])) / ticks,
        "system_s": int(stat[12]) / ticks,
        "threads": int(fields.get("Threads", "0")),
    }
