"""Several districts in one installation (issue 12, part 7): every number printed on paper is
unique in the installation, while receipts already issued keep their numbers and keep verifying."""
import pytest

from tests.conftest import RECEIPT_KEYS
from tests.factories import World
from webapp.rules import numbers, signing
from webapp.services import areas, bureau, handover, verification
from webapp.services.accounts import create_user
from webapp.services.actor import SYSTEM

D2, T21, V21 = "410402", "410402200", "410402200001"   # 新华区, its 200 township, a village ending 200001


def second_district(world: World):
    areas.create_area(SYSTEM, parent_code=None, code=D2, name="新华区", full_name="平顶山市新华区")
    areas.create_area(SYSTEM, parent_code=D2, code=T21, name="焦店镇", kind="township")
    areas.create_area(SYSTEM, parent_code=T21, code=V21, name="焦店村", kind="village",
                      point_kind="village_committee")
    for username, role, code in [("coord21", "coordinator", V21), ("dadmin2", "district_admin", D2)]:
        user, _ = create_user(SYSTEM, username=username, name=f"{username}姓名", role=role, area_codes=[code],
                              password=World.PASSWORD, is_demo=True)
        world.users[username] = user


def test_a_second_districts_village_with_the_same_last_six_digits_can_take_money(world):
    first = world.person(world.V1)
    old = world.pay("coord1", (first, "medical"))          # issued before the second district exists
    assert old.number == numbers.receipt_number(world.campaign.year, world.V1, 1)
    second_district(world)
    other = world.person(V21)
    r = world.pay("coord21", (other, "medical"))           # failed: "刚刚有人为其中的人员缴费"
    assert r.number != old.number
    assert V21 in r.number
    again = world.pay("coord1", (world.person(world.V1), "medical"))
    assert world.V1 in again.number and again.number not in (old.number, r.number)
    for receipt in (old, r, again):
        token = signing.sign_number(receipt.number, RECEIPT_KEYS)
        assert verification.verify_receipt(RECEIPT_KEYS, receipt.number, token).status == verification.VALID


def test_hand_overs_and_bureau_batches_of_both_districts_get_their_own_numbers(world):
    second_district(world)
    made = []
    for coord, village, admin in [("coord1", world.V1, "dadmin"), ("coord21", V21, "dadmin2")]:
        r = world.pay(coord, (world.person(village), "medical"))
        h = handover.create_handover(world.actor(coord), village, [r.number], bank_slip_no="YH-1",
                                     amount_yuan=f"{r.total_fen / 100:.2f}")
        handover.confirm_handover(world.actor(admin), h.id, received_yuan=f"{r.total_fen / 100:.2f}")
        b = bureau.create_batch(world.actor(admin), village, "medical")
        made.append((r.number, h.number, b.number))
    for a, b in zip(*made, strict=True):
        assert a != b


@pytest.mark.parametrize("number", ["2018-200001-00042", "2018-410402200001-00042"])
def test_both_shapes_parse(number):
    year, village, mark, seq = numbers.RECEIPT.parse(number)
    assert (year, seq) == (2018, 42) and village in number


def test_a_village_given_a_corrected_code_does_not_reuse_the_numbers_of_its_old_code(world):
    """V2 printed 2018-200002-00001; its code is corrected to …200009; a new village then takes
    …200002 (no twin any more): its first receipt must not be 2018-200002-00001 again."""
    r = world.pay("coord2", (world.person(world.V2), "medical"))
    areas.change_code(world.actor("dadmin"), world.V2, "410411200009", "录入错误")
    areas.create_area(SYSTEM, parent_code=world.T1, code=world.V2, name="新大营村", kind="village",
                      point_kind="village_committee")
    user, _ = create_user(SYSTEM, username="coord9", name="新协管员", role="coordinator", area_codes=[world.V2],
                          password=World.PASSWORD, is_demo=True)
    world.users["coord9"] = user
    new = world.pay("coord9", (world.person(world.V2), "medical"))
    assert new.number != r.number and world.V2 in new.number


def test_the_offline_outbox_pays_and_replays_in_the_second_district(world, login):
    """The phone's outbox (POST /api/v1/payments, services/sync.py): the first payment in the
    second district's twin village gets a whole-code number, and a replay answers that receipt."""
    from tests.offline.conftest import assert_documented, payment_body
    world.pay("coord1", (world.person(world.V1), "medical"))
    second_district(world)
    body = payment_body((world.person(V21), "medical"))
    client = login("coord21")
    first = assert_documented(client.post("/api/v1/payments", json=body), "/payments", "post", 201)
    assert V21 in first["receipt_number"]
    again = client.post("/api/v1/payments", json=body)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["receipt_number"] == first["receipt_number"]
