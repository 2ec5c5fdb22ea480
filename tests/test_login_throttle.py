"""Login throttling (Flask-Limiter): 5 failures per account per 15 minutes, 20 per address.

Counted in the default store (webapp/ratelimit_store.py: the test instance's ratelimit.db, or a
table in the test's PostgreSQL schema), as in production. The same counts across real gunicorn
workers and restarts: tests/ops/test_throttle_live.py."""
import pytest


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True}


def attempt(client, username, password, ip="10.0.0.1", as_json=False):
    body = {"username": username, "password": password}
    if as_json:
        return client.post("/login", json=body, environ_base={"REMOTE_ADDR": ip})
    return client.post("/login", data=body, environ_base={"REMOTE_ADDR": ip})


def test_the_default_store_is_shared_not_per_process(app):
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("sqla+")


# --- JSON bodies: one login path, one bucket per account whatever the body type -------------

def test_json_login_works_like_the_form(world, client):
    assert attempt(client, "coord1", world.PASSWORD, as_json=True).status_code == 302


def test_an_account_locked_by_form_failures_cannot_log_in_by_json(world, client):
    for i in range(5):
        assert attempt(client, "coord1", "wrong", ip=f"10.0.1.{i}").status_code == 200
    resp = attempt(client, "coord1", world.PASSWORD, ip="10.9.9.9", as_json=True)
    assert resp.status_code == 429 and "15 分钟后再试" in resp.get_data(as_text=True)


def test_json_failures_lock_that_account_for_the_form_too(world, client):
    for i in range(5):
        assert attempt(client, "coord1", "wrong", ip=f"10.0.2.{i}", as_json=True).status_code == 200
    assert attempt(client, "coord1", world.PASSWORD, ip="10.9.9.9").status_code == 429
    assert attempt(client, "coord1", world.PASSWORD, ip="10.9.9.9", as_json=True).status_code == 429


def test_bad_json_logins_do_not_block_other_users(world, client):
    for i in range(5):
        attempt(client, "coord1", "wrong", ip=f"10.0.3.{i}", as_json=True)
    # Before: every JSON body counted in one bucket ("login-account:"), so this was a 429.
    assert attempt(client, "coord2", world.PASSWORD, ip="10.9.9.8", as_json=True).status_code == 302


def test_mixed_form_and_json_failures_add_up_in_one_bucket(world, client):
    for i in range(5):
        assert attempt(client, "Coord1 ", "wrong", ip=f"10.0.4.{i}", as_json=bool(i % 2)).status_code == 200
    assert attempt(client, "coord1", world.PASSWORD, ip="10.9.9.7", as_json=True).status_code == 429


@pytest.mark.parametrize("body", [[1, 2], "coord1", 5, {"username": 5, "password": "x"},
                                  {"username": ["coord1"], "password": "x"}])
def test_a_json_body_the_form_cannot_read_is_a_400_never_a_500(world, client, body):
    resp = client.post("/login", json=body)
    assert resp.status_code == 400 and "username" in resp.get_json()["error"]


def test_absurdly_nested_json_login_is_not_a_500(world, client):
    resp = client.post("/login", data="[" * 50000 + "]" * 50000, content_type="application/json")
    assert resp.status_code == 400


def test_five_failures_lock_the_account_even_from_other_addresses(world, client):
    for i in range(5):
        assert attempt(client, "coord1", "wrong", ip=f"10.0.0.{i}").status_code == 200
    resp = attempt(client, "coord1", world.PASSWORD, ip="10.9.9.9")
    assert resp.status_code == 429 and "15 分钟后再试" in resp.get_data(as_text=True)
    # Another account is not locked by it.
    assert attempt(client, "coord2", world.PASSWORD, ip="10.9.9.9").status_code == 302


def test_successful_logins_do_not_count(world, client):
    for _ in range(8):
        assert attempt(client, "coord1", world.PASSWORD).status_code == 302
        client.post("/logout")


def test_one_address_trying_many_accounts_is_stopped(world, client):
    for i in range(20):
        attempt(client, f"nobody{i}", "wrong", ip="10.5.5.5")
    assert attempt(client, "coord1", world.PASSWORD, ip="10.5.5.5").status_code == 429
    assert attempt(client, "coord1", world.PASSWORD, ip="10.5.5.6").status_code == 302


class TestSession:
    @pytest.fixture
    def app_config(self):
        from datetime import timedelta
        return {"PERMANENT_SESSION_LIFETIME": timedelta(seconds=1)}

    def test_idle_session_ends(self, world, login):
        import time
        client = login("coord1")
        assert client.get("/").status_code == 200
        time.sleep(2.2)
        assert "/login" in client.get("/").location

    def test_session_cookie_is_httponly_and_samesite(self, world, client):
        resp = client.post("/login", data={"username": "coord1", "password": world.PASSWORD})
        cookie = resp.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie

    def test_login_starts_a_fresh_session(self, world, client):
        client.get("/login")
        with client.session_transaction() as s:
            s["planted"] = "by an attacker"
        client.post("/login", data={"username": "coord1", "password": world.PASSWORD})
        with client.session_transaction() as s:
            assert "planted" not in s
