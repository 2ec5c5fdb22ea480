"""Every test database gets its schema from the migrations, never from `db.create_all()`, so the
suite runs on the schema a real installation has after `flask db upgrade` (issue 12, part 8).

Running the whole migration chain for each of the suite's thousand-odd databases would cost
seconds apiece, so it runs once per session and per kind of database, and each test gets a copy:
- SQLite: the migrated file is copied.
- PostgreSQL: the migrated template schema is dumped once with `pg_dump --schema-only`, and the
  dump (its schema name replaced) is replayed into each test's own schema.
"""
import shutil
import subprocess
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

_sqlite_template: Path | None = None
_postgres_ddl: dict[str, tuple[str, str]] = {}   # base URL -> (DDL with placeholder, head revision)
_PLACEHOLDER = "lx_schema_placeholder"


def _migrate(database_url: str, instance: Path):
    """`flask db upgrade` on database_url, in an app of the suite's own configuration."""
    from flask_migrate import upgrade

    from tests.conftest import make_test_config
    from webapp import create_app
    from webapp.extensions import db

    app = create_app(make_test_config(database_url, instance))
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


def sqlite_template(workdir: Path) -> Path:
    global _sqlite_template
    if _sqlite_template is None:
        path = workdir / "migrated.db"
        _migrate(f"sqlite:///{path}", workdir / "instance")
        engine = create_engine(f"sqlite:///{path}")
        with engine.connect() as conn:  # fold the WAL into the file, so one file is the copy
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
        engine.dispose()
        _sqlite_template = path
    return _sqlite_template


def install_sqlite(path: Path, workdir: Path):
    shutil.copyfile(sqlite_template(workdir), path)


def _libpq_url(url: str) -> str:
    """pg_dump speaks libpq's URLs: no '+psycopg' driver and no search_path options."""
    u = make_url(url).set(drivername="postgresql")
    return u.difference_update_query(["options"]).render_as_string(hide_password=False)


def _postgres_template(base: str, workdir: Path) -> tuple[str, str]:
    from tests.conftest import _postgres_url

    if base not in _postgres_ddl:
        schema = f"lxtmpl_{uuid.uuid4().hex[:12]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            _migrate(_postgres_url(base, schema), workdir / "instance-pg")
            dump = subprocess.run(["pg_dump", "--schema-only", "--no-owner", "--no-privileges",
                                   "--schema", schema, _libpq_url(base)],
                                  check=True, capture_output=True, text=True).stdout
            with admin.connect() as conn:
                head = conn.execute(text(f'SELECT version_num FROM "{schema}".alembic_version')).scalar_one()
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        # psql's meta-commands (\restrict ... in recent pg_dump) are not SQL.
        ddl = "\n".join(line for line in dump.splitlines() if not line.startswith("\\"))
        _postgres_ddl[base] = (ddl.replace(schema, _PLACEHOLDER), head)
    return _postgres_ddl[base]


def install_postgres(base: str, schema: str, workdir: Path):
    """Create `schema` on the database at `base`, holding the migrated schema."""
    import psycopg

    ddl, head = _postgres_template(base, workdir)
    with psycopg.connect(_libpq_url(base), autocommit=True) as conn:
        # No parameters: psycopg sends the whole dump as one simple query, statements and all.
        conn.execute(ddl.replace(_PLACEHOLDER, schema))
        conn.execute(f'INSERT INTO "{schema}".alembic_version (version_num) VALUES (%s)', (head,))
