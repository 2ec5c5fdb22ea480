"""rules/plan_rows.py without a database: one plan-list row, the villages it may name, the
campaign's notes for it, and one household of rows (issue 14, part 3: check_plan split into
pure per-row rules and a short service; the service's behaviour is tests/paperwork/test_imports.py)."""
from dataclasses import dataclass
from datetime import date

import pytest
from stdnum.cn import ric

from webapp.rules.eligibility import Policy
from webapp.rules.plan_rows import (
    PHONE_NOTE,
    EligibilityNotes,
    Villages,
    check_plan_row,
    fill_household_addresses,
    marked_as_head,
    settle_household,
)
from webapp.rules.spreadsheet import PLAN_COLUMNS, match_headers
from webapp.rules.spreadsheet import Table as SheetTable

HEADERS = ["村/社区", "户号", "姓名", "身份证号", "与户主关系", "住址", "联系电话", "人员类别", "是否新参保", "户主"]
MINE = {1: {"code": "410411200001", "name": "曹镇村", "full_name": "曹镇乡曹镇村"},
        2: {"code": "410411200002", "name": "东村", "full_name": "曹镇乡东村"},
        3: {"code": "410411001001", "name": "东村", "full_name": "马庄街道东村"}}


def id_number(birth="19800517", seq="123") -> str:
    body = f"410411{birth}{seq}"
    return body + ric.calc_check_digit(body + "0")


def table(headers=HEADERS) -> SheetTable:
    return SheetTable(columns=match_headers(headers, PLAN_COLUMNS))


def row(**cells) -> list:
    values = {"村/社区": "410411200001", "户号": "0001", "姓名": "张三", "身份证号": id_number(), "与户主关系": "户主",
              "住址": "曹镇村东街1号", "联系电话": "13800138000", "人员类别": "", "是否新参保": "否", "户主": ""}
    values.update(cells)
    return [values[h] for h in HEADERS]


def check(values, villages=None, seen=None, n=2, t=None):
    return check_plan_row(t or table(), n, values, villages or Villages.of(MINE), {} if seen is None else seen)


def test_a_good_row_is_read_whole():
    r = check(row(人员类别="低保、在校学生", 是否新参保="是"))
    assert r.errors == [] and r.notes == []
    assert (r.name, r.village_id, r.phone, r.relation, r.marked_head, r.household_number) == \
        ("张三", 1, "13800138000", "户主", True, "0001")
    assert r.flags == {"is_dibao", "is_student", "new_enrollee"} and r.info.birth_date == date(1980, 5, 17)


def test_errors_come_in_the_order_the_preview_lists_them():
    r = check(row(姓名="", 身份证号="410411198005171230", 人员类别="外星人", 是否新参保="也许",
                  **{"村/社区": "不存在村"}))
    starts = ["姓名：", "身份证号：", "村/社区“不存在村”不存在", "人员类别“外星人”无法识别", "是否新参保应填"]
    assert len(r.errors) == len(starts) and all(e.startswith(s) for e, s in zip(r.errors, starts, strict=True))
    assert "可用：在校学生" in r.errors[3]


def test_a_repeated_number_names_the_first_row():
    seen = {}
    check(row(), seen=seen, n=3)
    assert check(row(姓名="李四"), seen=seen, n=9).errors == ["身份证号与第 3 行重复"]


def test_villages_by_code_name_and_full_name():
    v = Villages.of(MINE)
    assert v.resolve("410411200002") == (2, None) and v.resolve("曹镇乡东村") == (2, None)
    assert v.resolve("曹镇村") == (1, None)
    assert v.resolve("东村") == (None, "村/社区“东村”有重名，请填写 12 位村/社区代码")
    assert v.for_row(True, "") == (None, "没有填写村/社区")
    fixed = Villages.of(MINE, fixed=1)
    assert fixed.for_row(True, "") == (1, None) and fixed.for_row(False, "ignored") == (1, None)
    assert fixed.for_row(True, "410411200002") == (None, "该行属于东村，不是本次导入的曹镇村")


def test_phone_and_relation_are_notes_not_errors():
    r = check(row(联系电话="12345", 与户主关系="邻居"))
    assert r.errors == [] and r.phone == "" and r.relation == "其他"
    assert r.notes == [PHONE_NOTE, "与户主关系“邻居”无法识别，记为“其他”"]


