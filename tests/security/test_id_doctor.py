"""`flask doctor` finds people stored before numbers were normalised (issue 11, part 1).

The rows are written past the services, exactly as the old code stored them: the typed spelling
encrypted, its own (different) lookup hash, masked and tailed as typed.
"""
from datetime import date

import pytest
from sqlalchemy import select
from stdnum.cn import ric

from webapp.extensions import db
from webapp.idvault import idvault
from webapp.models import Area, AuditEvent, Household, Person
from webapp.rules.masking import mask_id_number
from webapp.services.integrity import check_identities
from webapp.services.people import find_by_id_number

_FW = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
_AR = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def with_check(body):
    return body + ric.calc_check_digit(body + "0")


PLAIN = with_check("41041119870611002")
OTHER = with_check("41041119900101123")


def raw_person(village_code, name, typed, phone=""):
    """A person as the old code stored a number typed this way."""
    village = db.session.scalar(select(Area).where(Area.code == village_code))
    hh = Household(village_id=village.id, number="", address="旧数据")
    db.session.add(hh)
    db.session.flush()
    p = Person(village_id=village.id, household_id=hh.id, name=name, name_initials="x", name_pinyin="x",
               relation="户主", is_head=True, address="旧数据", phone=phone,
               id_hash=idvault._digest(typed), id_cipher=idvault._seal(typed), id_masked=mask_id_number(typed),
               id_tail=typed[-4:], birth_date=date(1987, 6, 11), sex="F")
    db.session.add(p)
    db.session.commit()
    return p.id


@pytest.fixture
def old_rows(world):
    a = world.person(world.V1, name="张三", id_number=PLAIN, phone="13800138000").id
    b = raw_person(world.V2, "张三", PLAIN.translate(_FW))                       # same person, full-width
    c = raw_person(world.V3, "张三", PLAIN[:-1].translate(_AR) + "X")           # same person, Arabic-Indic
    d = raw_person(world.V1, "李四", "410411" + OTHER[6:].translate(_FW), phone="１３８００１３８０００")
    e = raw_person(world.V1, "王五", with_check("41041119700101321"), phone="１２３")
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_check_finds_every_odd_spelling_and_the_duplicates(old_rows):
    r = check_identities()
    assert r.people == 5
    assert {o.person.id for o in r.odd_ids} == {old_rows["b"], old_rows["c"], old_rows["d"]}
    assert all(o.normalised.isascii() and not o.problem for o in r.odd_ids)
    assert [(n, [p.id for p in refs]) for n, refs in r.id_duplicates] == [
        (PLAIN, [old_rows["a"], old_rows["b"], old_rows["c"]])]
    phones = {o.person.id: (o.normalised, o.problem) for o in r.odd_phones}
    assert phones[old_rows["d"]] == ("13800138000", "")
    assert phones[old_rows["e"]][0] == "" and "11 位" in phones[old_rows["e"]][1]
    assert [(n, [p.id for p in refs]) for n, refs in r.phone_duplicates] == [
        ("13800138000", [old_rows["a"], old_rows["d"]])]
    assert not r.ok


def test_doctor_reports_them_and_fails(runner, old_rows):
    result = runner.invoke(args=["doctor", "--skip-pdf"])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "✗ 3 人的身份证号不是标准写法" in out
    assert "✗ 1 个身份证号以不同写法重复登记" in out
    assert (f"{mask_id_number(PLAIN)}：#{old_rows['a']} 张三（曹镇乡曹镇村）、#{old_rows['b']} 张三（曹镇乡大营村）、"
            f"#{old_rows['c']} 张三（马庄街道马庄社区）") in out
    assert "✗ 2 人的手机号不是标准写法" in out and "138****8000" in out
    assert "改写没有重复的 1 个身份证号和 1 个手机号" in out
    assert PLAIN not in out and OTHER not in out          # full numbers never printed


def test_fix_rewrites_what_duplicates_nobody_and_leaves_duplicates_to_a_person(runner, old_rows):
    assert find_by_id_number(OTHER) is None                 # the old row escapes every look-up
    result = runner.invoke(args=["doctor", "--skip-pdf", "--fix-spellings"])
    assert "身份证号 1 个，手机号 1 个" in result.output
    assert result.exit_code == 1                            # the duplicates remain
    d = find_by_id_number(OTHER)
    assert d is not None and d.id == old_rows["d"]
    assert d.id_number == OTHER and d.id_masked == mask_id_number(OTHER) and d.phone == "13800138000"
    assert d.birth_date == date(1990, 1, 1) and d.sex == "M"   # derived again from the number
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(d.id))).all()
    assert set(actions) >= {"person.normalise_id", "person.normalise_phone"}
    r = check_identities()
    assert {o.person.id for o in r.odd_ids} == {old_rows["b"], old_rows["c"]}
    assert len(r.id_duplicates) == 1
    assert db.session.get(Person, old_rows["b"]).id_number == PLAIN.translate(_FW)   # untouched


def test_doctor_passes_on_clean_data(runner, world):
    world.person(id_number=PLAIN, phone="13800138000")
    result = runner.invoke(args=["doctor", "--skip-pdf"])
    assert result.exit_code == 0, result.output
    assert "✓ 1 人的身份证号都是标准写法" in result.output and "✓ 没有同一身份证号的重复登记" in result.output
