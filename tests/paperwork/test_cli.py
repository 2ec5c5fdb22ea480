"""flask import-plan / import-gov / export-annex."""
import io

from openpyxl import load_workbook

from tests.paperwork.test_imports import LS, ZS, good_rows
from tests.paperwork.util import csv_bytes, xlsx_bytes
from webapp.services.people import find_by_id_number


def test_import_plan_with_progress_bar(world, runner, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx_bytes(good_rows()))
    result = runner.invoke(args=["import-plan", str(path), "--village", world.V1])
    assert result.exit_code == 0, result.output
    assert "已导入 4 人，新建 2 户" in result.output
    assert "写入" in result.output  # the progress bar (stderr is mixed into output here)
    assert find_by_id_number(ZS).village.code == world.V1


def test_import_plan_lists_problems_and_imports_nothing(world, runner, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes(good_rows() + [["9", "孙七", LS, "户主", "x", "", "", ""]], "gbk"))
    result = runner.invoke(args=["import-plan", str(path), "--village", world.V1])
    assert result.exit_code == 1
    assert "第 6 行：身份证号与第 3 行重复" in result.output and "没有导入任何数据" in result.output
    assert find_by_id_number(ZS) is None
    result = runner.invoke(args=["import-plan", str(path), "--village", world.V1, "--check-only"])
    assert result.exit_code == 1 and "有问题 1 行" in result.output


def test_import_plan_district_wide_needs_the_village_column(world, runner, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes(good_rows()))
    result = runner.invoke(args=["import-plan", str(path)])
    assert result.exit_code == 1 and "村/社区" in result.output


def test_import_gov(world, runner, tmp_path):
    a = world.person(name="张三")
    path = tmp_path / "d.csv"
    path.write_bytes(csv_bytes([["姓名", "身份证号"], ["张三", a.id_number]]))
    result = runner.invoke(args=["import-gov", str(path), "--group", "disabled"])
    assert result.exit_code == 0 and "已标记 1 人" in result.output
    assert find_by_id_number(a.id_number).is_disabled


def test_export_annex(world, paid, runner, tmp_path):
    out = tmp_path / "p.xlsx"
    result = runner.invoke(args=["export-annex", "--kind", "pension", "--area", world.V1, "-o", str(out)])
    assert result.exit_code == 0 and "2 行" in result.output
    ws = load_workbook(io.BytesIO(out.read_bytes())).worksheets[0]
    assert ws["A1"].value == "参保人员缴费情况表（养老）" and ws["C3"].data_type == "s"
    out = tmp_path / "s.csv"
    result = runner.invoke(args=["export-annex", "--kind", "staff", "--area", world.T1, "-o", str(out)])
    assert result.exit_code == 0 and out.read_bytes().startswith("\ufeff单位（全称）".encode())
    result = runner.invoke(args=["export-annex", "--kind", "medical", "--area", "999", "-o", str(out)])
    assert result.exit_code != 0 and "没有找到" in result.output
