"""Pure spreadsheet rules: headers, cells, encodings, formula neutralisation, bad files."""
import codecs
import io
import zipfile

import pytest

from tests.paperwork.util import csv_bytes, xlsx_bytes
from webapp.rules.idnumber import looks_mangled_by_excel
from webapp.rules.pinyin import name_initials, name_keys, name_pinyin
from webapp.rules.spreadsheet import (
    MAX_UPLOAD_BYTES,
    PLAN_COLUMNS,
    BadFile,
    find_table,
    id_cell,
    match_headers,
    neutralize,
    parse_categories,
    parse_relation,
    parse_yes_no,
    read_rows,
)


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_formula_starts_are_neutralised(value):
    out = neutralize(value)
    assert out == "'" + value


@pytest.mark.parametrize("value", ["张三", "410411198005171234", "a=b", "", 12.5, -3, None])
def test_other_values_pass_unchanged(value):
    assert neutralize(value) == value


def test_header_aliases_and_decorations():
    row = ["序号", "* 公民身份号码（必填）", "姓　名", "联系电话", "家庭住址", "户主", "人员类别", "村/社区代码"]
    found = match_headers(row, PLAN_COLUMNS)
    assert found == {"id_number": 1, "name": 2, "phone": 3, "address": 4, "head": 5, "category": 6, "village": 7}


def test_header_row_found_below_a_title_row():
    rows = [(1, ["湛河区 2018 年征缴计划清单"]), (2, ["姓名", "身份证号", "住址"]), (3, ["张三", "x", "y"]),
            (4, [None, "", None])]
    table = find_table(rows, PLAN_COLUMNS, ["name", "id_number", "address"])
    assert table.header_row == 2 and [n for n, _ in table.rows] == [3]


def test_missing_columns_are_named_with_the_columns_found():
    rows = [(1, ["姓名", "电话"]), (2, ["张三", "13800138000"])]
    with pytest.raises(BadFile) as e:
        find_table(rows, PLAN_COLUMNS, ["name", "id_number", "address"])
    assert "身份证号" in str(e.value) and "住址" in str(e.value) and "文件中的列：姓名、电话" in str(e.value)


def test_header_only_and_empty():
    with pytest.raises(BadFile, match="只有表头"):
        find_table([(1, ["姓名", "身份证号", "住址"])], PLAN_COLUMNS, ["name", "id_number", "address"])
    with pytest.raises(BadFile, match="空的"):
        read_rows("a.csv", b"")


def test_categories_relations_yes_no():
    assert parse_categories("低保、在校学生") == ({"is_dibao", "is_student"}, [])
    assert parse_categories("五保户,农村居民") == ({"is_tekun"}, [])
    assert parse_categories("外星人") == (set(), ["外星人"])
    assert parse_relation("妻") == "配偶" and parse_relation("长子") == "子女" and parse_relation("本人") == "户主"
    assert parse_relation("邻居") is None
    assert parse_yes_no("是") is True and parse_yes_no("") is False and parse_yes_no("也许") is None


def test_excel_number_cells_in_xlsx_are_seen_as_mangled():
    data = xlsx_bytes([["姓名", "身份证号", "住址", "电话"], ["张三", 4.10411198005171e17, "x", 13800138000]])
    rows = read_rows("plan.xlsx", data)
    assert looks_mangled_by_excel(id_cell(rows[1][1][1]))
    assert rows[1][1][3] == 13800138000  # an exact integer stays one


def test_sparse_xlsx_cells_keep_their_columns():
    # Excel leaves out empty cells; the reader must place values by their cell reference.
    data = xlsx_bytes([["姓名", "身份证号", "住址", "电话"], ["张三", None, None, "13800138000"]])
    rows = read_rows("plan.xlsx", data)
    assert rows[1][1][0] == "张三" and rows[1][1][3] == "13800138000" and rows[1][1][1] is None


