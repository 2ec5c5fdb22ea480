"""Part 3 of issue 11: a replayed client_id gives its stored receipt only to an account that may
see that receipt; anyone else gets the unknown-key conflict (409), with none of its data."""
import pytest
from sqlalchemy import func, select

from tests.factories import World, valid_id
from tests.offline.conftest import assert_documented, payment_body
from webapp.extensions import db
from webapp.models import Receipt
from webapp.services import accounts
from webapp.services.actor import SYSTEM

PAY = "/api/v1/payments"


def _conflict_without_data(resp, receipt_json, secrets):
    data = assert_documented(resp, "/payments", "post", 409)
    assert data["code"] == "client_id_conflict"
    assert "Idempotent-Replayed" not in resp.headers and "Location" not in resp.headers
    text = resp.get_data(as_text=True)
    for secret in secrets:
        assert secret not in text, secret
    for key in ("receipt_number", "verify_url", "lines", "payer_name"):
        assert key not in data
    return data


@pytest.mark.parametrize("other", ["coord2", "coord3"])   # another village; another township
def test_replay_of_another_coordinators_payment_gets_no_receipt(world, login, other):
    p = world.person(World.V1, name="欧阳娜娜")
    body = payment_body((p, "medical"), payer_name="欧阳付款")
    first = login("coord1").post(PAY, json=body)
    assert first.status_code == 201
    receipt = first.get_json()
    # A different, unknown-to-anyone body under a used key: the answer the replay must match.
    unknown = login(other).post(PAY, json=dict(body, payer_name="别的人")).get_json()
    resp = login(other).post(PAY, json=body)
    data = _conflict_without_data(resp, receipt, [receipt["receipt_number"], "欧阳", receipt["verify_url"],
                                                  p.id_masked])
    assert data == unknown
    assert db.session.scalar(select(func.count(Receipt.id))) == 1


@pytest.mark.parametrize("other", ["coord2", "coord3"])
def test_replay_of_a_new_enrollee_payment_by_id_number_gets_no_receipt(world, login, other):
    number = valid_id(seed=99)
    body = {"client_id": "5b0f6f7c-3c3e-4d8e-9a55-0a9cf1ad1e11", "payer_name": "欧阳付款",
            "lines": [{"id_number": number, "kind": "medical", "name": "欧阳新人", "address": "曹镇村1号"}]}
    first = login("coord1").post(PAY, json=body)
    assert first.status_code == 201, first.get_data(as_text=True)
    receipt = first.get_json()
    resp = login(other).post(PAY, json=body)
    _conflict_without_data(resp, receipt, [receipt["receipt_number"], "欧阳", number, receipt["verify_url"]])


def test_replay_goes_to_a_coordinator_who_may_see_the_receipt(world, login):
    """Two coordinators of one village share its receipts: the outbox of either may replay."""
    accounts.create_user(SYSTEM, username="coord1b", name="同村协管员", role="coordinator",
                         area_codes=[World.V1], password=World.PASSWORD, is_demo=True)
    p = world.person(World.V1)
    body = payment_body((p, "medical"))
    first = login("coord1").post(PAY, json=body)
    again = login("coord1b").post(PAY, json=body)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
