"""附件1–3 exactly as the annexes: re-read with openpyxl — title, headers, text IDs, numbers,
neutralised formulas; CSV; filters; scope; audit."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditEvent
from webapp.services import accounts, exports
from webapp.services.errors import Forbidden, NotFound, ValidationFailed
from webapp.timeutil import today_local

SEED_TITLES = {"staff": "城乡居民养老（医疗）保险费集中征缴工作人员登记表",
               "pension": "参保人员缴费情况表（养老）", "medical": "参保人员缴费情况表（医疗）"}


def sheet_of(out, index=0):
    return load_workbook(io.BytesIO(out.data)).worksheets[index]


def test_pension_annex(world, paid):
    a, b, c = paid["people"]
    out = exports.export_annex(world.actor("tadmin1"), "pension", world.V1)
    ws = sheet_of(out)
    assert ws["A1"].value == SEED_TITLES["pension"]
    assert [c_.value for c_ in ws[2]] == ["序号", "姓名", "身份证号", "住址", "电话", "金额", "是否新参保",
                                          "参保登记", "价格版本"]
    assert ws.max_row >= 4
    row = [c_.value for c_ in ws[3]]
    assert row[:3] == [1, "张三", a.id_number] and row[5] == 200 and row[6] == "否"
    id_cell = ws["C3"]
    assert id_cell.data_type == "s" and id_cell.number_format == "@"   # text, as Excel must keep it
    assert isinstance(ws["F3"].value, (int, float)) and ws["F3"].number_format == "0.00"
    assert [ws.cell(r, 2).value for r in (3, 4)] == ["张三", "王五"]  # 李四 paid medical only
    assert "注：1. 此表由代征单位填制" in ws.cell(ws.max_row - 1, 1).value
    assert out.filename.endswith(".xlsx") and "附件2" in out.filename


def test_medical_annex_and_neutralised_formula(world, paid):
    a = paid["people"][0]
    a.address = "=HYPERLINK(\"http://evil\",\"点我\")"
    db.session.commit()
    ws = sheet_of(exports.export_annex(world.actor("coord1"), "medical", world.V1))
    assert ws["A1"].value == SEED_TITLES["medical"]
    assert [c.value for c in ws[2]] == ["序号", "姓名", "身份证号", "住址", "电话", "是否新参保",
                                        "参保登记", "价格版本"]
    # The value unchanged, as a text cell Excel will not run (quote prefix), not "'=HYPERLINK…".
    assert ws["D3"].value == "=HYPERLINK(\"http://evil\",\"点我\")" and ws["D3"].data_type == "s"
    assert ws["D3"].quotePrefix
    assert ws["C3"].data_type == "s" and ws["C3"].number_format == "@"
    assert [ws.cell(r, 2).value for r in (3, 4)] == ["张三", "李四"]


def test_staff_annex_per_township(world):
    accounts.update_user(world.actor("tadmin1"), world.user("coord1").id, name="刘协管", title="=cmd|' /C calc'!A0",
                         phone="13900001111", active=True, area_codes=[world.V1])
    ws = sheet_of(exports.export_annex(world.actor("tadmin1"), "staff", world.T1))
    assert ws["A1"].value == SEED_TITLES["staff"]
    assert [c.value for c in ws[2]] == ["单位（全称）", "姓名", "职务", "电话"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3) if r[1].value]
    assert rows[0][1] == "tadmin1姓名"
    coord = next(r for r in rows if r[1] == "刘协管")
    assert coord[0].endswith("曹镇村村民委员会") and coord[2] == "=cmd|' /C calc'!A0" and ws.cell(
        3 + rows.index(coord), 3).data_type == "s" and coord[3] == "13900001111"
    assert not any(r[1] == "coord3姓名" for r in rows)  # another township's coordinator
    assert ws.cell(ws.max_row, 1).value == "注：此表由乡（办事处）填制。"


def test_district_export_has_a_sheet_per_unit(world, paid):
    wb = load_workbook(io.BytesIO(exports.export_annex(world.actor("dadmin"), "pension", world.DISTRICT).data))
    assert wb.sheetnames == ["马庄社区", "曹镇村", "大营村"]  # by area code
    wb = load_workbook(io.BytesIO(exports.export_annex(world.actor("dadmin"), "staff", world.DISTRICT).data))
    assert wb.sheetnames == ["马庄街道", "曹镇乡"]


def test_csv_export(world, paid):
    a = paid["people"][0]
    a.name = "+张三"  # not a real name, but what a formula smuggler would try
    db.session.commit()
    out = exports.export_annex(world.actor("tadmin1"), "pension", world.V1, fmt="csv")
    text = out.data.decode("utf-8")
    assert text.startswith("\ufeff序号,姓名,身份证号,住址,电话,金额,是否新参保,参保登记,价格版本")
    assert f'1,\'+张三,"=""{a.id_number}""",' in text and ",200.00,否" in text
    with pytest.raises(ValidationFailed):
        exports.export_annex(world.actor("tadmin1"), "pension", world.T1, fmt="csv")


