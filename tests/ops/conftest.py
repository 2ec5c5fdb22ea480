import os
import shutil
import subprocess
import time
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests import schema as migrated
from tests.conftest import RECEIPT_KEYS, TEST_KEYS, _normalise, _postgres_url
from tests.ops.live import Gunicorn, free_port, write_instance

REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture(params=[1, 4], ids=["sync", "gthread"])
def gunicorn(request, app, database_url, tmp_path):
    """Start with gunicorn.start() once the test has written its data; stopped at the end.
    Each test runs against the default sync workers and against threaded ones (WEB_THREADS=4,
    advised with a remote PostgreSQL): durability and races must hold for both."""
    instance = tmp_path / "live-instance"
    write_instance(instance, TEST_KEYS, RECEIPT_KEYS)
    server = Gunicorn(database_url, instance, workers=2, threads=request.param)
    yield server
    server.stop()


def _answers(url: str) -> bool:
    try:
        import redis
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except Exception:
        return False


@pytest.fixture(scope="session")
def redis_url():
    """The machine's Redis on 6379 if it runs; else a private one (Debian's redis-server, which
    the Makefile installs), so the Redis variant never skips."""
    if _answers(REDIS_URL):
        yield REDIS_URL
        return
    if not shutil.which("redis-server"):
        pytest.fail(f"Redis is not answering at {REDIS_URL} and redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.time() + 15
    while not _answers(url):
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("could not start redis-server")
        time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def postgres_database_url(schema_workdir):
    """A private schema on TEST_DATABASE_URL if that is PostgreSQL, else on the machine's
    PostgreSQL (127.0.0.1:5432, trust auth, database test), for tests that need PostgreSQL
    whichever database the suite runs on (several app nodes, pg_dump). Dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    base = _normalise(base if base.startswith("postgres") else DEFAULT_PG)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        migrated.install_postgres(base, schema, schema_workdir)
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"PostgreSQL is not answering at {base}: {e}")
    try:
        yield _postgres_url(base, schema)
    finally:
        with admin.connect() as conn:
            # A restore keeps the replaced schema as <schema>_before_restore_<time>: drop those too.
            kept = conn.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"),
                                {"p": f"{schema}%"}).scalars().all()
            for name in kept:
                conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()
