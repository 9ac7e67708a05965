"""Database engine and sessions: SQLite (WAL) by default, any SQLAlchemy URL otherwise."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from settings import DEFAULT_SQLITE, default_database_url

__all__ = ["DEFAULT_SQLITE", "Database", "default_url", "make_engine"]


def default_url() -> str:
    """The database when none is configured (settings.default_database_url)."""
    return default_database_url()


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """Create an engine; for SQLite set WAL, a busy timeout and write transactions that take the lock first."""
    url = url or default_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        # Deleted and overwritten content is zeroed, not left in free space: personal data that was erased,
        # anonymised or merely updated (a print job's row is rewritten at each state) is gone from the file.
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A write transaction takes the write lock at BEGIN, so two writers queue on the busy
        # timeout instead of deadlocking on a read-to-write upgrade. Readers stay concurrent (WAL).
        if conn.get_execution_options().get("loket_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class Database:
    """An engine plus the two kinds of session the application uses."""

    def __init__(self, url: str | None = None, **engine_kwargs):
        self.url = url or default_url()
        self.engine = make_engine(self.url, **engine_kwargs)
        self.write_engine = self.engine.execution_options(loket_write=True)
        # SQLite has one writer. Threads of this process queue for it here, and the next one starts the
        # moment the last commits; left to SQLite's busy handler they would poll with growing sleeps (up to
        # 100 ms each), which under a burst of kiosks cost more than the transactions themselves. Other
        # processes (a print worker, a command) still wait on the busy timeout.
        self._write_lock = threading.RLock() if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (concurrent with writers)."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction is committed on success and rolled back on error."""
        if self._write_lock is not None:
            self._write_lock.acquire()
        try:
            with Session(self.write_engine, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        finally:
            if self._write_lock is not None:
                self._write_lock.release()

    def forget_freed(self) -> bool:
        """After erasing personal data: empty SQLite's write-ahead log, whose older frames still hold the pages
        as they were (secure_delete zeroes the database file itself). True when the log was emptied; False when
        a reader kept it (the frames are overwritten later). PostgreSQL: VACUUM reclaims dead rows (autovacuum,
        or the purge command's --vacuum)."""
        if not self.is_sqlite:
            return True
        raw = self.engine.raw_connection()  # outside any transaction: a checkpoint cannot run inside one
        try:
            cur = raw.cursor()
            busy = cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            cur.close()
        finally:
            raw.close()
        return busy == 0

    def dispose(self) -> None:
        self.engine.dispose()
