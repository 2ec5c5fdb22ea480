"""Spreadsheets exchanged with the tax office, the 人社局 and the civil-affairs office: reading
.xlsx/.csv uploads, finding the header row, reading cell values, and neutralising cells that a
spreadsheet program would run as formulas. Pure: no Flask, no database.

.xlsx is read with python-calamine (Rust's calamine) rather than openpyxl's read-only mode:
openpyxl spends about 65 µs per row building cell objects (6.6 s for a 100,000-row plan list,
almost half the 15 s budget for the whole import); calamine reads the same file in under a
second. openpyxl still writes every workbook we produce, and the tests read them back with it.
"""
import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from .categories import PERSON_FLAG_WORDS, RELATIONS

MAX_UPLOAD_BYTES = 32 * 1024 * 1024
MAX_ROWS = 200_000
# A 32 MB .xlsx may unpack to far more: refuse archives that would unpack beyond this (zip bombs).
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_SCAN_ROWS = 10


class BadFile(ValueError):
    """The whole file is unusable; the message is Chinese and says what to do."""


# --- cells ----------------------------------------------------------------------------------

def neutralize(value):
    """A text cell that Excel or WPS would run as a formula gets a leading apostrophe.

    Numbers pass unchanged; only text can smuggle a formula (=HYPERLINK(...), +cmd|...)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell_text(value) -> str:
    """A cell as trimmed text; integral numbers lose their '.0' (phones typed as numbers)."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def id_cell(value):
    """The ID number cell as the ID rules want it: a float stays a float (Excel has mangled it,
    see idnumber.looks_mangled_by_excel); an exact integer becomes its digits."""
    if isinstance(value, float) or value is None:
        return value
    return str(value).strip()


_YES = {"是", "y", "yes", "1", "√", "✓", "✔", "true", "户主", "是户主"}
_NO = {"否", "n", "no", "0", "", "×", "false", "不是", "非户主"}


def parse_yes_no(value) -> bool | None:
    text = cell_text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


# 人员类别 words as they appear in plan lists -> Person flag (rules.categories); the neutral ones set nothing.
CATEGORY_FLAGS = {word: flag for flag, words in PERSON_FLAG_WORDS.items() for word in words}
NEUTRAL_CATEGORIES = {"农村居民", "城镇居民", "城乡居民", "居民", "城镇非从业居民", "非从业居民",
                      "普通", "普通居民", "一般", "一般人员", "其他", "无", "—", "-"}


def parse_categories(value) -> tuple[set, list]:
    """'低保、在校学生' -> ({'is_dibao', 'is_student'}, []); unknown words come back in the list."""
    flags, unknown = set(), []
    for word in re.split(r"[,，、/;；\s|]+", cell_text(value)):
        if not word or word in NEUTRAL_CATEGORIES:
            continue
        if word in CATEGORY_FLAGS:
            flags.add(CATEGORY_FLAGS[word])
        else:
            unknown.append(word)
    return flags, unknown


_RELATION_WORDS = {
    "本人": "户主", "户主本人": "户主",
    "妻": "配偶", "妻子": "配偶", "夫": "配偶", "丈夫": "配偶", "夫妻": "配偶",
    "子": "子女", "女": "子女", "儿子": "子女", "女儿": "子女", "长子": "子女", "次子": "子女",
    "三子": "子女", "长女": "子女", "次女": "子女", "三女": "子女", "养子": "子女", "养女": "子女",
    "父": "父母", "母": "父母", "父亲": "父母", "母亲": "父母",
    "孙子": "孙子女", "孙女": "孙子女", "外孙子": "孙子女", "外孙女": "孙子女", "外孙": "孙子女",
    "兄": "兄弟姐妹", "弟": "兄弟姐妹", "姐": "兄弟姐妹", "妹": "兄弟姐妹", "哥哥": "兄弟姐妹",
    "弟弟": "兄弟姐妹", "姐姐": "兄弟姐妹", "妹妹": "兄弟姐妹",
}


