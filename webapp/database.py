"""Engine set-up per database.

SQLite (default, instance/app.db): WAL so readers never block the writer, synchronous=FULL so an
acknowledged payment survives a power cut, foreign keys on. pysqlite's own transaction handling
is switched off and we emit BEGIN ourselves (SQLAlchemy's documented recipe), which makes
SAVEPOINT work and lets write units start with BEGIN IMMEDIATE.

Writers queue on a lock file (flock) before BEGIN IMMEDIATE. SQLite's own busy handler polls
with growing sleeps (up to 100 ms each), so under many concurrent writers a payment could wait
far longer than the writes ahead of it took; the kernel's flock wakes the next writer the moment
the previous one commits, across gunicorn's processes and threads alike. The busy timeout stays
as a second line (other programs, e.g. `flask backup`, don't take the queue). A writer waits in
the queue at most WRITE_LOCK_TIMEOUT_S (15 s, as busy_timeout); then the request is answered
"系统繁忙，请稍后重试" (503 with Retry-After), never left hanging. Slow work (a plan-list preview,
an annex export) reads and computes outside the queue, so it never holds the lock for long.
"""
import fcntl
import logging
import os
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event

# Set by services.tx.unit_of_work for its whole body, read by the "begin" hook below: is the
# transaction about to start one that writes? It lives here, below the services, so that the
# engine set-up imports nothing from them.
writing: ContextVar[bool] = ContextVar("writing", default=False)

SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
                  "PRAGMA busy_timeout=15000")


class WriteLockTimeout(Exception):
    """The writer queue did not let this writer in within its timeout (services.tx answers Busy)."""


class WriterQueue:
    """One exclusive flock per database file; each thread holds its own descriptor, so threads of
    one process queue on it just like processes do.

    A writer waits at most `timeout` seconds (WRITE_LOCK_TIMEOUT_S). The free lock is taken at
    once (LOCK_NB); a held one is waited for by a blocking flock in a helper thread, so the kernel
    still hands the lock over the moment it is released (no polling), while the caller waits on
    an event with a deadline. On timeout the caller gives its descriptor to the helper, which
    closes it (releasing the lock) if it is granted later, and raises WriteLockTimeout."""

    def __init__(self, path: str | None, timeout: float | None = None):
        self.path = path
        self.timeout = timeout
        self._local = threading.local()

    def acquire(self):
        if not self.path or getattr(self._local, "held", False):
            return
        fd = getattr(self._local, "fd", None)
        if fd is None:
            fd = self._local.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if self.timeout is None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            else:
                self._wait(fd)
        self._local.held = True

    def _wait(self, fd: int):
        granted, state = threading.Event(), {"abandoned": False}
        guard = threading.Lock()

        def wait_for_lock():
            fcntl.flock(fd, fcntl.LOCK_EX)
            with guard:
                granted.set()
                if state["abandoned"]:
                    os.close(fd)   # nobody waits any more: let the next writer in

        threading.Thread(target=wait_for_lock, name="writer-queue", daemon=True).start()
        if granted.wait(self.timeout):
            return
        with guard:
            if granted.is_set():
                return         # granted just now
            state["abandoned"] = True
            self._local.fd = None  # the helper owns (and closes) this descriptor now
        raise WriteLockTimeout(self.path)

    def release(self):
        if getattr(self._local, "held", False):
            fcntl.flock(self._local.fd, fcntl.LOCK_UN)
            self._local.held = False


_queues: dict[str, WriterQueue] = {}
_no_queue = WriterQueue(None)


def writer_queue(engine) -> WriterQueue:
    return _queues.get(str(engine.url), _no_queue)


BULK_CACHE_KIB = 256 * 1024


@contextmanager
def bulk_write_cache(connection):
    """For one bulk write (a plan list's inserts): a page cache of BULK_CACHE_KIB instead of SQLite's
    2 MB, so that 100,000 inserts into a dozen indexes are not written out and read back page by
    page while the write lock is held. Other databases: no-op."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


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


def configure_engine(engine, lock_timeout_s: float | None = 15.0):
    """lock_timeout_s (WRITE_LOCK_TIMEOUT_S): how long a writer waits in the queue, as long as
    SQLite's busy_timeout; None waits for ever."""
    if engine.dialect.name != "sqlite":
        return
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        _queues.setdefault(str(engine.url), WriterQueue(database + ".writers")).timeout = lock_timeout_s
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
