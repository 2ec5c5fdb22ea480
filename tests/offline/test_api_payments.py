"""POST /api/v1/payments: idempotency, conflicts, validation, people by ID number, new enrollees."""
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.factories import World, valid_id
from tests.offline.conftest import CHINESE, assert_documented, payment_body
from webapp.extensions import db
from webapp.models import AuditEvent, Payment, Person, Receipt
from webapp.services import accounts, sync
from webapp.services.actor import SYSTEM
from webapp.services.errors import ValidationFailed
from webapp.timeutil import now_utc, today_local

PAY = "/payments"


def receipts_count():
    return db.session.scalar(select(func.count(Receipt.id)))


def test_payment_by_person_id_issues_a_receipt_as_documented(world, coord):
    p = world.person(phone="13800138000")
    body = payment_body((p, "medical"), (p, "pension", 30000), payer_name="张 三")
    resp = coord.post("/api/v1/payments", json=body)
    data = assert_documented(resp, PAY, "post", 201)
    assert data["total_fen"] == 25000 + 30000
    assert data["receipt_url"] == f"/receipts/{data['receipt_number']}"
    assert data["client_id"] == body["client_id"]
    assert data["payer_name"] == "张三"
    assert {(l["kind"], l["tier_fen"]) for l in data["lines"]} == {("medical", None), ("pension", 30000)}
    assert resp.headers["Location"] == data["receipt_url"]
    assert "Idempotent-Replayed" not in resp.headers
    assert coord.get(data["receipt_url"]).status_code == 200


