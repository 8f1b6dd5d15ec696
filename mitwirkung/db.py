"""SQLite storage: one sqlite-utils Database per request or background run, and the schema."""

import fcntl
import os
import shutil
import sqlite3
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from flask import current_app, g
from sqlite_utils import Database

from .migrations import migrate
from .words.web import DB_WORDS

_clock: ContextVar[datetime | None] = ContextVar("clock", default=None)


def utcnow() -> datetime:
    """Return the current UTC time, or the time a `frozen` block set (jobs, tests)."""
    return _clock.get() or datetime.now(UTC)


def now() -> str:
    """Return the current UTC time as an ISO string with seconds."""
    return utcnow().isoformat(timespec="seconds")


@contextmanager
def frozen(at: datetime):
    """Within this block (this thread or task), `now()` is `at`: jobs run "as of" a time."""
    token = _clock.set(at.astimezone(UTC))
    try:
        yield at
    finally:
        _clock.reset(token)


class _Database(Database):
    """sqlite-utils' Database whose outermost transactions take the write lock at once.

    A deferred transaction that reads and then writes fails with "database is locked"
    (no waiting) when another connection wrote in between; BEGIN IMMEDIATE waits instead.
    """

    @contextmanager
    def atomic(self):
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.execute("ROLLBACK")
            raise
        else:
            self.execute("COMMIT")


def connect(path: str) -> Database:
    """Open the database file with WAL, foreign keys and a busy timeout."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    # deleted rows (revealed or expired secrets) are overwritten with zeros, not just freed
    conn.execute("PRAGMA secure_delete = ON")
    return _Database(conn)


def forget(db: Database) -> bool:
    """After deleting secrets: copy the WAL into the database file and truncate it to zero
    bytes, so that no older page with the deleted bytes stays in `-wal` (with secure_delete,
    the database file's page is zeroed). Call it outside a transaction; it waits for readers
    (busy timeout) and returns False when it could not finish (the next call does)."""
    if db.conn.in_transaction:
        return False
    busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return not busy


class ThreadConnections(threading.local):
    """One open connection per thread and process, reused by that thread's requests.

    The first statement on a fresh WAL connection costs more than the rest of a cached
    page (mapping the -shm file, reading the schema), so a thread keeps its connection.
    No connection ever crosses threads, and a forked worker opens its own.
    """

    def __init__(self, path: str):
        self.path = path
        self.pid: int | None = None
        self.db: Database | None = None

    def get(self) -> Database:
        if self.db is None or self.pid != os.getpid():
            self.db, self.pid = connect(self.path), os.getpid()
        return self.db


def get_db() -> Database:
    """Return this request's database: the current thread's connection."""
    if "db" not in g:
        g.db = current_app.extensions["db_connections"].get()
    return g.db


def close_db(exc: BaseException | None = None) -> None:
    """End the request's use of the connection; nothing stays in a transaction."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


def init_db(path: str) -> None:
    """Create or migrate the schema and switch the file to WAL.

    Several processes start at once (gunicorn workers): they take turns on a lock file next
    to the database (`<file>-lock`), so the second finds the schema done. Switching to WAL
    cannot wait for SQLite's own lock, hence the file lock; the migrations run in one
    transaction, all or nothing.
    """
    if path == ":memory:":
        return _migrate(path)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        _migrate(path)


def _migrate(path: str) -> None:
    db = connect(path)
    try:
        db.enable_wal()
        with db.atomic():
            migrate(db)
    finally:
        db.close()


MIN_FREE_BYTES = 1024 * 1024


def write_problem(path: str) -> str | None:
    """Say in German why the database file cannot take a write now, or return None.

    Checks the free space of the folder first (a rolled-back write touches no disk, but every
    commit appends to the -wal file), then tries a write on a fresh connection: one opened
    before the file became read-only would still take it.
    """
    if path == ":memory:":
        return None
    free = shutil.disk_usage(Path(path).parent).free
    if free < MIN_FREE_BYTES:
        return DB_WORDS["low_space"].format(kb=free // 1024)
    try:
        conn = sqlite3.connect(
            f"file:{quote(path)}?mode=rw", uri=True, timeout=0.25, isolation_level=None
        )
    except sqlite3.Error as e:
        return DB_WORDS["not_writable"].format(error=e)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM _sqlite_migrations WHERE 0")  # a write that changes nothing
    except sqlite3.Error as e:
        if e.sqlite_errorname.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return None  # another writer holds the lock: writable, just busy
        return DB_WORDS["refuses"].format(error=e)
    finally:
        conn.close()  # rolls the probe back
    return None
