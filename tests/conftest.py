"""Fixtures: a fresh app and database per test (SQLite file, or a private PostgreSQL schema
when TEST_DATABASE_URL is set), its schema built by the migrations (tests/schema.py), a test
client, and `world`, a small district to test against."""
import os
import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from tests import schema as migrated
from tests.factories import World
from webapp import create_app
from webapp.extensions import db

TEST_KEYS = {"1": bytes(range(32))}
RECEIPT_KEYS = {"1": bytes(range(32, 64))}


def _postgres_url(base: str, schema: str) -> str:
    """The same server and database, with every connection's search_path set to our schema."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def _normalise(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@pytest.fixture(scope="session")
def schema_workdir(tmp_path_factory):
    """Where the migrated template databases of this session live."""
    return tmp_path_factory.mktemp("schema")


@pytest.fixture
def database_url(tmp_path, schema_workdir):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        migrated.install_sqlite(tmp_path / "test.db", schema_workdir)
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = _normalise(base)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    migrated.install_postgres(base, schema, schema_workdir)
    try:
        yield _postgres_url(base, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_test_config(database_url, tmp_path, **extra):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "ID_KEYS": dict(TEST_KEYS),
        "RECEIPT_KEYS": dict(RECEIPT_KEYS),
        "WTF_CSRF_ENABLED": False,
        "CHECK_PDF_ENGINE_AT_STARTUP": False,
        "PUBLIC_BASE_URL": "http://lx.test",
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(extra)
    return config


class FreshContextClient(FlaskClient):
    """Each request in its own app context, as in production: a fresh `g` (Flask-Login caches the
    user there) and its own database session. The test's own session ends its transaction first,
    so the request sees what the test wrote and the test then sees what the request wrote."""

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app_config():
    """Override in a test module to change the configuration (e.g. CSRF on)."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, app_config):
    app = create_app(make_test_config(database_url, tmp_path, **app_config))
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    return World()


@pytest.fixture
def login(client):
    """login(username) logs the test client in (password as the World creates it)."""
    def do(username, password=World.PASSWORD):
        client.post("/logout")
        resp = client.post("/login", data={"username": username, "password": password})
        assert resp.status_code == 302, resp.data.decode()[:500]
        return client
    return do
