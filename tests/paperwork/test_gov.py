"""Government-paid lists from the civil-affairs office: marks people, audited, all or none."""
import pytest
from sqlalchemy import select

from tests.paperwork.util import csv_bytes, xlsx_bytes
from webapp.extensions import db
from webapp.models import AuditEvent, Person
from webapp.services import imports
from webapp.services.errors import Forbidden, ValidationFailed


def test_marks_people_and_audits_each(world):
    a, b = world.person(name="张三"), world.person(name="李四", village=world.V2)
    data = xlsx_bytes([["序号", "姓名", "公民身份号码", "救助类别"], [1, "张三", a.id_number, "低保"],
                       [2, "李四", b.id_number, "低保"]], title_row="2018年低保名单")
    job = imports.preview_gov(world.actor("tadmin1"), "dibao.xlsx", data, group="dibao")
    assert job.error_count == 0 and job.summary["set"] == 2
    assert not db.session.get(Person, a.id).is_dibao  # preview changes nothing
    imports.confirm_gov(world.actor("tadmin1"), job.id, data)
    assert db.session.get(Person, a.id).is_dibao and db.session.get(Person, b.id).is_dibao
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "person.update",
                                                         AuditEvent.object_id == str(a.id))).all()
    assert events and events[-1].after == {"is_dibao": True} and "代缴名单（低保）" in events[-1].summary
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "govlist.import")).after["set"] == 2


def test_a_marked_person_pays_less(world):
    """The flag is what the payment rules read: the government's part appears on the receipt."""
    a = world.person(name="张三")
    imports.import_gov(world.actor("tadmin1"), "d.csv", csv_bytes([["姓名", "身份证号"], ["张三", a.id_number]]),
                       group="tekun")
    r = world.pay("coord1", (a, "medical"))
    assert r.gov_total_fen > 0


def test_problems_by_row_and_nothing_changed(world):
    a = world.person(name="张三")
    stranger = world.person(name="王五", village=world.V3)   # outside 曹镇乡
    rows = [["姓名", "身份证号"], ["张三", a.id_number], ["李四", a.id_number], ["赵六", world.id_number()],
            ["王五", stranger.id_number], ["孙七", "410411198005171230"], ["钱八", 4.1e17]]
    job = imports.preview_gov(world.actor("tadmin1"), "d.xlsx", xlsx_bytes(rows), group="dibao")
    problems = dict(job.problems)
    assert "重复" in problems[3]
    assert "未在您管理的村/社区登记" in problems[4] and "未在您管理的村/社区登记" in problems[5]
    assert "身份证号" in problems[6] and "科学计数法" in problems[7]
    with pytest.raises(imports.ListRejected):
        imports.confirm_gov(world.actor("tadmin1"), job.id, xlsx_bytes(rows))
    assert not db.session.get(Person, a.id).is_dibao


def test_name_must_match(world):
    a = world.person(name="张三")
    job = imports.preview_gov(world.actor("tadmin1"), "d.csv", csv_bytes([["姓名", "身份证号"], ["张叁", a.id_number]]),
                              group="disabled")
    assert job.problems == [[2, "姓名与登记的“张三”不一致"]]


def test_replace_unmarks_those_not_on_the_list(world):
    a, b = world.person(name="张三", is_dibao=True), world.person(name="李四", is_dibao=True)
    job = imports.import_gov(world.actor("tadmin1"), "d.csv", csv_bytes([["姓名", "身份证号"], ["张三", a.id_number]]),
                             group="dibao", replace=True)
    assert job.summary == {"set": 0, "already": 1, "unset": 1, "group": "dibao"}
    assert db.session.get(Person, a.id).is_dibao and not db.session.get(Person, b.id).is_dibao


def test_bad_input(world):
    with pytest.raises(ValidationFailed) as e:
        imports.preview_gov(world.actor("tadmin1"), "d.csv", csv_bytes([["姓名", "住址"], ["张三", "x"]]),
                            group="dibao")
    assert "身份证号" in e.value.errors["file"]
    with pytest.raises(ValidationFailed):
        imports.preview_gov(world.actor("tadmin1"), "d.csv", b"x", group="rich")
    with pytest.raises(Forbidden):
        imports.preview_gov(world.actor("coord1"), "d.csv", b"x", group="dibao")
