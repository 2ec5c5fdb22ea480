"""Helpers for the paperwork tests: spreadsheets built in memory."""
import csv
import io

from openpyxl import Workbook

PLAN_HEADERS = ["户号", "姓名", "身份证号", "与户主关系", "住址", "联系电话", "人员类别", "是否新参保"]


_MADE = {}


def xlsx_bytes(rows, title_row=None) -> bytes:
    """The same rows give the same bytes: openpyxl stamps the time of saving into the file, and
    a test that builds a list twice (preview, then confirm) must not get two different files
    when a second ticks over in between (it did, on a loaded machine)."""
    key = repr((rows, title_row))
    if key not in _MADE:
        if len(_MADE) > 256:
            _MADE.clear()
        _MADE[key] = _make_xlsx(rows, title_row)
    return _MADE[key]


def _make_xlsx(rows, title_row) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title_row:
        ws.append([title_row])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)



def read_xlsx(data: bytes):
    """An exported workbook, opened to read its cells back (exports, corrections)."""
    from openpyxl import load_workbook
    return load_workbook(io.BytesIO(data))
