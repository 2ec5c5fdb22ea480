"""Hostile spreadsheets cannot take a worker down (issue 11, part 7).

Before: a 1.5 KB .xlsx whose only cell sits at XFD1048576 made python-calamine build a dense
16,384 x 1,048,576 sheet (512 GiB: a Rust panic here, or the worker killed), one at ZZ100000 asked
for 2.2 GB. Now every file is measured before it is read (rules/spreadsheet.py: measure_xlsx) and
refused with a Chinese message naming the limit, at every upload door."""
import io
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from tests.paperwork.util import PLAN_HEADERS, csv_bytes, xlsx_bytes
from tests.security import hostile
from tests.security.test_fuzz_forms import discover
from webapp.extensions import db
from webapp.models import AuditEvent, ImportJob, Person
from webapp.models.paperwork import BureauResult
from webapp.rules.spreadsheet import DEFAULT_LIMITS, BadFile, UploadLimits, measure_xlsx, read_rows


def refused(data: bytes, filename="plan.xlsx", limits=DEFAULT_LIMITS) -> str:
    with pytest.raises(BadFile) as e:
        read_rows(filename, data, limits)
    return str(e.value)


# --- the reader -------------------------------------------------------------------------------

def test_a_cell_at_xfd1048576_is_refused_before_reading():
    message = refused(hostile.one_cell_at("XFD1048576"))
    assert "1,048,576 行" in message and "最多导入 200,000 行" in message


def test_a_cell_at_zz100000_is_refused_naming_the_column_limit():
    message = refused(hostile.one_cell_at("ZZ100000"))
    assert "ZZ 列" in message and "最多 200 列" in message


def test_the_rectangle_is_bounded_even_when_rows_and_columns_each_pass():
    # GR = column 200, row 200,000: each within its own limit, 40 million cells together.
    message = refused(hostile.one_cell_at("GR200000"))
    assert "个单元格" in message and "最多 3,000,000 个" in message


def test_cells_without_references_are_counted_as_calamine_places_them():
    assert "GS 列" in refused(hostile.wide_row_without_refs(201))
    assert len(read_rows("a.xlsx", hostile.wide_row_without_refs(200))[1][1]) == 200
    limits = UploadLimits(max_rows=1000, max_ratio=10**6)
    assert "1,011 行" in refused(hostile.rows_without_refs(2000), limits=limits)


def test_a_declared_dimension_beyond_the_limits_is_refused():
    data = hostile.workbook(hostile.sheet_xml(hostile.HEADER_ROW, dimension="A1:XFD1048576"))
    assert "1,048,576 行" in refused(data)


def test_prefixed_elements_count_too():
    # calamine reads elements by local name: <x:c r="XFD1"> is a cell like <c r="XFD1">.
    body = '<x:row r="1"><x:c r="XFD1"><x:v>1</x:v></x:c></x:row>'
    assert "XFD 列" in refused(hostile.workbook(hostile.sheet_xml(body, prefix="x")))


def test_the_reference_need_not_come_first_and_cannot_be_disguised():
    late = '<row r="1"><c t="n" s="0" r="ZZ1"><v>1</v></c></row>'
    assert "ZZ 列" in refused(hostile.workbook(hostile.sheet_xml(late)))
    entity = '<row r="1"><c r="&#88;FD1"><v>1</v></c></row>'
    assert "单元格位置" in refused(hostile.workbook(hostile.sheet_xml(entity)))


def test_zip_bombs_are_refused():
    assert "压缩比异常" in refused(hostile.spaces_bomb(20_000_000))
    # Over the unpacked total, whatever the ratio (lowered so the test stays small).
    small = UploadLimits(max_unpacked_bytes=64 * 1024)
    assert "解压后太大" in refused(hostile.spaces_bomb(100_000), limits=small)


