"""Plan list import: checks by row, preview, all-or-none confirm, derived fields, bad files."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.factories import valid_id
from tests.paperwork.conftest import person_count
from tests.paperwork.util import PLAN_HEADERS, csv_bytes, xlsx_bytes
from webapp.extensions import db
from webapp.idvault import idvault
from webapp.models import AuditEvent, Household, ImportJob, Person
from webapp.rules.masking import mask_id_number
from webapp.services import imports
from webapp.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from webapp.services.people import find_by_id_number

ZS = valid_id(date(1980, 5, 17), True, seed=11)
LS = valid_id(date(1982, 7, 1), False, seed=12)
WW = valid_id(date(2008, 2, 3), True, seed=13)
OLD = valid_id(date(1940, 1, 1), True, seed=14)


def good_rows():
    return [PLAN_HEADERS,
            ["0001", "张三", ZS, "户主", "曹镇村东街1号", "13800138000", "", "否"],
            ["0001", "李四", LS, "妻", "", "", "低保", "是"],
            ["0001", "王五", WW, "子", "", "", "在校学生", ""],
            ["", "赵老", OLD, "", "曹镇村西街9号", "", "", ""]]


def test_preview_then_confirm_imports_people_with_derived_fields(world):
    data = xlsx_bytes(good_rows(), title_row="曹镇村征缴计划清单")
    job = imports.preview_plan(world.actor("tadmin1"), "plan.xlsx", data, village_code=world.V1)
    assert job.error_count == 0 and job.total_rows == 4
    assert job.summary["people"] == 4 and job.summary["new_households"] == 2
    assert person_count() == 0  # a preview imports nothing
    notes = {m: c for m, c, _ in job.notes}
    assert any(m.startswith("养老不适用") and "超过" in m for m in notes)   # 赵老 is too old for pension

    job = imports.confirm_plan(world.actor("tadmin1"), job.id, data)
    assert job.status == "done" and job.imported_count == 4
    zs = find_by_id_number(ZS)
    assert zs is not None and zs.name == "张三" and zs.is_head and zs.relation == "户主"
    assert (zs.name_initials, zs.name_pinyin) == ("zs", "zhangsan")
    assert zs.id_hash == idvault.lookup_hash(ZS) and zs.id_number == ZS
    assert zs.id_masked == mask_id_number(ZS) and zs.id_tail == ZS[-4:]
    assert zs.birth_date == date(1980, 5, 17) and zs.sex == "M" and zs.phone == "13800138000"
    ls = find_by_id_number(LS)
    assert ls.household_id == zs.household_id and not ls.is_head and ls.relation == "配偶"
    assert ls.is_dibao and ls.new_enrollee and ls.sex == "F"
    assert ls.address == "曹镇村东街1号"  # taken from the household when the row has none
    ww = find_by_id_number(WW)
    assert ww.is_student and ww.relation == "子女"
    hh = db.session.get(Household, zs.household_id)
    assert hh.number == "0001" and hh.village.code == world.V1
    old = find_by_id_number(OLD)
    assert old.is_head and old.household_id != zs.household_id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "plan.import"))
    assert event.after["people"] == 4 and event.user_id == world.user("tadmin1").id


def test_every_problem_is_listed_by_row_and_nothing_is_imported(world):
    taken = world.person(name="钱六")
    rows = good_rows() + [
        ["0009", "孙七", ZS[:-1] + ("0" if ZS[-1] != "0" else "1"), "户主", "东街", "", "", ""],  # row 6 checksum
        ["0010", "周八", 4.10411198005171e17, "户主", "东街", "", "", ""],                         # row 7 Excel
        ["0011", "吴九", LS, "户主", "东街", "", "", ""],                                          # row 8 dup of 3
        ["0012", "钱六", taken.id_number, "户主", "东街", "", "", ""],                             # row 9 in DB
        ["0013", "郑十", valid_id(seed=99), "户主", "东街", "", "外星人", ""],                     # row 10 category
        ["0014", "", valid_id(seed=98), "户主", "东街", "", "", ""],                               # row 11 no name
        ["0015", "冯一", valid_id(seed=97), "户主", "", "", "", ""],                               # row 12 no address
    ]
    before = person_count()
    job = imports.preview_plan(world.actor("tadmin1"), "plan.xlsx", xlsx_bytes(rows), village_code=world.V1)
    by_row = {}
    for row, message in job.problems:
        by_row.setdefault(row, []).append(message)
    assert set(by_row) == {6, 7, 8, 9, 10, 11, 12}
    assert "校验位" in by_row[6][0]
    assert "科学计数法" in by_row[7][0]
    assert "与第 3 行重复" in by_row[8][0]
    assert "已在曹镇乡曹镇村登记" in by_row[9][0]
    assert "外星人" in by_row[10][0]
    assert "姓名" in by_row[11][0]
    assert "住址为空" in by_row[12][0]
    assert job.error_count == 7
    with pytest.raises(imports.ListRejected) as e:
        imports.confirm_plan(world.actor("tadmin1"), job.id, xlsx_bytes(rows))
    assert "没有导入任何数据" in e.value.message
    assert person_count() == before


def test_confirm_checks_again_and_refuses_when_the_database_changed(world):
    data = xlsx_bytes(good_rows())
    job = imports.preview_plan(world.actor("tadmin1"), "plan.xlsx", data, village_code=world.V1)
    world.person(name="张三", id_number=ZS)  # registered at the door meanwhile
    with pytest.raises(imports.ListRejected):
        imports.confirm_plan(world.actor("tadmin1"), job.id, data)
    assert person_count() == 1
    assert db.session.get(ImportJob, job.id).status == "checked"


def test_confirm_refuses_a_different_file_and_a_second_time(world):
    data = xlsx_bytes(good_rows())
    job = imports.preview_plan(world.actor("tadmin1"), "plan.xlsx", data, village_code=world.V1)
    with pytest.raises(Conflict):
        imports.confirm_plan(world.actor("tadmin1"), job.id, data + b"x")
    with pytest.raises(NotFound):
        imports.confirm_plan(world.actor("dadmin"), job.id, data)  # someone else's job
    imports.confirm_plan(world.actor("tadmin1"), job.id, data)
    with pytest.raises(Conflict):
        imports.confirm_plan(world.actor("tadmin1"), job.id, data)
    assert person_count() == 4


def test_district_wide_import_uses_the_village_column_and_the_scope(world):
    rows = [["村/社区代码", "姓名", "公民身份号码", "家庭住址"],
            [world.V1, "张三", ZS, "东街"], ["大营村", "李四", LS, "南街"],
            [world.V3, "王五", WW, "北街"], ["410411999999", "赵老", OLD, "西街"], ["", "钱六", valid_id(seed=5), "x"]]
    job = imports.preview_plan(world.actor("tadmin1"), "all.xlsx", xlsx_bytes(rows))
    problems = dict(job.problems)
    assert set(problems) == {4, 5, 6}
    assert "不在您的管理范围内" in problems[4] and "不存在" in problems[5] and "没有填写村/社区" in problems[6]
    rows = rows[:4]
    rows[3][0] = world.V2
    job = imports.import_plan(world.actor("dadmin"), "all.xlsx", xlsx_bytes(rows))
    assert job.summary["villages"] == {world.V1: 1, world.V2: 2}
    assert find_by_id_number(LS).village.code == world.V2


def test_village_import_refuses_rows_of_another_village(world):
    rows = [["村/社区", "姓名", "身份证号", "住址"], ["大营村", "张三", ZS, "东街"]]
    job = imports.preview_plan(world.actor("tadmin1"), "a.xlsx", xlsx_bytes(rows), village_code=world.V1)
    assert "不是本次导入的曹镇村" in job.problems[0][1]


def test_joining_an_existing_household_by_number(world):
    imports.import_plan(world.actor("tadmin1"), "a.xlsx", xlsx_bytes(good_rows()[:2]), village_code=world.V1)
    more = [PLAN_HEADERS, ["0001", "李四", LS, "配偶", "", "", "", ""], ["0001", "王五", WW, "户主", "x", "", "", ""]]
    job = imports.preview_plan(world.actor("tadmin1"), "b.xlsx", xlsx_bytes(more), village_code=world.V1)
    assert job.problems == [[3, "户号 0001 已有户主（张三），本行不能再是户主"]]
    imports.import_plan(world.actor("tadmin1"), "b.xlsx", xlsx_bytes(more[:2]), village_code=world.V1)
    assert find_by_id_number(LS).household_id == find_by_id_number(ZS).household_id
    assert db.session.query(Household).count() == 1


def test_two_heads_in_one_household_and_no_head(world):
    rows = [PLAN_HEADERS, ["0001", "张三", ZS, "户主", "x", "", "", ""], ["0001", "李四", LS, "户主", "x", "", "", ""],
            ["0002", "王五", WW, "子女", "y", "", "", ""], ["0002", "赵老", OLD, "父母", "y", "", "", ""]]
    job = imports.preview_plan(world.actor("tadmin1"), "a.xlsx", xlsx_bytes(rows), village_code=world.V1)
    assert job.problems == [[3, "户号 0001 有多个户主（第 2 行已是户主）"]]
    imports.import_plan(world.actor("tadmin1"), "a.xlsx", xlsx_bytes([rows[0]] + rows[3:]), village_code=world.V1)
    assert find_by_id_number(WW).is_head and find_by_id_number(OLD).relation == "父母"


def test_skip_existing_in_the_same_village(world):
    world.person(name="张三", id_number=ZS)
    job = imports.import_plan(world.actor("tadmin1"), "a.csv", csv_bytes(good_rows()), village_code=world.V1,
                              skip_existing=True)
    assert job.imported_count == 3 and job.summary["skipped"] == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_each_encoding(world, encoding):
    job = imports.import_plan(world.actor("tadmin1"), "plan.csv", csv_bytes(good_rows(), encoding),
                              village_code=world.V1)
    assert job.imported_count == 4 and find_by_id_number(LS).name == "李四"


@pytest.mark.parametrize("filename,data,message", [
    ("plan.pdf", b"%PDF-1.4 whatever", "只支持"),
    ("plan.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "有效的 Excel（.xls）"),
    ("plan.xlsx", b"PK\x03\x04 broken", "有效的 Excel"),
    ("plan.csv", "姓名,身份证号,住址\n".encode("utf-16"), "UTF-16"),
    ("plan.csv", b"\x81\x30\xff\xfe,\xfe\xff\n", "编码"),
    ("plan.csv", b"", "空的"),
    ("plan.csv", "姓名,身份证号,住址\r\n".encode(), "只有表头"),
    ("plan.csv", "姓名,电话\r\n张三,13800138000\r\n".encode(), "缺少必需的列"),
])
def test_bad_files_get_clear_errors_and_change_nothing(world, filename, data, message):
    with pytest.raises(ValidationFailed) as e:
        imports.preview_plan(world.actor("tadmin1"), filename, data, village_code=world.V1)
    assert message in e.value.errors["file"]
    assert db.session.query(ImportJob).count() == 0 and person_count() == 0


def test_too_large_a_file(world):
    with pytest.raises(ValidationFailed) as e:
        imports.preview_plan(world.actor("tadmin1"), "big.csv", b"x" * (32 * 1024 * 1024 + 1))
    assert "太大" in e.value.errors["file"]


def test_who_may_import(world):
    data = xlsx_bytes(good_rows())
    with pytest.raises(Forbidden):
        imports.preview_plan(world.actor("coord1"), "a.xlsx", data, village_code=world.V1)
    with pytest.raises(NotFound):
        imports.preview_plan(world.actor("tadmin2"), "a.xlsx", data, village_code=world.V1)


def test_progress_is_reported(world):
    seen = []
    imports.import_plan(world.actor("tadmin1"), "a.xlsx", xlsx_bytes(good_rows()), village_code=world.V1,
                        progress=lambda phase, done, total: seen.append((phase, done, total)))
    phases = [p for p, _, _ in seen]
    assert phases[0] == "读取文件" and "检查" in phases and phases[-1] == "写入"
    assert seen[-1][1] == seen[-1][2]


def test_template_reads_back_with_its_own_columns(world):
    from webapp.rules.spreadsheet import PLAN_COLUMNS, find_table, read_rows
    data = imports.plan_template("xlsx")
    rows = read_rows("t.xlsx", data + b"") + [(2, [world.V1, "1", "张三", ZS, "户主", "x", "", "", ""])]
    table = find_table(rows, PLAN_COLUMNS, ["name", "id_number", "address", "village"])
    assert set(table.columns) >= {"village", "household", "name", "id_number", "relation", "address", "phone",
                                  "category", "new_enrollee"}
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    # ID numbers typed into the template stay text in every row (the column's own style, which
    # Excel and WPS give each cell typed into it), not only in the first 2,000
    for col in "ABDG":
        assert ws.column_dimensions[col].number_format == "@"
    assert ws.column_dimensions["D"].min == 4 and ws.column_dimensions["D"].max == 4
    assert imports.plan_template("csv").startswith("\ufeff村/社区代码".encode())


def test_people_table_has_all_new_people(world):
    imports.import_plan(world.actor("tadmin1"), "a.xlsx", xlsx_bytes(good_rows()), village_code=world.V1)
    names = set(db.session.scalars(select(Person.name)))
    assert names == {"张三", "李四", "王五", "赵老"}


def test_csv_ids_mangled_by_excel_are_refused_by_row(world):
    rows = [PLAN_HEADERS, ["1", "张三", "4.10411E+17", "户主", "东街", "", "", ""],
            ["2", "李四", LS, "户主", "西街", "", "", ""]]
    job = imports.preview_plan(world.actor("tadmin1"), "plan.csv", csv_bytes(rows, "gbk"), village_code=world.V1)
    assert len(job.problems) == 1 and job.problems[0][0] == 2 and "4.10411E+17" in job.problems[0][1]


def office_people():
    return [["0001", "张三", ZS, "男", "户主", "曹镇村东街1号", "0375-2612345", ""],
            ["0001", "李四", LS, "女", "妻", "", "03752612345", "低保"],
            ["0002", "王五", WW, "男", "户主", "曹镇村南街2号", "2612345", "在校学生"]]


def test_a_list_as_the_offices_send_it_imports(world):
    """Title, 填报单位 row, a two-row merged header, column numbers, then 合计 and 制表人/审核人."""
    from tests.paperwork.util import gov_xlsx
    data = gov_xlsx(office_people())
    job = imports.preview_plan(world.actor("tadmin1"), "附件2.xlsx", data, village_code=world.V1)
    assert job.error_count == 0 and job.total_rows == 3
    assert dict((m, rows) for m, _, rows in job.notes)[imports.FOOTER_NOTE] == [5, 10, 11]
    imports.confirm_plan(world.actor("tadmin1"), job.id, data)
    assert find_by_id_number(LS).phone == "03752612345" and find_by_id_number(ZS).phone == "0375-2612345"
    assert find_by_id_number(WW).phone == "2612345" and find_by_id_number(LS).is_dibao


def test_footers_are_ignored_but_a_bad_row_among_the_people_is_refused(world):
    from tests.paperwork.util import gov_xlsx
    people = office_people()
    people.insert(1, ["0001", "赵六", "", "男", "子", "", "", ""])        # row 7: no ID number
    job = imports.preview_plan(world.actor("tadmin1"), "附件2.xlsx", gov_xlsx(people), village_code=world.V1)
    assert [r for r, _ in job.problems] == [7] and "身份证号" in job.problems[0][1]
    assert job.total_rows == 4


def test_an_old_excel_xls_in_the_offices_layout_imports(world):
    from tests.paperwork.util import GOV_TITLE, xls_bytes
    rows = [[GOV_TITLE], ["填报单位（盖章）：曹镇乡曹镇村"],
            ["序号", "参保人信息", "", "", "", "", "住址", "联系电话", "人员类别"],
            ["", "户号", "姓名", "身份证号", "性别", "与户主关系"], list(range(1, 10))]
    rows += [[i, *p] for i, p in enumerate(office_people(), 1)]
    rows += [["合计", "", "3 人"], ["制表人：张三    审核人：李四    填表日期：2018年10月8日"]]
    merges = [(0, 0, 0, 8), (2, 3, 0, 0), (2, 2, 1, 5), (2, 3, 6, 6), (2, 3, 7, 7), (2, 3, 8, 8), (9, 9, 0, 8)]
    data = xls_bytes([rows], merges)
    job = imports.preview_plan(world.actor("tadmin1"), "附件2.xls", data, village_code=world.V1)
    assert job.error_count == 0 and job.total_rows == 3, job.problems
    imports.confirm_plan(world.actor("tadmin1"), job.id, data)
    assert find_by_id_number(LS).phone == "03752612345" and find_by_id_number(WW).is_student