def parse_relation(value) -> str | None:
    """与户主关系 to one of RELATIONS; '' -> None (unknown)."""
    text = cell_text(value)
    if text in RELATIONS:
        return text
    return _RELATION_WORDS.get(text)


# --- headers --------------------------------------------------------------------------------

PLAN_COLUMNS = {
    "name": ("姓名", "参保人姓名", "缴费人姓名", "人员姓名", "参保人"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "证件号码",
                  "社会保障号码", "社会保障号", "身份证"),
    "address": ("住址", "家庭住址", "地址", "户籍地址", "居住地址", "户籍所在地", "家庭地址"),
    "phone": ("电话", "联系电话", "手机号", "手机号码", "手机", "联系方式", "电话号码"),
    "household": ("户号", "户编号", "家庭编号", "户籍编号"),
    "head": ("户主", "是否户主"),
    "head_name": ("户主姓名",),
    "relation": ("与户主关系", "家庭关系", "关系"),
    "category": ("人员类别", "人员类型", "参保类别", "参保人员类别", "类别", "人员身份"),
    "new_enrollee": ("是否新参保", "新参保"),
    "village": ("村/社区", "村社区", "村(社区)", "村/社区代码", "村代码", "社区代码", "村", "社区",
                "代征单位", "行政村", "村居", "所属村", "所属社区", "村委会"),
}

GOV_COLUMNS = {
    "name": PLAN_COLUMNS["name"],
    "id_number": PLAN_COLUMNS["id_number"],
}

RESULT_COLUMNS = {
    "name": PLAN_COLUMNS["name"],
    "id_number": PLAN_COLUMNS["id_number"],
    "result": ("结果", "导入结果", "审核结果", "处理结果", "状态", "校验结果", "是否成功"),
    "reason": ("原因", "失败原因", "错误原因", "错误信息", "备注", "说明", "失败说明"),
}

COLUMN_LABELS = {
    "name": "姓名", "id_number": "身份证号", "address": "住址", "phone": "电话", "household": "户号",
    "head": "户主", "head_name": "户主姓名", "relation": "与户主关系", "category": "人员类别",
    "new_enrollee": "是否新参保", "village": "村/社区", "result": "结果", "reason": "原因",
}

_FULLWIDTH = str.maketrans("（）／：＊", "()/:*")


def normalize_header(value) -> str:
    """'* 公民身份号码（必填）' -> '公民身份号码'."""
    text = cell_text(value).translate(_FULLWIDTH)
    text = re.sub(r"\((必填|选填|可选|可不填|必须)\)", "", text)
    return re.sub(r"[\s*:]", "", text).lower()


def match_headers(row, columns: dict) -> dict:
    """{field: column index} for the cells of `row` that name one of `columns`' aliases."""
    lookup = {normalize_header(alias): name for name, aliases in columns.items() for alias in aliases}
    found = {}
    for index, cell in enumerate(row):
        name = lookup.get(normalize_header(cell))
        if name and name not in found:
            found[name] = index
    return found


@dataclass
class Table:
    """An uploaded sheet: its header mapping and data rows as (row number, values)."""
    columns: dict                      # field -> column index
    rows: list = field(default_factory=list)
    header_row: int = 1

    def get(self, values, name):
        index = self.columns.get(name)
        if index is None or index >= len(values):
            return None
        return values[index]


def _filled(cell) -> bool:
    return cell is not None and (type(cell) is not str or bool(cell.strip()))


