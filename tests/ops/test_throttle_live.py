"""Against a real gunicorn with 3 sync workers: throttling counts exactly the documented numbers,
whichever worker answers, and the counts survive a restart of gunicorn.

Before: Flask-Limiter counted in memory:// per process, so with N workers an account got up to
N x 5 failed logins, an address N x 20, the verification page N x 30 a minute. Each test runs
with the default store (instance/ratelimit.db, or the PostgreSQL database when
TEST_DATABASE_URL is set) and with Redis (RATELIMIT_STORAGE_URI=redis://...).

The app runs behind ProxyFix (PROXY_FIX=1), as behind nginx: the client address is the last
X-Forwarded-For entry, so one test machine can be many phones."""
import http.cookiejar
import uuid

import pytest

from tests.conftest import RECEIPT_KEYS, TEST_KEYS
from tests.ops.live import Gunicorn, Phone, write_instance

WORKERS = 3


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture(params=["default-store", "redis"])
def server(request, app, database_url, tmp_path, redis_url):
    """start() once the test has written its data; restart() keeps the instance and database."""
    instance = tmp_path / "live-instance"
    write_instance(instance, TEST_KEYS, RECEIPT_KEYS)
    prefix = None
    if request.param == "redis":
        prefix = f"t{uuid.uuid4().hex[:12]}"  # this test's keys only, in a Redis others share
        (instance / "config.py").write_text(
            f"RATELIMIT_STORAGE_URI = {redis_url!r}\nRATELIMIT_KEY_PREFIX = {prefix!r}\n")

    class Server:
        def __init__(self):
            self.gunicorn = None

        def start(self):
            self.gunicorn = Gunicorn(database_url, instance, workers=WORKERS, threads=1,
                                     extra_env={"PROXY_FIX": "1", "RATELIMIT_STORAGE_URI": ""}).start()
            return self

        def restart(self):
            self.gunicorn.stop()
            return self.start()

        @property
        def url(self):
            return self.gunicorn.url

    s = Server()
    yield s
    if s.gunicorn:
        s.gunicorn.stop()
    if prefix:
        import redis
        r = redis.Redis.from_url(redis_url)
        for key in r.scan_iter(f"{prefix}*"):
            r.delete(key)


def login_attempt(base, username, password, ip, as_json=False):
    """A fresh phone at address `ip`: GET the login page (for its CSRF token), then POST."""
    phone = Phone(base)
    headers = {"X-Forwarded-For": ip}
    phone.request("GET", "/login", headers=headers)
    body = {"username": username, "password": password, "csrf_token": phone.token}
    if as_json:
        # As the API documents it: the token in X-CSRFToken (CSRFProtect reads no JSON body).
        headers.update({"Content-Type": "application/json", "X-CSRFToken": phone.token})
        return phone.request("POST", "/login", body, headers=headers)[0]
    return phone.request("POST", "/login", body, headers=headers)[0]


def test_the_sixth_failed_login_of_an_account_is_refused_whatever_the_address(world, server):
    server.start()
    for i in range(5):
        assert login_attempt(server.url, "coord1", "wrong", ip=f"10.1.0.{i}") == 200, i
    assert login_attempt(server.url, "coord1", world.PASSWORD, ip="10.1.9.9") == 429
    assert login_attempt(server.url, "coord1", world.PASSWORD, ip="10.1.9.9", as_json=True) == 429
    # The lock is the account's, not the address's.
    assert login_attempt(server.url, "coord2", world.PASSWORD, ip="10.1.9.9") == 302


def test_the_twenty_first_failed_login_from_one_address_is_refused(world, server):
    server.start()
    for i in range(20):
        assert login_attempt(server.url, f"nobody{i}", "wrong", ip="10.2.0.1") == 200, i
    assert login_attempt(server.url, "coord1", world.PASSWORD, ip="10.2.0.1") == 429
    assert login_attempt(server.url, "coord1", world.PASSWORD, ip="10.2.0.2") == 302


def test_the_thirty_first_verification_in_a_minute_is_refused(world, server):
    server.start()
    phone = Phone(server.url)
    statuses = [phone.request("GET", f"/v/2018-{n:06d}/AAAAAAAAAAAAAAAAAAAAAA",
                              headers={"X-Forwarded-For": "10.3.0.1"})[0] for n in range(31)]
    # An unknown receipt answers 404 (the same as a forged one); the 31st is refused.
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
    assert phone.request("GET", "/v/2018-000001/AAAAAAAAAAAAAAAAAAAAAA",
                         headers={"X-Forwarded-For": "10.3.0.2"})[0] == 404


def test_failed_login_counts_survive_a_restart(world, server):
    server.start()
    for i in range(3):
        assert login_attempt(server.url, "coord1", "wrong", ip=f"10.4.0.{i}") == 200
    server.restart()
    for i in range(2):
        assert login_attempt(server.url, "coord1", "wrong", ip=f"10.4.1.{i}") == 200
    assert login_attempt(server.url, "coord1", world.PASSWORD, ip="10.4.9.9") == 429


def test_a_cookie_copied_before_logout_is_refused_by_every_worker(world, server):
    server.start()
    phone = Phone(server.url).login("coord1", world.PASSWORD)
    thief = Phone(server.url)
    for cookie in phone.jar:
        thief.jar.set_cookie(http.cookiejar.Cookie(**{k: getattr(cookie, k) for k in (
            "version", "name", "value", "port", "port_specified", "domain", "domain_specified",
            "domain_initial_dot", "path", "path_specified", "secure", "expires", "discard",
            "comment", "comment_url")}, rest={}))
    assert thief.request("GET", "/api/v1/me")[0] == 200
    assert phone.post_form("/logout", {})[0] == 302
    # Several requests, so that every worker is likely asked at least once.
    for _ in range(2 * WORKERS):
        status, _, location = thief.request("GET", "/")
        assert status == 302 and "/login" in location
        assert thief.request("GET", "/api/v1/me")[0] == 401