def test_shared_strings_xlsx_as_excel_writes_it():
    """Excel and WPS store text in sharedStrings.xml; openpyxl writes inline strings."""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v>'
             '</c></row><row r="3"><c r="B3" t="s"><v>2</v></c><c r="C3"><v>1.5</v></c></row></sheetData></worksheet>')
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
           'main"><si><t>姓名</t></si><si><r><t>身份</t></r><r><t>证号</t></r></si><si><t>张三</t>'
           '<rPh><t>zhang</t></rPh></si></sst>')
    book = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
    rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/data.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    types = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/data.xml" ContentType="application/'
             'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings'
             '.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
             '</Types>')
    root_rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                 '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", book)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr("xl/worksheets/data.xml", sheet)
        z.writestr("xl/sharedStrings.xml", sst)
    rows = read_rows("x.xlsx", out.getvalue())
    assert rows == [(1, ["姓名", "身份证号"]), (2, []), (3, [None, "张三", 1.5])]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings(encoding):
    rows = read_rows("a.csv", csv_bytes([["姓名", "住址"], ["张三", "曹镇村东街"]], encoding))
    assert rows[1] == (2, ["张三", "曹镇村东街"])


@pytest.mark.parametrize("filename,data,message", [
    ("a.csv", codecs.BOM_UTF16_LE + "姓名".encode("utf-16-le"), "UTF-16"),
    ("a.csv", b"\xff\xfe\xfd\x80\x81 bad", "编码"),
    ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    ("a.pdf", b"%PDF-1.4", ".xlsx"),
    ("a.xlsx", b"not a zip at all", "有效的 Excel"),
    ("a.xlsx", b"", "空的"),
])
def test_bad_files(filename, data, message):
    with pytest.raises(BadFile, match=message.replace(".", r"\.")):
        read_rows(filename, data)


def test_a_word_document_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    with pytest.raises(BadFile, match="有效的 Excel"):
        read_rows("a.xlsx", out.getvalue())


def test_too_large():
    with pytest.raises(BadFile, match="太大"):
        read_rows("a.csv", b"a" * (MAX_UPLOAD_BYTES + 1))


@pytest.mark.parametrize("name", ["张三", "吕布", "单田芳", "阿依古丽·买买提", "Li Na", "曾小贤", "欧阳娜娜",
                                  "长孙无忌", "朝阳", "重阳", "王A"])
def test_name_keys_match_the_two_functions(name):
    assert name_keys(name) == (name_initials(name), name_pinyin(name))


def test_a_two_row_merged_header_below_a_title_is_found():
    from tests.factories import valid_id
    from tests.paperwork.util import GOV_TITLE, gov_xlsx
    zs = valid_id(seed=21)
    rows = read_rows("a.xlsx", gov_xlsx([["0001", "张三", zs, "男", "户主", "东街1号", "0375-2612345", ""]]))
    assert rows[0][1][0] == GOV_TITLE
    table = find_table(rows, PLAN_COLUMNS, ["name", "id_number", "address"])
    assert table.header_row == 4
    assert table.columns == {"household": 1, "name": 2, "id_number": 3, "relation": 5, "address": 6,
                             "phone": 7, "category": 8}
    # the column numbers 1-9, the blank row, 合计 and 制表人/审核人/填表日期 are not people
    assert [n for n, _ in table.rows] == [6] and table.ignored == [5, 8, 9]


@pytest.mark.parametrize("cells, footer", [
    (["合计", "", "3 人"], True), (["", "总计：", 120], True), (["制表人：张三  审核人：李四"], True),
    (["填表日期：2018年10月8日"], True), (["单位负责人（签字）："], True), ([1, 2, 3, 4, 5], True),
    (["", "张三", "", "东街"], False),                          # a person without an ID number: checked
    (["合计", "", "410411198005171234"], False),                # an ID number makes it a person
    (["", "李合计", "410411198005171234", "东街"], False),
])
def test_footer_rows(cells, footer):
    from webapp.rules.spreadsheet import footer_row
    assert footer_row(cells, 2) is footer


