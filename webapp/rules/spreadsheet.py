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
import struct
import zipfile
import zlib
from dataclasses import dataclass, field, fields

from .categories import PERSON_FLAG_WORDS, RELATIONS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_SCAN_ROWS = 10


class BadFile(ValueError):
    """The whole file is unusable; the message is Chinese and says what to do."""


@dataclass(frozen=True)
class UploadLimits:
    """What one uploaded spreadsheet may cost, checked before anything reads it whole.

    calamine builds the sheet as one dense rectangle from A1 to the last cell it finds, 32 bytes
    a cell: a 4.9 KB file whose only cell is at XFD1048576 asks for 512 GiB, one at ZZ100000 for
    2.2 GB. So the rectangle (rows x columns) is bounded, and so is the number of <c> elements,
    the unpacked size and the compression ratio (zip bombs). webapp/config.py sets these as
    UPLOAD_MAX_*; docs/security-uploads.md gives what the largest accepted file costs."""
    max_bytes: int = 32 * 1024 * 1024          # the upload itself (as MAX_CONTENT_LENGTH)
    max_rows: int = 200_000                     # data rows; a title and header row come on top
    max_columns: int = 200                      # a plan list has 9; the tax office's exports ~40
    max_cells: int = 3_000_000                  # rows x columns of the rectangle calamine builds
    max_unpacked_bytes: int = 256 * 1024 * 1024  # every zip member added up, as unpacked
    max_ratio: int = 100                        # unpacked / packed of one member (XML packs ~9:1)
    max_members: int = 1000                     # zip entries (a workbook has ~10)

    CONFIG_KEYS = {"max_bytes": "UPLOAD_MAX_BYTES", "max_rows": "UPLOAD_MAX_ROWS",
                   "max_columns": "UPLOAD_MAX_COLUMNS", "max_cells": "UPLOAD_MAX_CELLS",
                   "max_unpacked_bytes": "UPLOAD_MAX_UNPACKED_BYTES", "max_ratio": "UPLOAD_MAX_RATIO",
                   "max_members": "UPLOAD_MAX_ZIP_MEMBERS"}

    @classmethod
    def from_config(cls, config) -> "UploadLimits":
        """From a mapping such as app.config; a key missing or None keeps the default."""
        values = {f.name: int(config[key]) for f in fields(cls)
                  if (key := cls.CONFIG_KEYS[f.name]) in config and config[key] is not None}
        return cls(**values)


DEFAULT_LIMITS = UploadLimits()
MAX_UPLOAD_BYTES = DEFAULT_LIMITS.max_bytes
MAX_ROWS = DEFAULT_LIMITS.max_rows


# --- cells ----------------------------------------------------------------------------------

