"""The public roster is rate limited per client address (the limiter is on in this module)."""
from datetime import timedelta

import pytest

from webapp.services import roster
from webapp.timeutil import today_local


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "ROSTER_RATE_LIMIT": "3 per minute"}


def test_one_address_cannot_walk_every_village(client, world, known):
    roster.publish_roster(world.actor("dadmin"), world.V1, posting_start=today_local(),
                          posting_end=today_local() + timedelta(days=6), office_phone="0375-2612345")
    here = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(3):
        assert client.get(f"/gongshi/{world.V1}", environ_base=here).status_code == 200
    assert client.get(f"/gongshi/{world.V2}", environ_base=here).status_code == 429
    assert client.get(f"/gongshi/{world.V1}", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200
