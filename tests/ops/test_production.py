"""Production settings: behind a proxy the client's address is the phone's; /healthz answers."""
import pytest


@pytest.fixture
def app_config():
    return {}   # CSRF off here (tests/ops turns it on for the live-server tests)


class TestBehindProxy:
    @pytest.fixture
    def app_config(self):
        return {"PROXY_FIX": 1}

    def test_audit_and_throttling_see_the_forwarded_address(self, world, client):
        from sqlalchemy import select

        from webapp.extensions import db
        from webapp.models import AuditEvent
        client.post("/login", data={"username": "coord1", "password": "wrong"},
                    headers={"X-Forwarded-For": "203.0.113.7"})
        db.session.rollback()
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login_failed"))
        assert event.ip == "203.0.113.7"


def test_without_proxy_fix_forwarded_headers_are_not_trusted(world, client):
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import AuditEvent
    client.post("/login", data={"username": "coord1", "password": "wrong"},
                headers={"X-Forwarded-For": "203.0.113.7"})
    db.session.rollback()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login_failed"))
    assert event.ip == "127.0.0.1"


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok", "database": "ok"}


def test_production_mode_sets_secure_cookies(monkeypatch, tmp_path):
    from webapp import create_app
    monkeypatch.setenv("PRODUCTION", "1")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("PROXY_FIX", "1")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["PREFERRED_URL_SCHEME"] == "https"
    assert app.config["PROXY_FIX"] == 1
    assert (tmp_path / "secret_key").exists() and (tmp_path / "id_key.json").exists()
