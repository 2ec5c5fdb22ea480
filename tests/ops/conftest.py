import pytest

from tests.conftest import RECEIPT_KEYS, TEST_KEYS
from tests.ops.live import Gunicorn, write_instance


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
