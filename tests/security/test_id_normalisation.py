"""Issue 11, part 1: one person, one ID number, whatever digits were typed -- at every door.

Each spelling below validated on the old code, was stored as typed and escaped the duplicate
check (its hash differed from the plain number's): one person registered and paid three times.
"""
import io
import uuid
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from stdnum.cn import ric

from tests.factories import World
from tests.paperwork.util import PLAN_HEADERS, csv_bytes, xlsx_bytes
from webapp.extensions import db
from webapp.models import Person, RosterRow
from webapp.services import bureau, exports, handover, imports, roster, search, sync
from webapp.services.people import find_by_id_number
from webapp.timeutil import today_local

BODY = "41041119870611002"
PLAIN = BODY + ric.calc_check_digit(BODY + "0")     # 41041119870611002X
MASKED = PLAIN[:6] + "*" * 8 + PLAIN[-4:]
_FW = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
_AR = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

SPELLINGS = {
    "full_width_digits": "410411" + PLAIN[6:].translate(_FW),          # 410411１９８７０６１１００２Ｘ
    "all_full_width": PLAIN.translate(_FW),
    "arabic_indic": PLAIN[:-1].translate(_AR) + "X",
    "zero_width_space": PLAIN[:6] + "\u200b" + PLAIN[6:14] + "\u200b" + PLAIN[14:],
    "full_width_hyphen": PLAIN[:6] + "－" + PLAIN[6:14] + "－" + PLAIN[14:],
}
PHONE_FW = "１３８－００１３－８０００"
PHONE = "13800138000"

pytestmark = pytest.mark.parametrize("typed", list(SPELLINGS.values()), ids=list(SPELLINGS))


def person_count() -> int:
    return db.session.scalar(select(func.count(Person.id)))


def stored(person_id: int) -> Person:
    return db.session.get(Person, person_id)


def assert_plain(person: Person):
    assert person.id_number == PLAIN and person.id_number.isascii()
    assert person.id_masked == MASKED and person.id_tail == PLAIN[-4:]
    assert find_by_id_number(PLAIN).id == person.id


def register_form(client, id_number, name="张三", phone=PHONE):
    return client.post(f"/villages/{World.V1}/register", data={
        "name": name, "id_number": id_number, "address": "东街1号", "phone": phone, "relation": "户主"})


def test_form_stores_ascii_and_refuses_every_other_spelling(world, login, typed):
    client = login("coord1")
    resp = register_form(client, typed, phone=PHONE_FW)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    person = db.session.scalar(select(Person))
    assert_plain(person)
    assert person.phone == PHONE
    for again in [PLAIN, PLAIN.translate(_FW), PLAIN[:6] + "\u200b" + PLAIN[6:]]:
        resp = register_form(client, again, name="张叁")
        assert resp.status_code == 422
        assert "该身份证号已在曹镇乡曹镇村登记" in resp.get_data(as_text=True)
    assert person_count() == 1
    # and the plain spelling first, the odd one second
    db.session.delete(person)
    db.session.commit()
    assert register_form(client, PLAIN).status_code == 302
    resp = register_form(client, typed, name="张叁")
    assert resp.status_code == 422 and "已在曹镇乡曹镇村登记" in resp.get_data(as_text=True)


def test_api_register_lookup_and_payment_find_the_one_person(world, login, typed):
    client = login("coord1")
    body = {"village": World.V1, "name": "张三", "id_number": typed, "address": "东街1号", "phone": PHONE_FW}
    resp = client.post("/api/v1/people", json=body)
    assert resp.status_code == 201, resp.get_json()
    person = stored(resp.get_json()["person_id"])
    assert_plain(person)
    assert person.phone == PHONE
    again = client.post("/api/v1/people", json=body | {"id_number": PLAIN, "name": "张叁"})
    assert again.status_code == 422 and "已在曹镇乡曹镇村登记" in again.get_json()["errors"]["id_number"]
    found = client.post("/api/v1/people/lookup", json={"id_number": PLAIN.translate(_FW)})
    assert found.status_code == 200 and found.get_json()["person_id"] == person.id
    # A payment naming the person by a third spelling pays that person; nobody new is registered.
    pay = {"client_id": str(uuid.uuid4()), "lines": [
        {"kind": "medical", "id_number": PLAIN[:6] + "\u200b" + PLAIN[6:], "name": "张三", "address": "东街1号"}]}
    resp = client.post("/api/v1/payments", json=pay)
    assert resp.status_code == 201, resp.get_json()
    assert person_count() == 1


def test_api_payment_registering_a_new_enrollee_stores_ascii(world, login, typed):
    client = login("coord1")
    pay = {"client_id": str(uuid.uuid4()), "lines": [
        {"kind": "medical", "id_number": typed, "name": "张三", "address": "东街1号", "phone": PHONE_FW}]}
    resp = client.post("/api/v1/payments", json=pay)
    assert resp.status_code == 201, resp.get_json()
    person = db.session.scalar(select(Person))
    assert_plain(person)
    assert person.phone == PHONE
    # The same line sent with the plain number (a new client_id) is "already paid", not a second person.
    pay2 = {"client_id": str(uuid.uuid4()), "lines": [{"kind": "medical", "id_number": PLAIN}]}
    assert client.post("/api/v1/payments", json=pay2).status_code in (409, 422)
    assert person_count() == 1


