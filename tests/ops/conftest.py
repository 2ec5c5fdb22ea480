import pytest

from tests.conftest import RECEIPT_KEYS, TEST_KEYS
from tests.ops.live import Gunicorn, write_instance


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def gunicorn(app, database_url, tmp_path):
    """Start with gunicorn.start() once the test has written its data; stopped at the end."""
    instance = tmp_path / "live-instance"
    write_instance(instance, TEST_KEYS, RECEIPT_KEYS)
    server = Gunicorn(database_url, instance)
    yield server
    server.stop()