def test_answer_links_the_receipts_pdf_and_its_public_verification(world, coord, client):
    p = world.person()
    data = coord.post("/api/v1/payments", json=payment_body((p, "medical"))).get_json()
    assert data["verify_url"].startswith("http://lx.test/v/" + data["receipt_number"] + "/")
    pdf = coord.get(data["pdf_url"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    # The QR code's URL is public: anyone can open it and see the receipt is genuine.
    coord.post("/logout")
    page = client.get(data["verify_url"][len("http://lx.test"):])
    assert page.status_code == 200 and "真实有效" in page.get_data(as_text=True)


def test_replay_with_same_content_gives_the_same_answer_and_one_payment(world, coord):
    p = world.person()
    body = payment_body((p, "medical"), (p, "pension", 20000))
    first = coord.post("/api/v1/payments", json=body)
    again = coord.post("/api/v1/payments", json=body)
    # JSON key order may differ between the two: it is the same answer, and a replay says so.
    reordered = {**body, "lines": list(reversed(body["lines"]))}
    third = coord.post("/api/v1/payments", json=reordered)
    assert first.status_code == again.status_code == third.status_code == 201
    assert first.get_json() == again.get_json() == third.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert receipts_count() == 1
    assert db.session.scalar(select(func.count(Payment.id))) == 2


@pytest.mark.parametrize("change", [
    {"payer_name": "别人"},
    {"method": "wechat"},
    {"lines": "tier"},
    {"expected_total_fen": 45000},
])
def test_same_client_id_with_different_content_is_409(world, coord, change):
    p = world.person()
    body = payment_body((p, "medical"), (p, "pension", 20000))
    assert coord.post("/api/v1/payments", json=body).status_code == 201
    other = dict(body, **change)
    if change.get("lines") == "tier":
        other["lines"] = [{"person_id": p.id, "kind": "medical"},
                          {"person_id": p.id, "kind": "pension", "amount_fen": 30000}]
    data = assert_documented(coord.post("/api/v1/payments", json=other), PAY, "post", 409)
    assert data["code"] == "client_id_conflict"
    assert CHINESE.search(data["error"])
    assert receipts_count() == 1


def test_already_paid_is_409_with_who_took_the_money(world, coord):
    p = world.person(name="王五")
    earlier = world.pay("coord1", (p, "medical"))
    data = assert_documented(coord.post("/api/v1/payments", json=payment_body((p, "medical"))), PAY, "post", 409)
    assert data["code"] == "already_paid"
    assert "王五" in data["error"] and earlier.number in data["error"]
    assert receipts_count() == 1


def test_payment_with_invalid_tier_is_refused_and_names_the_line(world, coord):
    p = world.person()
    body = payment_body((p, "medical"), (p, "pension", 12345))
    data = assert_documented(coord.post("/api/v1/payments", json=body), PAY, "post", 422)
    assert data["code"] == "invalid"
    assert "档次" in data["errors"]["lines[1]"]
    assert receipts_count() == 0


BAD = [
    ({"lines": [{"person_id": 1, "kind": "medical"}]}, "client_id", "缴费编号"),
    ({"client_id": "not-a-uuid", "lines": [{"person_id": 1, "kind": "medical"}]}, "client_id", "格式"),
    ({"client_id": "U", "lines": []}, "lines", "至少"),
    ({"client_id": "U", "lines": [{"person_id": 1, "kind": "dental"}]}, "lines[0].kind", "险种"),
    ({"client_id": "U", "lines": [{"kind": "medical"}]}, "lines[0]", "person_id"),
    ({"client_id": "U", "lines": [{"person_id": 1, "id_number": "x", "kind": "medical"}]}, "lines[0]", "只填一个"),
    ({"client_id": "U", "lines": [{"id_number": "410411198005170010", "kind": "medical"}]},
     "lines[0].id_number", "校验位"),
    ({"client_id": "U", "lines": [{"person_id": 1, "kind": "pension"}]}, "lines[0].amount_fen", "档次"),
    ({"client_id": "U", "lines": [{"person_id": 1, "kind": "medical", "amount_fen": 100}]},
     "lines[0].amount_fen", "医疗"),
    ({"client_id": "U", "lines": [{"person_id": "1", "kind": "medical"}]}, "lines[0].person_id", "整数"),
    ({"client_id": "U", "lines": [{"person_id": 1, "kind": "medical"}], "method": "gold"}, "method", "缴费方式"),
    ({"client_id": "U", "lines": [{"person_id": 1, "kind": "medical"}], "recorded_at": "昨天"}, "recorded_at", "时间"),
]


@pytest.mark.parametrize("body,field,words", BAD)
def test_invalid_requests_are_422_with_chinese_field_errors(world, coord, body, field, words):
    world.person()
    body = {k: (str(uuid.uuid4()) if v == "U" else v) for k, v in body.items()}
    data = assert_documented(coord.post("/api/v1/payments", json=body), PAY, "post", 422)
    assert words in data["errors"][field]
    assert all(CHINESE.search(m) for m in data["errors"].values())
    assert receipts_count() == 0


def test_a_body_that_is_not_json_is_422(world, coord):
    resp = coord.post("/api/v1/payments", data="client_id=1", content_type="application/x-www-form-urlencoded")
    assert assert_documented(resp, PAY, "post", 422)["errors"]["body"]


def test_expected_total_that_the_server_does_not_agree_with_records_nothing(world, coord):
    p = world.person()
    body = payment_body((p, "medical"), expected_total_fen=20000)
    data = assert_documented(coord.post("/api/v1/payments", json=body), PAY, "post", 422)
    assert "¥200.00" in data["errors"]["expected_total_fen"] and "¥250.00" in data["errors"]["expected_total_fen"]
    assert receipts_count() == 0
    assert coord.post("/api/v1/payments", json=dict(body, expected_total_fen=25000)).status_code == 201


def test_registered_person_found_by_id_number(world, coord):
    number = valid_id(seed=11)
    p = world.person(id_number=number)
    body = {"client_id": str(uuid.uuid4()), "lines": [{"id_number": number.lower(), "kind": "medical"}]}
    data = assert_documented(coord.post("/api/v1/payments", json=body), PAY, "post", 201)
    assert data["lines"][0]["person_id"] == p.id
    assert db.session.scalar(select(func.count(Person.id))) == 1


def test_id_number_of_someone_in_another_village_is_refused(world, coord):
    number = valid_id(seed=12)
    world.person(World.V2, id_number=number)
    body = {"client_id": str(uuid.uuid4()), "lines": [{"id_number": number, "kind": "medical"}]}
    data = assert_documented(coord.post("/api/v1/payments", json=body), PAY, "post", 422)
    assert "大营村" in data["errors"]["lines[0].id_number"]
    assert receipts_count() == 0


def test_person_id_outside_the_coordinators_villages_is_404(world, coord):
    p = world.person(World.V3)
    data = assert_documented(coord.post("/api/v1/payments", json=payment_body((p, "medical"))), PAY, "post", 404)
    assert data["code"] == "not_found"
    assert receipts_count() == 0


def new_enrollee_body(number, **line):
    return {"client_id": str(uuid.uuid4()), "lines": [
        {"id_number": number, "kind": "medical", "name": "新 来", "address": "新村路8号", "phone": "13912345678",
         **line},
        {"id_number": number, "kind": "pension", "amount_fen": 20000}]}


def test_new_enrollee_is_registered_in_the_same_transaction_as_the_payment(world, coord):
    number = valid_id(seed=21)
    data = assert_documented(coord.post("/api/v1/payments", json=new_enrollee_body(number)), PAY, "post", 201)
    person = db.session.scalar(select(Person).where(Person.id_tail == number[-4:]))
    assert person.name == "新来" and person.new_enrollee and person.is_head and person.village.code == World.V1
    assert person.address == "新村路8号" and person.phone == "13912345678"
    assert {l["person_id"] for l in data["lines"]} == {person.id}
    assert all(l["new_enrollee"] for l in data["lines"])
    assert data["household_id"] == person.household_id
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"person.register", "payment.record"} <= actions


def test_a_refused_payment_registers_nobody(world, coord):
    number = valid_id(seed=22)
    body = new_enrollee_body(number)
    body["lines"][1]["amount_fen"] = 12345   # not a tier of this campaign
    data = assert_documented(coord.post("/api/v1/payments", json=body), PAY, "post", 422)
    assert "lines[1]" in data["errors"]
    assert db.session.scalar(select(func.count(Person.id))) == 0
    assert not db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "person.register"))