@pytest.mark.parametrize("typed, kept", [("0375-2612345", "0375-2612345"), ("03752612345", "03752612345"),
                                         ("2612345", "2612345"), ("138 0013 8000", "13800138000")])
def test_landlines_in_the_phone_column_are_kept(typed, kept):
    r = check(row(联系电话=typed))
    assert r.errors == [] and r.notes == [] and r.phone == kept


def test_who_is_marked_head():
    assert marked_as_head("张三", None, "是", "", True)
    assert marked_as_head("张三", None, "张三", "", True)          # the head's own name in 户主
    assert not marked_as_head("张三", None, "李四", "", True)
    assert not marked_as_head("张三", None, "是", "", False)       # no 户主 column: the cell is not read
    assert marked_as_head("张三", "户主", None, "", False)
    assert marked_as_head("张三", "子女", None, "张三", False)      # 户主姓名 is the row's own name
    assert not check(row(与户主关系="配偶")).marked_head


def test_eligibility_notes_are_computed_once_per_key():
    policy = Policy(pension_born_from=date(1958, 1, 1), pension_born_until=date(2002, 12, 31),
                    pension_tiers={20000: 4000}, medical_fen={"resident": 25000, "student": 25000})
    notes = EligibilityNotes(policy, date(2018, 11, 1))
    old = notes.for_row(date(1950, 1, 9), set())
    assert old == ("养老不适用：已超过 59 周岁（1958年1月1日前出生），不能参加居民养老保险缴费",)
    assert notes.for_row(date(1940, 3, 3), set()) is old             # same key: the cached tuple
    assert notes.for_row(date(1980, 5, 17), set()) == ()
    assert notes.for_row(date(2000, 5, 17), {"is_student"}) == ("养老不适用：在校学生不参加城乡居民养老保险",)


@dataclass
class Member:
    row: int
    address: str = ""
    marked_head: bool = False
    relation: str = ""
    group: tuple = ("g",)


def test_addresses_come_from_the_household():
    a, b = Member(2, "东街1号"), Member(3)
    fill_household_addresses([a, b])
    assert b.address == "东街1号"
    lonely = Member(4, group=("h",))
    verdict = settle_household("0009", [lonely], None, None)
    assert verdict.problems == [(4, "住址为空")] and not verdict.ok
    joined = Member(5, group=("i",))
    assert settle_household("0010", [joined], "西街2号", "王五").ok and joined.address == "西街2号"


def test_a_household_gets_one_head():
    a, b, c = Member(2, "x"), Member(3, "x", relation="配偶"), Member(4, "x", relation="户主")
    verdict = settle_household("0001", [a, b, c], None, None)
    assert verdict.ok and verdict.notes == [("户号未标明户主，该户第一行记为户主", 2)]
    assert [m.marked_head for m in (a, b, c)] == [True, False, False]
    assert [m.relation for m in (a, b, c)] == ["户主", "配偶", "其他"]
    two = [Member(2, "x", marked_head=True), Member(3, "x", marked_head=True)]
    assert settle_household("0002", two, None, None).problems == [(3, "户号 0002 有多个户主（第 2 行已是户主）")]


def test_joining_a_household_that_has_a_head():
    new_head, member = Member(7, "x", marked_head=True, relation="户主"), Member(8, "x")
    verdict = settle_household("0003", [new_head, member], "x", "王五")
    assert verdict.problems == [(7, "户号 0003 已有户主（王五），本行不能再是户主")]
    assert not new_head.marked_head and member.relation == "其他"


@pytest.mark.parametrize("message, column", [
    ("姓名：姓名不能为空", "name"), ("姓名与登记的“张三”不一致", "name"), ("身份证号：校验位不对", "id_number"),
    ("身份证号与第 3 行重复", "id_number"), ("该身份证号已在曹镇乡曹镇村登记（张三），不能重复登记", "id_number"),
    ("未在您管理的村/社区登记，请先导入征缴计划清单或登记此人", "id_number"), ("没有填写村/社区", "village"),
    ("村/社区“东村”有重名，请填写 12 位村/社区代码", "village"), ("该行属于东村，不是本次导入的曹镇村", "village"),
    ("人员类别“外星人”无法识别", "category"), ("是否新参保应填“是”或“否”", "new_enrollee"), ("住址为空", "address"),
    ("户号 0001 有多个户主（第 2 行已是户主）", "household"),
])
def test_each_problem_names_its_column(message, column):
    from webapp.rules.plan_rows import problem_column
    assert problem_column(message) == column
