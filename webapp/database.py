"""Engine set-up per database.

SQLite (default, instance/app.db): WAL so readers never block the writer, synchronous=FULL so an
acknowledged payment survives a power cut, foreign keys on, a busy timeout so writers queue
instead of failing. pysqlite's own transaction handling is switched off and we emit BEGIN
ourselves (SQLAlchemy's documented recipe), which makes SAVEPOINT work and lets write units
start with BEGIN IMMEDIATE.
"""
from sqlalchemy import event

from .services.tx import writing

SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON",
                  "PRAGMA busy_timeout=15000")


def configure_engine(engine):
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in SQLITE_PRAGMAS:
            cur.execute(pragma)
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing.get() else "BEGIN")
