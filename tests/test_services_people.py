from datetime import date

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditEvent, NameChange, Person
from webapp.services import people
from webapp.services.errors import NotFound, ValidationFailed
from webapp.services.people import PersonInput


def test_register_derives_birth_date_and_sex_and_encrypts_the_id(world):
    number = world.id_number(date(1990, 2, 14), male=False)
    p = people.register_person(world.actor("coord1"), world.V1, PersonInput(
        name="李 梅", id_number=number.lower(), address="曹镇村东街3号", phone="138-0013-8000"))
    assert (p.name, p.birth_date, p.sex, p.phone) == ("李梅", date(1990, 2, 14), "F", "13800138000")
    assert p.is_head and p.relation == "户主"
    assert p.id_masked == number[:6] + "********" + number[-4:]
    assert number not in p.id_cipher and p.id_number == number
    assert p.name_initials == "lm"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.register"))
    assert event.after["name"] == "李梅" and number not in str(event.after)


def test_one_person_per_id_number_in_the_district_says_where(world):
    first = world.person(world.V3)
    with pytest.raises(ValidationFailed) as e:
        people.register_person(world.actor("coord1"), world.V1, PersonInput(
            name="重复", id_number=first.id_number, address="某地"))
    assert "马庄街道马庄社区" in e.value.errors["id_number"]


def test_every_bad_field_is_reported_at_once_and_nothing_stored(world):
    with pytest.raises(ValidationFailed) as e:
        people.register_person(world.actor("coord1"), world.V1, PersonInput(
            name="张3", id_number="123", address="", phone="12345"))
    assert set(e.value.errors) == {"name", "id_number", "address", "phone"}
    assert db.session.scalar(select(Person.id)) is None


def test_join_a_household_and_only_one_head(world):
    head = world.person()
    with pytest.raises(ValidationFailed, match="已有户主"):
        people.register_person(world.actor("coord1"), world.V1, PersonInput(
            name="王二", id_number=world.id_number(), relation="户主", household_id=head.household_id))
    child = people.register_person(world.actor("coord1"), world.V1, PersonInput(
        name="王二", id_number=world.id_number(date(2012, 1, 1)), relation="子女", household_id=head.household_id))
    assert child.household_id == head.household_id and not child.is_head
    assert child.address == head.address  # the household's address when none is typed


def test_cannot_register_into_another_village(world):
    with pytest.raises(NotFound):
        people.register_person(world.actor("coord1"), world.V2, PersonInput(name="甲", id_number=world.id_number()))


def test_rename_keeps_history_and_updates_search_keys(world):
    p = world.person(name="张三")
    people.rename_person(world.actor("coord1"), p.id, "章三", "户口本已更名")
    p = db.session.get(Person, p.id)
    assert p.name == "章三" and p.name_initials == "zs" and p.name_pinyin == "zhangsan"
    history = db.session.scalars(select(NameChange)).all()
    assert [(h.old_name, h.new_name, h.reason) for h in history] == [("张三", "章三", "户口本已更名")]
    with pytest.raises(ValidationFailed):
        people.rename_person(world.actor("coord1"), p.id, "章三", "没有变")


def test_update_is_audited_with_before_and_after(world):
    p = world.person(phone="13800138000")
    people.update_person(world.actor("coord1"), p.id, address="新地址", phone="13900139000", relation="户主",
                         flags={"is_dibao": True})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.update"))
    assert event.before == {"address": "测试街1号", "phone": "13800138000", "is_dibao": False}
    assert event.after == {"address": "新地址", "phone": "13900139000", "is_dibao": True}


def test_reveal_full_id_is_audited(world):
    p = world.person()
    assert people.reveal_id_number(world.actor("tadmin1"), p.id) == p.id_number
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "id_number.view"))
    with pytest.raises(NotFound):
        people.reveal_id_number(world.actor("tadmin2"), p.id)
