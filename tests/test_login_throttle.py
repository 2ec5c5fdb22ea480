"""Login throttling (Flask-Limiter): 5 failures per account per 15 minutes, 20 per address."""
import pytest


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


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
