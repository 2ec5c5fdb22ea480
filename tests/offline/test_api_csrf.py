"""CSRF: on for every POST of the API (X-CSRFToken), yet never expiring for a queued request."""
import time

import itsdangerous.timed
import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from tests.factories import World
from tests.offline.conftest import assert_documented, page_token, payment_body
from webapp.extensions import db
from webapp.models import Receipt


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_post_without_csrf_token_is_refused_as_json(world, client, csrf_login):
    p = world.person()
    csrf_login("coord1")
    resp = client.post("/api/v1/payments", json=payment_body((p, "medical")))
    data = assert_documented(resp, "/payments", "post", 400)
    assert data["code"] == "csrf"
    assert db.session.scalar(select(func.count(Receipt.id))) == 0


def test_post_with_the_pages_token_in_the_header_is_accepted(world, client, csrf_login):
    p = world.person()
    token = csrf_login("coord1")
    resp = client.post("/api/v1/payments", json=payment_body((p, "medical")), headers={"X-CSRFToken": token})
    assert resp.status_code == 201


def test_me_hands_out_a_fresh_token_for_the_outbox(world, client, csrf_login):
    p = world.person()
    csrf_login("coord1")
    me = assert_documented(client.get("/api/v1/me"), "/me")
    assert me["user"]["username"] == "coord1" and me["villages"][0]["code"] == World.V1
    assert me["campaign"]["open"] is True and 20000 in me["campaign"]["pension_tiers"]
    resp = client.post("/api/v1/payments", json=payment_body((p, "medical")), headers={"X-CSRFToken": me["csrf_token"]})
    assert resp.status_code == 201


def _token_minted_hours_ago(app, client, monkeypatch, hours):
    """The token the page would have carried `hours` ago: Flask-WTF's own format (the session's
    raw token, signed with the time of signing), made with the clock moved back."""
    page_token(client)   # the session now holds its raw CSRF token
    with client.session_transaction() as session:
        raw = session["csrf_token"]
    signed_at = int(time.time()) - hours * 3600
    with monkeypatch.context() as m:
        m.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: signed_at)
        return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps(raw)


def test_a_request_queued_for_hours_is_still_accepted(app, world, client, csrf_login, monkeypatch):
    p = world.person()
    csrf_login("coord1")
    old = _token_minted_hours_ago(app, client, monkeypatch, hours=5)
    resp = client.post("/api/v1/payments", json=payment_body((p, "medical")), headers={"X-CSRFToken": old})
    assert resp.status_code == 201, resp.get_json()


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True, "WTF_CSRF_TIME_LIMIT": 3600}])
def test_with_flask_wtfs_default_hour_the_same_request_would_fail(app, world, client, csrf_login, monkeypatch):
    """The control for the test above: it is WTF_CSRF_TIME_LIMIT = None that keeps it working."""
    p = world.person()
    csrf_login("coord1")
    old = _token_minted_hours_ago(app, client, monkeypatch, hours=5)
    resp = client.post("/api/v1/payments", json=payment_body((p, "medical")), headers={"X-CSRFToken": old})
    assert resp.status_code == 400 and resp.get_json()["code"] == "csrf"


def test_default_configuration_keeps_csrf_tokens_for_the_session():
    from webapp.config import Config
    assert Config.WTF_CSRF_TIME_LIMIT is None
