"""Engine set-up per database.

SQLite (default, instance/app.db): WAL so readers never block the writer, synchronous=FULL so an
acknowledged payment survives a power cut, foreign keys on. pysqlite's own transaction handling
is switched off and we emit BEGIN ourselves (SQLAlchemy's documented recipe), which makes
SAVEPOINT work and lets write units start with BEGIN IMMEDIATE.

Writers queue on a lock file (flock) before BEGIN IMMEDIATE. SQLite's own busy handler polls
with growing sleeps (up to 100 ms each), so under many concurrent writers a payment could wait
far longer than the writes ahead of it took; the kernel's flock wakes the next writer the moment
the previous one commits, across gunicorn's processes and threads alike. The busy timeout stays
as a second line (other programs, e.g. `flask backup`, don't take the queue).
"""
import fcntl
import logging
import os
import threading
import time
from contextvars import ContextVar

from sqlalchemy import event

# Set by services.tx.unit_of_work for its whole body, read by the "begin" hook below: is the
# transaction about to start one that writes? It lives here, below the services, so that the
# engine set-up imports nothing from them.
writing: ContextVar[bool] = ContextVar("writing", default=False)

SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
                  "PRAGMA busy_timeout=15000")


class WriterQueue:
    """One exclusive flock per database file; each thread holds its own descriptor, so threads of
    one process queue on it just like processes do."""

    def __init__(self, path: str | None):
        self.path = path
        self._local = threading.local()

    def acquire(self):
        if not self.path or getattr(self._local, "held", False):
            return
        fd = getattr(self._local, "fd", None)
        if fd is None:
            fd = self._local.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        self._local.held = True

    def release(self):
        if getattr(self._local, "held", False):
            fcntl.flock(self._local.fd, fcntl.LOCK_UN)
            self._local.held = False


_queues: dict[str, WriterQueue] = {}
_no_queue = WriterQueue(None)


def writer_queue(engine) -> WriterQueue:
    return _queues.get(str(engine.url), _no_queue)


slow_log = logging.getLogger("webapp.slow_query")


def log_slow_queries(engine, threshold_ms: float | None):
    """Log every statement slower than threshold_ms (SLOW_QUERY_MS) to the app log, with its
    duration and SQL but never its parameters (names, ID hashes). None switches it off."""
    if threshold_ms is None:
        return

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn, _cursor, _statement, _parameters, _context, _executemany):
        conn.info.setdefault("query_started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _end(conn, _cursor, statement, _parameters, _context, executemany):
        started = conn.info.get("query_started")
        if not started:
            return
        ms = (time.perf_counter() - started.pop()) * 1000
        if ms >= threshold_ms:
            sql = " ".join(statement.split())
            slow_log.warning("slow query %.0f ms%s: %s", ms, " (executemany)" if executemany else "",
                             sql[:2000])

    @event.listens_for(engine, "handle_error")
    def _failed(context):
        # A failed statement never reaches after_cursor_execute: drop its start time.
        started = context.connection.info.get("query_started") if context.connection is not None else None
        if started:
            started.pop()


def configure_engine(engine):
    if engine.dialect.name != "sqlite":
        return
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        _queues.setdefault(str(engine.url), WriterQueue(database + ".writers"))
    queue = writer_queue(engine)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in SQLITE_PRAGMAS:
            cur.execute(pragma)
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if writing.get():
            queue.acquire()   # released by unit_of_work once the transaction has ended
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")