def find_table(rows: list, columns: dict, required: list) -> Table:
    """Find the header row among the first rows (a title row may come first) and return the
    rows below it. Raises BadFile naming any required column that is missing."""
    if not rows:
        raise BadFile("文件是空的，没有任何内容")
    best = None
    for number, values in rows[:HEADER_SCAN_ROWS]:
        found = match_headers(values, columns)
        if all(r in found for r in required):
            data = [(n, v) for n, v in rows if n > number and any(_filled(c) for c in v)]
            if not data:
                raise BadFile("文件只有表头，没有数据行")
            return Table(columns=found, rows=data, header_row=number)
        if best is None or len(found) > len(best[1]):
            best = (values, found)
    values, found = best
    missing = [r for r in required if r not in found]
    present = "、".join(cell_text(c) for c in values if cell_text(c))[:200] or "（空）"
    wanted = "；".join(f"{COLUMN_LABELS[m]}（可写作：{'、'.join(columns[m][:4])}）" for m in missing)
    raise BadFile(f"缺少必需的列：{wanted}。文件中的列：{present}")


# --- reading files --------------------------------------------------------------------------

def read_rows(filename: str, data: bytes) -> list:
    """Every row of an .xlsx (first sheet) or .csv upload as (row number, [values]).

    Values are str, int, float or None. Raises BadFile for anything unusable."""
    if not data:
        raise BadFile("文件是空的，没有任何内容")
    if len(data) > MAX_UPLOAD_BYTES:
        raise BadFile(f"文件太大（{len(data) / 1024 / 1024:.1f} MB），最大 {MAX_UPLOAD_BYTES // 1024 // 1024} MB")
    name = (filename or "").lower().strip()
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise BadFile("这是旧版 Excel（.xls）文件，请在 Excel 或 WPS 中“另存为” .xlsx 后再上传")
    if ext == "xlsx":
        rows = _xlsx_rows(data)
    elif ext in ("csv", "txt"):
        rows = _csv_rows(data)
    else:
        raise BadFile("只支持 Excel（.xlsx）或 CSV（.csv）文件")
    if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS:
        raise BadFile(f"行数太多（{len(rows):,} 行），一次最多导入 {MAX_ROWS:,} 行，请拆分后分批导入")
    return rows


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GBK, as Excel and WPS save CSV files in China."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BadFile("文件是 UTF-16 编码，请另存为“CSV UTF-8”或 GBK 编码的 CSV")
    if b"\x00" in data[:4096]:
        raise BadFile("这不是文本格式的 CSV 文件，请上传 .xlsx 或另存为 CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gbk")
    except UnicodeDecodeError:
        raise BadFile("无法识别文件编码：请在 Excel 中另存为“CSV UTF-8”，或保存为 GBK 编码的 CSV") from None


def _csv_rows(data: bytes) -> list:
    text = decode_text(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        return [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1)]
    except csv.Error as e:
        raise BadFile(f"CSV 格式不对：{e}") from None


def _cell(value):
    """calamine's values as the checks expect them: '' is an empty cell, whole numbers are int —
    except numbers of 15 or more digits, which stay float so that an ID number Excel has turned
    into 4.10411E+17 is recognised as mangled instead of being trusted."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _xlsx_rows(data: bytes) -> list:
    """The first worksheet of an .xlsx, read by calamine (Rust; five times openpyxl's speed)."""
    from python_calamine import CalamineError, CalamineWorkbook
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise BadFile("文件解压后太大，不是正常的表格文件")
        if "xl/workbook.xml" not in archive.namelist():
            raise BadFile("这不是有效的 Excel（.xlsx）文件")
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not book.sheet_names:
            raise BadFile("Excel 文件里没有工作表")
        sheet = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except BadFile:
        raise
    except (zipfile.BadZipFile, CalamineError, ValueError, IndexError, OSError):
        raise BadFile("这不是有效的 Excel（.xlsx）文件，或文件已损坏") from None
    rows = []
    for number, values in enumerate(sheet[:MAX_ROWS + HEADER_SCAN_ROWS + 1], start=1):
        cells = [_cell(v) for v in values]
        while cells and cells[-1] is None:
            cells.pop()
        rows.append((number, cells))
    return rows
