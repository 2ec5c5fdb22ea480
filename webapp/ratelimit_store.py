"""A `limits` storage kept in a SQL database, so that throttling counts are shared by every
gunicorn worker and survive a restart without a server to run beside the app.

`limits` (under Flask-Limiter) keeps counts in memory per process by default: with N workers an
attacker got N times the documented attempts. Redis shares them, but the single-machine default
must work with nothing else started. This storage keeps the fixed-window counters of
Flask-Limiter's default strategy in one table:

- SQLite (default): a file of its own, `instance/ratelimit.db`, not a table in app.db, so a burst
  of failed logins never queues in front of payment writes on app.db's write lock.
- PostgreSQL: a table in the application's database (no other server needed).

URIs: ``sqla+sqlite:////abs/path.db`` and ``sqla+postgresql+psycopg://...`` (any SQLAlchemy URL
after ``sqla+``). Each counter is one atomic INSERT ... ON CONFLICT DO UPDATE ... RETURNING, so
concurrent workers never lose an increment.
"""
import os
import threading
import time

from limits.storage import Storage
from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    case,
    create_engine,
    delete,
    event,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

SCHEME_PREFIX = "sqla+"

metadata = MetaData()
# Not part of the application's models: on SQLite it lives in its own file, and on PostgreSQL it
# is created here on first use (`CREATE TABLE IF NOT EXISTS`), so no migration has to know it.
counters = Table(
    "rate_limit_counters", metadata,
    Column("key", String(255), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", Float, nullable=False),  # unix time
)

# Expired rows are deleted by every this-many-th increment of a process (they are also ignored
# when read), so the table holds roughly the keys of the last window, not every key ever seen.
PURGE_EVERY = 200


def _sqlite_file(url: str) -> str | None:
    path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else None
    return path if path and path != ":memory:" else None


class SQLStorage(Storage):
    STORAGE_SCHEME = ["sqla+sqlite", "sqla+postgresql", "sqla+postgresql+psycopg"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.url = uri[len(SCHEME_PREFIX):]
        if self.url.startswith("postgresql://"):
            self.url = "postgresql+psycopg://" + self.url[len("postgresql://"):]
        self._engine = None
        self._lock = threading.Lock()
        self._incr_count = 0

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    # --- the engine, created lazily: create_app runs in processes that never count anything ---

    @property
    def engine(self):
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._make_engine()
        return self._engine

    def _make_engine(self):
        if self.url.startswith("sqlite"):
            path = _sqlite_file(self.url)
            if path and not os.path.exists(path):
                # Readable by the service user only, like the rest of instance/.
                os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            engine = create_engine(self.url, isolation_level="AUTOCOMMIT",
                                   connect_args={"timeout": 15, "check_same_thread": False})

            @event.listens_for(engine, "connect")
            def _pragmas(dbapi_conn, _record):
                cur = dbapi_conn.cursor()
                # WAL: readers never wait for the writer. NORMAL: a count survives a process crash
                # or restart; only a power cut may lose the last few increments.
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()
        else:
            engine = create_engine(self.url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
        try:
            metadata.create_all(engine, checkfirst=True)
        except SQLAlchemyError:
            # Another worker created it between our check and our CREATE (PostgreSQL raises on
            # that race): fine if the table is there now.
            with engine.connect() as conn:
                conn.execute(select(counters.c.key).limit(1))
        return engine

    def _insert(self):
        return (postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert)(counters)

    # --- the Storage interface ------------------------------------------------------------------

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        ins = self._insert().values(key=key, count=amount, expires_at=now + expiry)
        # A live counter grows; an expired one starts a new window at this hit.
        expired = counters.c.expires_at <= now
        stmt = ins.on_conflict_do_update(
            index_elements=[counters.c.key],
            set_={"count": case((expired, amount), else_=counters.c.count + amount),
                  "expires_at": case((expired, now + expiry), else_=counters.c.expires_at)},
        ).returning(counters.c.count)
        with self.engine.connect() as conn:
            value = conn.execute(stmt).scalar_one()
            self._incr_count += 1
            if self._incr_count % PURGE_EVERY == 0:
                conn.execute(delete(counters).where(counters.c.expires_at <= now))
        return int(value)

    def _live(self, key: str):
        with self.engine.connect() as conn:
            return conn.execute(select(counters.c.count, counters.c.expires_at).where(
                counters.c.key == key, counters.c.expires_at > time.time())).first()

    def get(self, key: str) -> int:
        row = self._live(key)
        return int(row.count) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._live(key)
        return float(row.expires_at) if row else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(counters.c.key).limit(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(delete(counters)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.connect() as conn:
            conn.execute(delete(counters).where(counters.c.key == key))


def default_storage_uri(database_url: str, instance_path: str) -> str:
    """Where the counts go when RATELIMIT_STORAGE_URI is not set: beside app.db in its own SQLite
    file, or in the PostgreSQL database the app already uses."""
    if database_url.startswith("postgresql"):
        return SCHEME_PREFIX + database_url
    return SCHEME_PREFIX + "sqlite:///" + os.path.join(instance_path, "ratelimit.db")