def test_fingerprint_is_the_same_for_every_spelling(world, typed):
    def sub(number):
        return sync.PaymentSubmission(client_id="x", lines=(sync.LineInput(kind="medical", id_number=number),))
    assert sync.submission_fingerprint(sub(typed)) == sync.submission_fingerprint(sub(PLAIN))


def test_plan_list_stores_ascii_and_sees_duplicates_in_any_spelling(world, typed):
    rows = [PLAN_HEADERS, ["0001", "张三", typed, "户主", "东街1号", PHONE_FW, "", "否"]]
    job = imports.import_plan(world.actor("tadmin1"), "plan.xlsx", xlsx_bytes(rows), village_code=World.V1)
    assert job.imported_count == 1
    person = db.session.scalar(select(Person))
    assert_plain(person)
    assert person.phone == PHONE
    # the same person again, plainly typed, in a second list
    job = imports.preview_plan(world.actor("tadmin1"), "again.csv",
                               csv_bytes([PLAN_HEADERS, ["0002", "张叁", PLAIN, "户主", "西街", "", "", ""]]),
                               village_code=World.V1)
    assert job.error_count == 1 and "已在曹镇乡曹镇村登记" in job.problems[0][1]
    # and twice within one list
    job = imports.preview_plan(world.actor("tadmin1"), "twice.csv", csv_bytes([
        PLAN_HEADERS, ["0003", "李四", PLAIN.translate(_FW)[:-1] + "X", "户主", "西街", "", "", ""],
        ["0004", "李四", PLAIN, "户主", "西街", "", "", ""]]), village_code=World.V2)
    messages = [m for _, m in job.problems]
    assert any("与第 2 行重复" in m for m in messages)
    assert person_count() == 1


def test_register_form_then_plan_list_in_another_spelling_is_refused(world, login, typed):
    client = login("coord1")
    assert register_form(client, PLAIN).status_code == 302
    job = imports.preview_plan(world.actor("tadmin1"), "plan.xlsx", xlsx_bytes(
        [PLAN_HEADERS, ["0001", "张三", typed, "户主", "东街1号", "", "", "否"]]), village_code=World.V1)
    assert job.error_count == 1 and "已在曹镇乡曹镇村登记" in job.problems[0][1]


def test_gov_list_search_and_bureau_results_find_the_person(world, typed):
    person = world.person(name="张三", id_number=PLAIN)
    job = imports.import_gov(world.actor("tadmin1"), "d.csv", csv_bytes([["姓名", "身份证号"], ["张三", typed]]),
                             group="dibao")
    assert job.status == "done" and stored(person.id).is_dibao
    assert [p.id for p in search.search_people(world.actor("coord1"), typed)] == [person.id]
    tail = PLAIN[-6:].translate(_FW)
    assert [p.id for p in search.search_people(world.actor("coord1"), tail)] == [person.id]

    receipt = world.pay("coord1", (stored(person.id), "pension", 20000))
    h = handover.create_handover(world.actor("coord1"), World.V1, [receipt.number], bank_slip_no="YH-1",
                                 amount_yuan=f"{receipt.total_fen / 100:.2f}")
    handover.confirm_handover(world.actor("tadmin1"), h.id, received_yuan=f"{receipt.total_fen / 100:.2f}")
    batch = bureau.create_batch(world.actor("tadmin1"), World.V1, "pension")
    result = xlsx_bytes([["序号", "姓名", "公民身份号码", "导入结果", "失败原因"], [1, "张三", typed, "成功", ""]])
    assert bureau.import_results(world.actor("tadmin1"), batch.id, "r.xlsx", result)["accepted"] == 1


def test_annex_2_export_and_the_roster_show_ascii(world, login, typed):
    client = login("coord1")
    assert register_form(client, typed, phone=PHONE_FW).status_code == 302
    person = db.session.scalar(select(Person))
    world.pay("coord1", (person, "pension", 20000))
    ws = load_workbook(io.BytesIO(exports.export_annex(world.actor("tadmin1"), "pension", World.V1).data)).worksheets[0]
    row = [c.value for c in ws[3]]
    assert row[1] == "张三" and row[2] == PLAIN and row[4] == PHONE
    v = roster.publish_roster(world.actor("dadmin"), World.V1, posting_start=today_local(),
                              posting_end=today_local() + timedelta(days=6), office_phone="0375-2612345")
    assert db.session.scalar(select(RosterRow.id_masked).where(RosterRow.roster_id == v.id)) == MASKED
    page = client.get(f"/gongshi/{World.V1}").get_data(as_text=True)
    assert MASKED in page