def neutralize(value):
    """A text cell that Excel or WPS would run as a formula gets a leading apostrophe.

    Numbers pass unchanged; only text can smuggle a formula (=HYPERLINK(...), +cmd|...)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


_CSV_TEXT = re.compile(r'^="([^"]*)"$')


def csv_text(value: str) -> str:
    """A string of digits for a CSV that Excel and WPS must open as text, not as a number: the
    formula ="…" whose result is that text. A bare 18-digit ID becomes 4.10422E+17 and loses its
    last digits when saved; a leading tab or apostrophe would stay in the value and travel on.
    Only used for digit strings (ID numbers, phones), so the formula can never be anything else."""
    return f'="{value}"' if value else value


def cell_text(value) -> str:
    """A cell as trimmed text; integral numbers lose their '.0' (phones typed as numbers), and a
    CSV text cell written as ="…" (see csv_text) reads as its text."""
    if type(value) is str:
        value = value.strip()
        m = _CSV_TEXT.match(value)
        return m.group(1) if m else value
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
    return cell_text(str(value))


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
    ignored: list = field(default_factory=list)   # row numbers of footers (制表人, 合计) left out

    def get(self, values, name):
        index = self.columns.get(name)
        if index is None or index >= len(values):
            return None
        return values[index]


def _filled(cell) -> bool:
    return cell is not None and (type(cell) is not str or bool(cell.strip()))


# --- footers --------------------------------------------------------------------------------

# What government lists put below (or between) their people: who made and checked the table,
# when, the office's seal, and sums. A cell that starts with one of these words marks the row.
FOOTER_WORDS = ("制表人", "制表", "填表人", "填报人", "审核人", "审核", "复核人", "负责人", "经办人",
                "联系人", "填表日期", "制表日期", "填报日期", "日期", "合计", "总计", "小计", "共计",
                "累计", "单位盖章", "盖章", "单位负责人", "分管领导", "主管领导", "说明", "备注", "注")
_FOOTER = re.compile("^(" + "|".join(sorted(FOOTER_WORDS, key=len, reverse=True)) + r")[\s:：(（]*")
_IDISH = re.compile(r"\d{15}")


def footer_row(values, id_column: int | None) -> bool:
    """Is this row a footer rather than a person: a cell starting with a footer word (制表人：…
    审核人：…, 合计, 填表日期) and no ID number anywhere in it; or the column numbers (1 2 3 …)
    some forms put under the header. A row with an ID number is a person, however odd, and is
    checked; so is a row with a name and no ID number."""
    cells = [cell_text(c) for c in values]
    filled = [c for c in cells if c]
    if len(filled) >= 3 and filled == [str(i) for i in range(1, len(filled) + 1)]:
        return True
    if id_column is not None and id_column < len(values) and isinstance(values[id_column], float):
        return False      # an ID number Excel has turned into 4.10411E+17: a person, refused as such
    if any(_IDISH.search(c.replace(" ", "")) for c in cells):
        return False
    return any(_FOOTER.match(normalize_header(c)) for c in filled)


# --- finding the header ---------------------------------------------------------------------

def merge_header_rows(upper, lower) -> list:
    """A header split over two rows as government forms draw it: group cells merged across
    the top (参保人信息 over 姓名, 身份证号) and names merged down both rows (住址). A merged
    cell's value is in its first cell only, so a column's name is the lower cell, or the upper
    one where the lower is empty."""
    width = max(len(upper), len(lower))
    return [lower[i] if i < len(lower) and _filled(lower[i]) else (upper[i] if i < len(upper) else None)
            for i in range(width)]


def _header_part(values, columns: dict) -> bool:
    """Could this row be the lower half of a two-row header: names a column, and holds no
    number that could be a person's (an ID number, a phone)?"""
    if any(_IDISH.search(cell_text(c)) or isinstance(c, float) for c in values):
        return False
    return bool(match_headers(values, columns))


