"""/healthz checks each part the app needs and names the one that is down; statements slower
than SLOW_QUERY_MS are logged with their SQL and never their parameters."""
import logging

import pytest
from sqlalchemy import text

from tests.conftest import make_test_config
from tests.ops.live import free_port
from webapp import create_app
from webapp.extensions import db


def test_healthz_without_redis_checks_the_database(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok", "database": "ok"}


class TestRedisDown:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0"}   # nothing listens

    def test_healthz_names_redis(self, client, caplog):
        resp = client.get("/healthz")
        assert resp.status_code == 503
        assert resp.get_json() == {"status": "unavailable", "failed": ["redis"], "database": "ok",
                                   "redis": "down"}
        assert "redis is down" in caplog.text


class TestRedisUp:
    @pytest.fixture
    def app_config(self, redis_url):
        return {"RATELIMIT_STORAGE_URI": redis_url}

    def test_healthz_checks_redis(self, client):
        resp = client.get("/healthz")
        assert resp.status_code == 200
        assert resp.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_names_the_database(tmp_path, caplog):
    dead = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none?connect_timeout=2"
    app = create_app(make_test_config(dead, tmp_path))
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json() == {"status": "unavailable", "failed": ["database"], "database": "down"}
    assert "database is down" in caplog.text


class TestSlowQueries:
    @pytest.fixture
    def app_config(self):
        return {"SLOW_QUERY_MS": 50}

    def test_a_slow_statement_is_logged_without_its_parameters(self, app, caplog):
        if db.engine.dialect.name == "sqlite":
            # SQLite has no sleep(): a recursive count that takes well over 50 ms.
            slow = text("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :n) "
                        "SELECT count(*) FROM c")
            params = {"n": 3_000_000}
        else:
            slow, params = text("SELECT pg_sleep(:n)"), {"n": 0.2}
        with caplog.at_level(logging.WARNING, logger="webapp.slow_query"):
            db.session.execute(text("SELECT 1 WHERE 1 = :n"), {"n": 1})
            assert not [r for r in caplog.records if r.name == "webapp.slow_query"]
            db.session.execute(slow, params)
        logged = [r.getMessage() for r in caplog.records if r.name == "webapp.slow_query"]
        assert len(logged) == 1 and "slow query" in logged[0]
        assert ("WITH RECURSIVE" in logged[0] or "pg_sleep" in logged[0]) and "3000000" not in logged[0]

    def test_off_logs_nothing(self, tmp_path, database_url, caplog):
        quiet = create_app(make_test_config(database_url, tmp_path / "quiet", SLOW_QUERY_MS=None))
        with quiet.app_context(), caplog.at_level(logging.WARNING, logger="webapp.slow_query"):
            db.session.execute(text("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                                    "WHERE x < 3000000) SELECT count(*) FROM c"))
            db.session.remove()
        assert not [r for r in caplog.records if r.name == "webapp.slow_query"]
