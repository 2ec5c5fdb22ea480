"""The verification page is rate limited per client address (the limiter is on in this module)."""
import pytest

from webapp.rules import signing


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "VERIFY_RATE_LIMIT": "3 per minute"}


def test_too_many_lookups_from_one_address_are_refused(app, client, receipt):
    path = signing.receipt_path(receipt.number, app.config["RECEIPT_KEYS"])
    here = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(3):
        assert client.get(path, environ_base=here).status_code == 200
    refused = client.get(path, environ_base=here)
    assert refused.status_code == 429
    assert "查询太频繁" in refused.get_data(as_text=True)
    # Probing with forged codes counts too ...
    assert client.get("/v/2018-200001-00001/1AAAAAAAAAAAAAAAAAAAAAA", environ_base=here).status_code == 429
    # ... and another address is not affected.
    assert client.get(path, environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200