def find_table(rows: list, columns: dict, required: list) -> Table:
    """Find the header row among the first rows (titles may come first), on one row or split
    over two (merge_header_rows), and return the rows below it, less the blank ones and the
    footers (footer_row). Raises BadFile naming any required column that is missing."""
    if not rows:
        raise BadFile("文件是空的，没有任何内容")
    best = None
    for i, (number, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        found, header_row = match_headers(values, columns), number
        if i + 1 < len(rows) and _header_part(rows[i + 1][1], columns):
            merged = match_headers(merge_header_rows(values, rows[i + 1][1]), columns)
            if len(merged) > len(found):
                found, header_row = merged, rows[i + 1][0]
        if all(r in found for r in required):
            return _table(rows, found, header_row)
        if best is None or len(found) > len(best[1]):
            best = (values, found)
    values, found = best
    missing = [r for r in required if r not in found]
    present = "、".join(cell_text(c) for c in values if cell_text(c))[:200] or "（空）"
    wanted = "；".join(f"{COLUMN_LABELS[m]}（可写作：{'、'.join(columns[m][:4])}）" for m in missing)
    raise BadFile(f"缺少必需的列：{wanted}。文件中的列：{present}")


def _table(rows: list, found: dict, header_row: int) -> Table:
    table = Table(columns=found, header_row=header_row)
    id_column = found.get("id_number")
    for n, v in rows:
        if n <= header_row or not any(_filled(c) for c in v):
            continue
        if footer_row(v, id_column):
            table.ignored.append(n)
        else:
            table.rows.append((n, v))
    if not table.rows:
        raise BadFile("文件只有表头，没有数据行")
    return table


# --- reading files --------------------------------------------------------------------------

def read_rows(filename: str, data: bytes, limits: UploadLimits = DEFAULT_LIMITS) -> list:
    """Every row of an .xlsx (first sheet) or .csv upload as (row number, [values]).

    Values are str, int, float or None. Raises BadFile for anything unusable, and for anything
    over `limits` before it is read whole (see UploadLimits)."""
    if not data:
        raise BadFile("文件是空的，没有任何内容")
    if len(data) > limits.max_bytes:
        raise BadFile(f"文件太大（{len(data) / 1024 / 1024:.1f} MB），最大 {_mb(limits.max_bytes)}")
    name = (filename or "").lower().strip()
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":   # old Excel (.xls), whatever the name says
        from .xls import measure_xls
        measure_xls(data, limits)
        return _calamine_rows(data, ".xls")
    if ext == "xlsx" or (ext == "xls" and data[:4] == b"PK\x03\x04"):   # an .xlsx named .xls too
        measure_xlsx(data, limits)
        return _calamine_rows(data, ".xlsx")
    if ext == "xls":
        # Office systems export "xls" files that are a web page or tab-separated text.
        if data.lstrip()[:1] == b"<":
            raise BadFile("这个 .xls 文件其实是网页（HTML）格式：请用 Excel 或 WPS 打开后“另存为” .xlsx 再上传")
        return _csv_rows(data, limits)
    if ext in ("csv", "txt"):
        return _csv_rows(data, limits)
    raise BadFile("只支持 Excel（.xlsx、.xls）或 CSV（.csv）文件")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _too_many_rows(rows: int, limits: UploadLimits) -> BadFile:
    return BadFile(f"行数太多：表格用到了第 {rows:,} 行，一次最多导入 {limits.max_rows:,} 行。"
                   f"请删除多余的行（包括看似空白、但填过空格或设过格式的行），或拆分后分批导入")


def _too_many_columns(columns: int, limits: UploadLimits) -> BadFile:
    return BadFile(f"列数太多：表格用到了第 {columns:,} 列（{column_letters(columns)} 列），最多 "
                   f"{limits.max_columns:,} 列。请删除表格右侧多余的列")


def _too_many_cells(rows: int, columns: int, limits: UploadLimits) -> BadFile:
    return BadFile(f"表格区域太大：{rows:,} 行 × {columns:,} 列 = {rows * columns:,} 个单元格，最多 "
                   f"{limits.max_cells:,} 个。请删除多余的行和列，或拆分后分批导入")


def check_extent(rows: int, columns: int, cells: int, limits: UploadLimits):
    """Raise BadFile naming the limit if a sheet of `rows` x `columns` (`cells` cells written) is
    too big to read. `rows` counts from row 1, so a title and the header row get room on top."""
    if rows > limits.max_rows + HEADER_SCAN_ROWS:
        raise _too_many_rows(rows, limits)
    if columns > limits.max_columns:
        raise _too_many_columns(columns, limits)
    if rows * columns > limits.max_cells or cells > limits.max_cells:
        raise _too_many_cells(rows, columns, limits)


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


def _csv_rows(data: bytes, limits: UploadLimits) -> list:
    """Row by row, stopping at the first row over a limit: a CSV of 32 MB of commas would
    otherwise become a list of 32 million strings before anything counted them."""
    text = decode_text(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    rows, cells, widest = [], 0, 0
    try:
        for n, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
            if len(row) > widest:
                widest = len(row)
                if widest > limits.max_columns:
                    raise _too_many_columns(widest, limits)
            cells += len(row)
            check_extent(n, widest, cells, limits)
            rows.append((n, row))
    except csv.Error as e:
        raise BadFile(f"CSV 格式不对：{e}") from None
    return rows


def _cell(value):
    """calamine's values as the checks expect them: '' is an empty cell, whole numbers are int —
    except numbers of 15 or more digits, which stay float so that an ID number Excel has turned
    into 4.10411E+17 is recognised as mangled instead of being trusted."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _calamine_rows(data: bytes, kind: str) -> list:
    """The first worksheet, read by calamine (Rust; five times openpyxl's speed) once
    measure_xlsx or measure_xls has shown that every part of the file is within the limits."""
    from python_calamine import CalamineError, CalamineWorkbook
    broken = BadFile(f"这不是有效的 Excel（{kind}）文件，或文件已损坏")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not book.sheet_names:
            raise BadFile("Excel 文件里没有工作表")
        sheet = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except BadFile:
        raise
    except (CalamineError, ValueError, IndexError, OSError):
        raise broken from None
    except BaseException as e:
        # A panic in calamine's Rust code arrives as pyo3's PanicException, a BaseException:
        # left alone it would end the worker. The measuring should have refused the file already.
        if type(e).__name__ != "PanicException":
            raise
        raise broken from None
    rows = []
    for number, values in enumerate(sheet, start=1):
        cells = [_cell(v) for v in values]
        while cells and cells[-1] is None:
            cells.pop()
        rows.append((number, cells))
    return rows


# --- measuring an .xlsx before it is read -----------------------------------------------------

@dataclass
class SheetExtent:
    """What calamine would build from one XML part: rows x columns from A1, and <c> elements."""
    rows: int = 0
    columns: int = 0
    cells: int = 0
    declared: str = ""        # <dimension ref="A1:I100002"/>, as the file says (it may lie)


def column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.upper().decode():
        n = n * 26 + ord(ch) - 64
    return n


_LOCAL_HEADER = struct.Struct("<4s22xHH")
_PIECE = 256 * 1024           # compressed bytes fed to zlib at a time
_OUT = 1024 * 1024            # most bytes zlib may hand back at once
_MAX_TAG = 64 * 1024          # a start tag longer than this is no spreadsheet's
# A start tag <c ...>, <row ...> or <dimension ...>, with its r="..." when that comes first (as
# every writer puts it; _R_ATTR finds it elsewhere). calamine goes by local names, so <x:c> is a
# cell too: _PREFIXED_TAG reads those, at twice the cost, in the pieces that may hold one.
_TAG = re.compile(rb"""<(c|row|dimension)(?=[\s/>])\s*(?:r\s*=\s*(["'])([^"']*)\2)?([^>]*)>""")
_PREFIXED_TAG = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?(c|row|dimension)(?=[\s/>])"""
                           rb"""\s*(?:r\s*=\s*(["'])([^"']*)\2)?([^>]*)>""")
_R_ATTR = re.compile(rb"""\sr\s*=\s*(["'])([^"']*)\1""")
_DIMENSION = re.compile(rb"""(?:^|\s)ref\s*=\s*["']([A-Za-z0-9:$]{1,32})["']""")
_DIM_END = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def measure_xlsx(data: bytes, limits: UploadLimits = DEFAULT_LIMITS) -> list:
    """Check an .xlsx without building it: the zip's members (count, sizes, compression ratio,
    CRC), then every XML part streamed through a small scanner that counts <row> and <c>
    elements and tracks the last row and column, as calamine will place them. Memory stays at
    about a megabyte whatever the file holds. Returns [(member, SheetExtent)]; raises BadFile
    naming the limit that was passed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise BadFile("这不是有效的 Excel（.xlsx）文件，或文件已损坏") from None
    if len(infos) > limits.max_members:
        raise BadFile(f"文件里有 {len(infos):,} 个部件，正常的表格不超过 {limits.max_members:,} 个，不是正常的表格文件")
    if "xl/workbook.xml" not in archive.namelist():
        raise BadFile("这不是有效的 Excel（.xlsx）文件")
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_unpacked_bytes:
        raise BadFile(f"文件解压后太大（{_mb(declared)}），最大 {_mb(limits.max_unpacked_bytes)}，不是正常的表格文件")
    extents = []
    unpacked = 0
    for info in infos:
        _check_ratio(info.file_size, info.compress_size, limits)
        scan = _SheetScanner(limits) if info.filename.lower().endswith(".xml") else None
        for chunk in _member_chunks(data, info, limits):
            unpacked += len(chunk)
            if unpacked > limits.max_unpacked_bytes:
                raise BadFile(f"文件解压后太大（超过 {_mb(limits.max_unpacked_bytes)}），不是正常的表格文件")
            if scan:
                scan.feed(chunk)
        if scan:
            extents.append((info.filename, scan.finish()))
    return extents


def _check_ratio(unpacked: int, packed: int, limits: UploadLimits):
    # Small parts pack well by nature (an empty styles.xml is 10:1); only a big one is a bomb.
    if unpacked > 1024 * 1024 and unpacked > limits.max_ratio * max(packed, 1):
        raise BadFile(f"文件压缩比异常（{unpacked // max(packed, 1):,}:1，正常表格约 10:1，最多 "
                      f"{limits.max_ratio}:1），不是正常的表格文件")


def _member_raw(data: bytes, info: zipfile.ZipInfo, bad: BadFile) -> memoryview:
    """The member's compressed bytes, found through its own local header (not the directory's word)."""
    if info.flag_bits & 0x1:
        raise BadFile("Excel 文件设置了密码，请去掉密码后再上传")
    head = data[info.header_offset:info.header_offset + _LOCAL_HEADER.size]
    if len(head) < _LOCAL_HEADER.size:
        raise bad
    magic, name_len, extra_len = _LOCAL_HEADER.unpack(head)
    if magic != b"PK\x03\x04":
        raise bad
    start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) != info.compress_size:
        raise bad
    return raw


def _member_chunks(data: bytes, info: zipfile.ZipInfo, limits: UploadLimits):
    """The member's bytes, unpacked here from the very bytes calamine will read: the stream must
    end exactly at the size the directory declares, with its CRC. Python's zipfile would quietly
    cut a longer stream at the declared size and check the CRC of the cut (an attacker chooses
    both), while calamine's reader would go on unpacking."""
    bad = BadFile("这不是有效的 Excel（.xlsx）文件，或文件已损坏")
    raw = _member_raw(data, info, bad)
    crc, total = 0, 0
    if info.compress_type == zipfile.ZIP_STORED:
        for i in range(0, len(raw), _OUT):
            chunk = bytes(raw[i:i + _OUT])
            crc = zlib.crc32(chunk, crc)
            total += len(chunk)
            yield chunk
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflate = zlib.decompressobj(-15)
        for i in range(0, len(raw), _PIECE):
            pending = bytes(raw[i:i + _PIECE])
            while pending:
                try:
                    chunk = inflate.decompress(pending, _OUT)
                except zlib.error:
                    raise bad from None
                pending = inflate.unconsumed_tail
                total += len(chunk)
                if total > info.file_size:
                    _check_ratio(total, info.compress_size, limits)
                    raise bad
                crc = zlib.crc32(chunk, crc)
                yield chunk
                if inflate.eof:
                    break
            if inflate.eof:
                break
        if not inflate.eof:
            raise bad
    else:
        raise BadFile("Excel 文件使用了不支持的压缩方式，请在 Excel 或 WPS 中重新保存为 .xlsx")
    if total != info.file_size or crc != info.CRC:
        raise bad


def _bad_ref(value: bytes) -> BadFile:
    return BadFile(f"单元格位置“{value[:20].decode(errors='replace')}”无效，这不是有效的 Excel（.xlsx）文件")


def _ref_column(value: bytes, letters: bytes, digits: bytes) -> int:
    """The column of r="B7" (0 for r="7"). A reference this scanner cannot read (an entity, a
    fourth letter) refuses the file: calamine might place it where nothing here counted it."""
    plain = letters.replace(b"$", b"")
    if not (plain.isalpha() and plain.isascii()) and plain or len(plain) > 3 or len(digits) > 7:
        raise _bad_ref(value)
    return column_number(plain) if plain else 0


class _SheetScanner:
    """Counts <row> and <c> start tags in XML fed in pieces and follows their positions as
    calamine does: a cell's r="B7" when given, otherwise the next column of the current row
    (and a row's r="7", otherwise the next row). Stops at the first limit passed."""

    def __init__(self, limits: UploadLimits):
        self.limits = limits
        self.extent = SheetExtent()
        self.row = 0
        self.col = 0
        self.tail = b""
        self._columns = {}

    def feed(self, chunk: bytes):
        buf = self.tail + chunk
        # Text holds no '<' (XML escapes it), so everything before the last '<' is whole tags.
        cut = buf.rfind(b"<")
        if cut < 0:
            self.tail = b""
            return
        self._scan(buf, cut)
        self.tail = buf[cut:]
        if len(self.tail) > _MAX_TAG and b">" not in self.tail[:_MAX_TAG]:
            raise BadFile("这不是有效的 Excel（.xlsx）文件，或文件已损坏")

    def finish(self) -> SheetExtent:
        self._scan(self.tail, len(self.tail))
        self.tail = b""
        return self.extent

    def _scan(self, buf: bytes, end: int):
        ext, limits = self.extent, self.limits
        row, col, rows, columns, cells = self.row, self.col, ext.rows, ext.columns, ext.cells
        letters_to_col = self._columns
        # findall's tuples cost a third of finditer's match objects: 900,000 cells in ~0.5 s.
        prefixed = b":c" in buf or b":row" in buf or b":dimension" in buf
        for kind, _, value, attrs in (_PREFIXED_TAG if prefixed else _TAG).findall(buf, 0, end):
            if not value and b"r" in attrs and (later := _R_ATTR.search(attrs)):
                value = later.group(2)
            if kind == b"c":
                if value:
                    letters = value.rstrip(b"0123456789")
                    digits = value[len(letters):]
                    c = letters_to_col.get(letters)
                    if c is None:
                        c = letters_to_col[letters] = _ref_column(value, letters, digits)
                    col = c or col + 1
                    if digits:
                        row = int(digits)
                else:
                    col += 1
                cells += 1
                if col > columns or row > rows or cells > limits.max_cells:
                    columns, rows = max(columns, col), max(rows, row)
                    check_extent(rows, columns, cells, limits)
            elif kind == b"row":
                if value:
                    if not value.isdigit() or len(value) > 7:
                        raise _bad_ref(value)
                    row = int(value)
                else:
                    row += 1
                col = 0
                if row > limits.max_rows + HEADER_SCAN_ROWS:
                    raise _too_many_rows(row, limits)
            else:
                self._dimension(attrs)
        self.row, self.col = row, col
        ext.rows, ext.columns, ext.cells = rows, columns, cells

    def _dimension(self, attrs: bytes):
        """The part's own <dimension ref="A1:XFD1048576"/>: a workbook that declares more than the
        limits is refused at once, before its cells are counted."""
        m = _DIMENSION.search(attrs)
        if not m:
            return
        self.extent.declared = m.group(1).decode()
        last = _DIM_END.search(self.extent.declared.split(":")[-1])
        if last:
            rows, columns = int(last.group(2)), column_number(last.group(1))
            check_extent(rows, columns, 0, self.limits)