def test_a_member_that_runs_past_its_declared_size_is_refused():
    import zipfile
    data = hostile.lying_member()
    # Python's zipfile is satisfied by the declared prefix and its CRC; the stream goes on.
    assert len(zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")) == 2000
    assert "已损坏" in refused(data)


def test_csv_is_bounded_row_by_row():
    wide = csv_bytes([PLAN_HEADERS, ["x"] * 500])
    assert "最多 200 列" in refused(wide, "plan.csv")
    many = csv_bytes([PLAN_HEADERS] + [["x"]] * 50)
    assert "最多导入 30 行" in refused(many, "plan.csv", UploadLimits(max_rows=30))
    cells = csv_bytes([PLAN_HEADERS] + [["x"] * 8] * 20)
    assert "最多 100 个" in refused(cells, "plan.csv", UploadLimits(max_cells=100))


def test_ordinary_files_pass_and_measure_what_calamine_builds():
    data = xlsx_bytes([PLAN_HEADERS] + [["0001", "张三", "410411198005171234", "户主", "x", "", "", "否"]] * 5,
                      title_row="征缴计划清单")
    sheet = dict(measure_xlsx(data))["xl/worksheets/sheet1.xml"]
    assert (sheet.rows, sheet.columns) == (7, 8) and sheet.declared == "A1:H7"
    assert len(read_rows("plan.xlsx", data)) == 7


def test_limits_come_from_the_configuration():
    limits = UploadLimits.from_config({"UPLOAD_MAX_ROWS": 5, "UPLOAD_MAX_COLUMNS": None, "OTHER": 1})
    assert limits.max_rows == 5 and limits.max_columns == DEFAULT_LIMITS.max_columns


# --- every upload door ------------------------------------------------------------------------

def _state() -> tuple:
    uploads = Path(current_app.instance_path) / "imports"
    return (tuple(db.session.scalar(select(func.count(m.id))) for m in (AuditEvent, ImportJob, Person, BureauResult)),
            sorted(p.name for p in uploads.glob("*.upload")) if uploads.exists() else [])


def _post(client, form, data: bytes, filename: str):
    # A valid value for every other field, so that only the file can be the reason for a refusal.
    fields = {f.name: (f.options[-1] if f.options else f.value) for f in form.fields if f.type != "file"}
    fields |= {"group": "dibao"} if "group" in fields else {}
    fields |= {f.name: (io.BytesIO(data), filename) for f in form.fields if f.type == "file"}
    return client.post(form.action, data=fields, content_type="multipart/form-data")


HOSTILE = [("XFD1048576", lambda: hostile.one_cell_at("XFD1048576"), "最多导入 200,000 行"),
           ("ZZ100000", lambda: hostile.one_cell_at("ZZ100000"), "最多 200 列"),
           ("bomb", lambda: hostile.spaces_bomb(20_000_000), "压缩比异常")]


@pytest.mark.parametrize("role", ["township_admin", "district_admin"])
def test_every_upload_door_refuses_hostile_files_in_chinese(app, scene, login_as, role):
    client = login_as(role)
    forms = [f for f in discover(app, client, role, scene) if any(x.type == "file" for x in f.fields)]
    assert {f.key(app)[1] for f in forms} >= {"paperwork.import_plan", "paperwork.import_gov",
                                              "paperwork.bureau_results"}
    for form in forms:
        for name, make, message in HOSTILE:
            before = _state()
            resp = _post(client, form, make(), f"{name}.xlsx")
            body = resp.get_data(as_text=True)
            assert resp.status_code == 422, (form.action, name, resp.status_code)
            assert message in body, (form.action, name)
            assert _state() == before, (form.action, name)


def test_the_configured_limit_is_the_one_enforced(app, scene, login_as):
    app.config["UPLOAD_MAX_ROWS"] = 3
    client = login_as("township_admin")
    form = next(f for f in discover(app, client, "township_admin", scene)
                if f.key(app)[1] == "paperwork.import_plan")
    rows = [PLAN_HEADERS] + [["0001", "张三", "410411198005171234", "户主", "x", "", "", "否"]] * 20
    resp = _post(client, form, csv_bytes(rows), "plan.csv")
    assert resp.status_code == 422 and "最多导入 3 行" in resp.get_data(as_text=True)