def test_filters_by_date_and_handover(world, paid, handed):
    today = today_local()
    out = exports.export_annex(world.actor("tadmin1"), "medical", world.V1,
                               flt=exports.ExportFilter(day_from=today + timedelta(days=1)))
    assert out.rows == 0
    out = exports.export_annex(world.actor("tadmin1"), "medical", world.V1,
                               flt=exports.ExportFilter(day_from=today, day_to=today))
    assert out.rows == 2
    extra = world.person(name="后来")
    world.pay("coord1", (extra, "medical"))
    flt = exports.ExportFilter(handover_number=handed["handover"].number)
    assert exports.export_annex(world.actor("tadmin1"), "medical", world.V1, flt=flt).rows == 2
    assert exports.export_annex(world.actor("tadmin1"), "medical", world.V1).rows == 3
    with pytest.raises(ValidationFailed):
        exports.export_annex(world.actor("tadmin1"), "medical", world.V1,
                             flt=exports.ExportFilter(handover_number="SJ-nope"))


def test_full_id_exports_are_audited(world, paid):
    exports.export_annex(world.actor("coord1"), "pension", world.V1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "annex.export"))
    assert event.user_id == world.user("coord1").id and "含完整身份证号" in event.summary
    assert event.after["rows"] == 2


def test_scope(world, paid):
    with pytest.raises(Forbidden):
        exports.export_annex(world.actor("coord1"), "staff", world.T1)
    with pytest.raises(NotFound):
        exports.export_annex(world.actor("coord3"), "pension", world.V1)
    with pytest.raises(NotFound):
        exports.export_annex(world.actor("tadmin2"), "pension", world.T1)
    with pytest.raises(ValidationFailed):
        exports.export_annex(world.actor("tadmin1"), "staff", world.V1)


def test_an_address_starting_with_plus_keeps_its_value_as_a_text_cell(world, paid):
    """Finding: an address `+1号楼` was exported as the visible text `'+1号楼`."""
    a = paid["people"][0]
    a.address = "+1号楼"
    db.session.commit()
    ws = sheet_of(exports.export_annex(world.actor("tadmin1"), "pension", world.V1))
    assert ws["D3"].value == "+1号楼" and ws["D3"].data_type == "s" and ws["D3"].quotePrefix
    import zipfile
    sheet_xml = zipfile.ZipFile(io.BytesIO(exports.export_annex(world.actor("tadmin1"), "pension", world.V1).data)) \
        .read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "'+1号楼" not in sheet_xml


def test_csv_ids_and_phones_are_not_bare_numbers(world, paid):
    """Finding: 18-digit IDs (and phones) in CSV open in Excel/WPS as 4.10422E+17."""
    import csv as csv_mod
    a = paid["people"][0]
    out = exports.export_annex(world.actor("tadmin1"), "pension", world.V1, fmt="csv")
    rows = list(csv_mod.reader(io.StringIO(out.data.decode("utf-8-sig"))))
    first = rows[1]
    assert first[2] == f'="{a.id_number}"' and first[4] == '="13800138000"'
    for row in rows[1:]:
        assert not row[2].isdigit() and not row[4].isdigit()
    # …and our own readers take ="…" back as the text it shows.
    from webapp.rules.spreadsheet import cell_text, id_cell
    assert cell_text(first[2]) == a.id_number == id_cell(first[2])


def test_an_export_reads_without_holding_the_write_lock(world, paid, monkeypatch):
    """Part of "slow work never blocks the door": the annex export reads and computes outside any
    unit of work (no BEGIN IMMEDIATE, no writer-queue lock); only its audit event is a write."""
    from webapp.database import writing
    seen = []
    real = exports.payment_sheet

    def spy(*args, **kwargs):
        seen.append(writing.get())
        return real(*args, **kwargs)
    monkeypatch.setattr(exports, "payment_sheet", spy)
    out = exports.export_annex(world.actor("dadmin"), "pension", world.DISTRICT)
    assert seen == [False, False, False] and out.rows == 2
    assert db.session.query(AuditEvent).filter_by(action="annex.export").count() == 1
