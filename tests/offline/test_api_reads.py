"""The worklist, household and person look-ups, and registering a person through the API."""
from sqlalchemy import func, select

from tests.factories import World, valid_id
from tests.offline.conftest import CHINESE, assert_documented
from webapp.extensions import db
from webapp.models import Person


def test_worklist_of_a_village_as_documented(world, coord):
    head = world.person(name="甲户主")
    world.person(name="甲子女", household=head.household_id, birth=head.birth_date.replace(year=2016))
    paid = world.person(name="乙户主")
    world.pay("coord1", (paid, "medical"), (paid, "pension", 20000))
    world.person(World.V2, name="别村人")
    data = assert_documented(coord.get(f"/api/v1/villages/{World.V1}/worklist"), "/villages/{code}/worklist")
    assert data["village"]["code"] == World.V1
    assert data["counts"] == {"all": 2, "paid": 1, "unpaid": 1}
    assert 20000 in data["pension_tiers"]
    names = {m["name"] for h in data["households"] for m in h["members"]}
    assert names == {"甲户主", "甲子女", "乙户主"}
    done = next(h for h in data["households"] if h["head_name"] == "乙户主")
    assert done["done"] and done["members"][0]["medical"]["paid"] and done["members"][0]["medical"]["receipt_number"]
    child = next(m for h in data["households"] for m in h["members"] if m["name"] == "甲子女")
    assert not child["pension"]["expected"] and "16" in child["pension"]["blocked"]
    assert child["medical_self_fen"] == 25000
    unpaid = assert_documented(coord.get(f"/api/v1/villages/{World.V1}/worklist?status=unpaid"),
                               "/villages/{code}/worklist")
    assert [h["head_name"] for h in unpaid["households"]] == ["甲户主"]


def test_worklist_pages(world, coord):
    for _ in range(5):
        world.person()
    data = coord.get(f"/api/v1/villages/{World.V1}/worklist?per_page=2&page=3").get_json()
    assert (data["page"], data["pages"], data["total"], len(data["households"])) == (3, 3, 5, 1)


def test_household_as_documented(world, coord):
    p = world.person(name="丙", is_dibao=True)
    data = assert_documented(coord.get(f"/api/v1/households/{p.household_id}"), "/households/{household_id}")
    member = data["members"][0]
    assert member["person_id"] == p.id and member["id_masked"] == p.id_masked
    assert member["medical_gov_fen"] > 0 and member["medical_self_fen"] + member["medical_gov_fen"] == 25000
    other = world.person(World.V3)
    assert coord.get(f"/api/v1/households/{other.household_id}").status_code == 404


def test_lookup_by_full_id_number(world, coord):
    number = valid_id(seed=31)
    p = world.person(id_number=number)
    data = assert_documented(coord.post("/api/v1/people/lookup", json={"id_number": number}), "/people/lookup", "post")
    assert data["person_id"] == p.id and data["household_id"] == p.household_id
    assert number not in str(data)   # the answer carries the masked number only
    missing = coord.post("/api/v1/people/lookup", json={"id_number": valid_id(seed=32)})
    assert "尚未登记" in assert_documented(missing, "/people/lookup", "post", 404)["error"]
    bad = coord.post("/api/v1/people/lookup", json={"id_number": "12345"})
    assert CHINESE.search(assert_documented(bad, "/people/lookup", "post", 422)["errors"]["id_number"])
    elsewhere = valid_id(seed=33)
    world.person(World.V3, id_number=elsewhere)
    assert coord.post("/api/v1/people/lookup", json={"id_number": elsewhere}).status_code == 404


def test_register_a_person(world, coord):
    number = valid_id(seed=34)
    body = {"village": World.V1, "name": "丁一", "id_number": number, "address": "东街2号",
            "phone": "13700001111", "flags": {"is_student": True, "new_enrollee": True}}
    data = assert_documented(coord.post("/api/v1/people", json=body), "/people", "post", 201)
    person = db.session.get(Person, data["person_id"])
    assert person.name == "丁一" and person.is_student and person.new_enrollee and person.is_head
    again = assert_documented(coord.post("/api/v1/people", json=body), "/people", "post", 422)
    assert "已在" in again["errors"]["id_number"]
    joined = {"village": World.V1, "name": "丁二", "id_number": valid_id(seed=35), "relation": "配偶",
              "household_id": person.household_id}
    data = assert_documented(coord.post("/api/v1/people", json=joined), "/people", "post", 201)
    assert data["household_id"] == person.household_id and data["relation"] == "配偶"


def test_register_refuses_bad_input_in_chinese(world, coord):
    data = assert_documented(coord.post("/api/v1/people", json={"name": "", "id_number": "1"}), "/people", "post", 422)
    assert set(data["errors"]) >= {"village"}
    data = assert_documented(coord.post("/api/v1/people", json={"village": World.V1, "name": "X1", "id_number": "1"}),
                             "/people", "post", 422)
    assert {"name", "id_number", "address"} <= set(data["errors"])
    assert all(CHINESE.search(m) for m in data["errors"].values())
    assert coord.post("/api/v1/people", json={"village": World.V3, "name": "某", "id_number": valid_id(seed=36),
                                              "address": "x"}).status_code == 404
    assert db.session.scalar(select(func.count(Person.id))) == 0