def test_new_enrollee_replay_registers_once_and_changed_details_are_a_conflict(world, coord):
    number = valid_id(seed=23)
    body = new_enrollee_body(number)
    first = coord.post("/api/v1/payments", json=body)
    again = coord.post("/api/v1/payments", json=body)
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    assert db.session.scalar(select(func.count(Person.id))) == 1
    # The fingerprint covers what the phone sent, new-enrollee details included.
    renamed = {**body, "lines": [dict(body["lines"][0], name="别名"), body["lines"][1]]}
    data = assert_documented(coord.post("/api/v1/payments", json=renamed), PAY, "post", 409)
    assert data["code"] == "client_id_conflict"
    assert receipts_count() == 1


def test_unregistered_id_number_needs_the_persons_details(world, coord):
    body = {"client_id": str(uuid.uuid4()), "lines": [{"id_number": valid_id(seed=24), "kind": "medical"}]}
    data = assert_documented(coord.post("/api/v1/payments", json=body), PAY, "post", 422)
    assert "姓名" in data["errors"]["lines[0].name"]


def test_new_enrollee_details_are_checked_by_the_register_rules(world, coord):
    body = new_enrollee_body(valid_id(seed=25), phone="123")
    data = assert_documented(coord.post("/api/v1/payments", json=body), PAY, "post", 422)
    assert "lines[0].phone" in data["errors"]
    assert db.session.scalar(select(func.count(Person.id))) == 0


def test_coordinator_of_two_villages_names_the_village_of_a_new_enrollee(world, client, login):
    accounts.create_user(SYSTEM, username="coord12", name="两村协管", role="coordinator",
                         area_codes=[World.V1, World.V2], password=World.PASSWORD, is_demo=True)
    c = login("coord12")
    body = new_enrollee_body(valid_id(seed=26))
    data = assert_documented(c.post("/api/v1/payments", json=body), PAY, "post", 422)
    assert "村/社区" in data["errors"]["lines[0].village"]
    body["client_id"] = str(uuid.uuid4())
    body["lines"][0]["village"] = World.V2
    data = assert_documented(c.post("/api/v1/payments", json=body), PAY, "post", 201)
    assert data["receipt_number"].split("-")[1] == World.V2[-6:]
    body["client_id"] = str(uuid.uuid4())
    body["lines"] = [dict(body["lines"][0], id_number=valid_id(seed=27), village=World.V3)]
    data = assert_documented(c.post("/api/v1/payments", json=body), PAY, "post", 422)
    assert "不在您负责" in data["errors"]["lines[0].village"]


def test_new_enrollee_joins_the_household_given(world, coord):
    head = world.person(name="户主甲")
    body = new_enrollee_body(valid_id(seed=28, birth=head.birth_date.replace(year=2005)))
    body["household_id"] = head.household_id
    body["lines"] = body["lines"][:1]
    assert coord.post("/api/v1/payments", json=body).status_code == 201
    members = db.session.scalars(select(Person).where(Person.household_id == head.household_id)).all()
    assert len(members) == 2
    newcomer = next(m for m in members if m.id != head.id)
    assert newcomer.relation == "其他" and not newcomer.is_head


def test_only_coordinators_take_money(world, login):
    p = world.person()
    c = login("tadmin1")
    data = assert_documented(c.post("/api/v1/payments", json=payment_body((p, "medical"))), PAY, "post", 403)
    assert data["code"] == "forbidden"


def test_payment_taken_offline_on_the_last_day_is_accepted_after_the_window_closed(world, coord):
    """An outbox item reaches the server the morning after the collection window closed: it
    counts on the day the money was taken, as the phone recorded it."""
    p = world.person()
    c = world.campaign
    today = today_local()
    c.collection_end = today - timedelta(days=1)
    c.summary_start = today
    db.session.commit()
    body = payment_body((p, "medical"))
    data = assert_documented(coord.post("/api/v1/payments", json=body), PAY, "post", 422)
    assert data["code"] == "campaign_closed"
    taken = (now_utc() - timedelta(days=1)).isoformat() + "Z"
    body = payment_body((p, "medical"), recorded_at=taken)
    assert coord.post("/api/v1/payments", json=body).status_code == 201


def test_taken_at_believes_the_phone_only_within_a_week_and_a_few_minutes_ahead():
    now = now_utc()
    assert sync.taken_at(now - timedelta(days=2), now) == now - timedelta(days=2)
    assert sync.taken_at(now + sync.CLOCK_SKEW, now) == now + sync.CLOCK_SKEW
    assert sync.taken_at(None, now) == now
    for wrong in (now + timedelta(hours=3), now - timedelta(days=30)):   # clock ahead, far behind
        with pytest.raises(ValidationFailed) as e:
            sync.taken_at(wrong, now)
        assert CHINESE.search(e.value.errors["recorded_at"])
