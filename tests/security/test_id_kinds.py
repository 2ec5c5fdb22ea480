"""Issue 11, part 2: every lawful 18-character number registers, through every door, with the
birth date and sex it carries: Hong Kong, Macao and Taiwan residents' residence permits and the
2023 foreigners' permanent-residence ID card."""
from datetime import date

import pytest
from sqlalchemy import select
from stdnum.cn import ric

from tests.factories import World
from tests.paperwork.util import PLAN_HEADERS, xlsx_bytes
from webapp.extensions import db
from webapp.models import Person
from webapp.rules.idnumber import parse_id_number
from webapp.services import imports


def with_check(body):
    return body + ric.calc_check_digit(body + "0")


NUMBERS = {
    "taiwan": (with_check("83000019900101123"), date(1990, 1, 1), "M", "台湾居民居住证"),
    "hong_kong": (with_check("81000019850315124"), date(1985, 3, 15), "F", "香港居民居住证"),
    "macao": (with_check("82000019720229001"), date(1972, 2, 29), "M", "澳门居民居住证"),
    "foreigner": (with_check("91184019850315012"), date(1985, 3, 15), "F", "外国人永久居留身份证（美国）"),
}

pytestmark = pytest.mark.parametrize("case", list(NUMBERS.values()), ids=list(NUMBERS))


def check_person(person: Person, case):
    number, birth, sex, label = case
    assert person.id_number == number and person.birth_date == birth and person.sex == sex
    assert parse_id_number(person.id_number).kind_label == label   # the kind is derived, never typed


def test_register_by_form(world, login, case):
    client = login("coord1")
    resp = client.post(f"/villages/{World.V1}/register", data={
        "name": "陈美玲", "id_number": case[0], "address": "东街1号", "phone": "", "relation": "户主"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:400]
    check_person(db.session.scalar(select(Person)), case)


def test_register_by_api(world, login, case):
    client = login("coord1")
    resp = client.post("/api/v1/people", json={"village": World.V1, "name": "陈美玲", "id_number": case[0],
                                               "address": "东街1号"})
    assert resp.status_code == 201, resp.get_json()
    check_person(db.session.get(Person, resp.get_json()["person_id"]), case)


def test_register_by_plan_list_and_pay(world, case):
    rows = [PLAN_HEADERS, ["0001", "陈美玲", case[0], "户主", "东街1号", "", "", "是"]]
    job = imports.import_plan(world.actor("tadmin1"), "plan.xlsx", xlsx_bytes(rows), village_code=World.V1)
    assert job.imported_count == 1
    person = db.session.scalar(select(Person))
    check_person(person, case)
    receipt = world.pay("coord1", (person, "medical"))
    assert receipt.total_fen > 0