def test_old_excel_xls_is_read():
    from tests.paperwork.util import xls_bytes
    data = xls_bytes([[[GOV_TITLE_XLS], ["姓名", "身份证号", "住址", "电话"],
                       ["张三", "410411198005171234", "东街", 13800138000],
                       ["李四", 4.10411198005171e17, "西街", "0375-2612345"]]], merges=[(0, 0, 0, 3)])
    rows = read_rows("plan.xls", data)
    assert rows[1:] == [(2, ["姓名", "身份证号", "住址", "电话"]),
                        (3, ["张三", "410411198005171234", "东街", 13800138000]),
                        (4, ["李四", 4.10411198005171e17, "西街", "0375-2612345"])]
    assert looks_mangled_by_excel(rows[3][1][1])     # a number Excel made of an ID stays a float
    assert read_rows("plan.xlsx", data) == rows       # the content decides, not the name
    assert read_rows("plan.xls", xlsx_bytes([["姓名"], ["张三"]])) == [(1, ["姓名"]), (2, ["张三"])]


GOV_TITLE_XLS = "XX镇2018年城乡居民基本养老保险参保登记表"


@pytest.mark.parametrize("sheets, message", [
    ([[(0, 0), (65535, 255)]], "列数太多"),                         # 527 MB in calamine, from 5.6 KB
    ([[(0, 0), (65535, 19)]], "表格区域太大"),                       # over this test's 1,000,000 cells
    ([[(0, 0), (40000, 9)]] * 3, "各工作表共"),                       # each within, all three not
])
def test_a_hostile_xls_is_refused_before_calamine_builds_it(sheets, message):
    from tests.paperwork.util import xls_bytes
    from webapp.rules.spreadsheet import UploadLimits
    from webapp.rules.xls import measure_xls
    data = xls_bytes([_sparse(cells) for cells in sheets])
    assert len(data) < 20_000
    limits = UploadLimits(max_cells=1_000_000)
    with pytest.raises(BadFile, match=message):
        read_rows("a.xls", data, limits)
    assert measure_xls(xls_bytes([_sparse([(0, 0), (99, 9)])]), limits)[0][1:] == (100, 10, 2)


def _sparse(cells):
    rows = [[] for _ in range(max(r for r, _ in cells) + 1)]
    for r, c in cells:
        rows[r] = [None] * c + ["x"]
    return rows


@pytest.mark.parametrize("damage", ["truncate", "loop", "no sheet", "fat count"])
def test_a_damaged_xls_is_refused(damage):
    from tests.paperwork.util import xls_bytes
    data = bytearray(xls_bytes([[["姓名", "身份证号"], ["张三", "410411198005171234"]]]))
    if damage == "truncate":
        data = data[:len(data) // 2]
    elif damage == "loop":
        first_fat = int.from_bytes(data[0x4C:0x50], "little")
        fat = (first_fat + 1) * 512
        data[fat:fat + 512] = b"\x00\x00\x00\x00" * 128        # every sector points at sector 0
    elif damage == "fat count":
        data[0x2C:0x30] = (10 ** 6).to_bytes(4, "little")       # a million FAT sectors in 5.6 KB
    else:
        data = data.replace("Workbook".encode("utf-16-le"), "Workbooo".encode("utf-16-le"))
    with pytest.raises(BadFile):
        read_rows("a.xls", bytes(data))


def test_an_xls_that_is_text_or_a_web_page():
    """What office systems export as "xls": tab-separated text is read, a web page is named."""
    text = "姓名\t身份证号\t住址\r\n张三\t410411198005171234\t东街\r\n".encode("gbk")
    assert read_rows("导出.xls", text)[1] == (2, ["张三", "410411198005171234", "东街"])
    with pytest.raises(BadFile, match="网页"):
        read_rows("导出.xls", b"<html><table><tr><td>x</td></tr></table></html>")
