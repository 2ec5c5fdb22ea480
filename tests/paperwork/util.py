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


GOV_TITLE = "XX镇2018年城乡居民基本养老保险参保登记表"
GOV_FOOTER = [[], ["合计", "", "3 人"], ["制表人：张三", "", "", "审核人：李四", "", "", "填表日期：2018年10月8日"]]


def gov_xlsx(people, footer=GOV_FOOTER) -> bytes:
    """A list laid out as the offices send it (附件1/2's shape): a merged title row, a 填报单位 row,
    a header over two rows with merged cells (参保人信息 spanning 姓名…与户主关系 above them;
    序号, 住址 and 联系电话 merged down both rows), the column numbers 1-9 under it, then
    `people` (户号, 姓名, 身份证号, 性别, 与户主关系, 住址, 联系电话, 人员类别) and the footer rows."""
    wb = Workbook()
    ws = wb.active
    ws.append([GOV_TITLE])
    ws.merge_cells("A1:I1")
    ws.append(["填报单位（盖章）：曹镇乡曹镇村", "", "", "", "", "", "单位：人"])
    ws.append(["序号", "参保人信息", "", "", "", "", "住址", "联系电话", "人员类别"])
    ws.append(["", "户号", "姓名", "身份证号", "性别", "与户主关系", "", "", ""])
    for cells in ("A3:A4", "B3:F3", "G3:G4", "H3:H4", "I3:I4"):
        ws.merge_cells(cells)
    ws.append(list(range(1, 10)))
    for i, p in enumerate(people, 1):
        ws.append([i, *p])
    for r in footer:
        ws.append(r)
    if footer:
        ws.merge_cells(f"A{ws.max_row}:I{ws.max_row}")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xls_bytes(sheets, merges=()) -> bytes:
    """An old-Excel (.xls, BIFF8) workbook written by xlwt: `sheets` is a list of row lists, the
    first sheet's `merges` (first row, last row, first column, last column; 0-based) merged."""
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    for k, rows in enumerate(sheets):
        ws = wb.add_sheet(f"Sheet{k + 1}")
        done = set()
        if k == 0:
            for r1, r2, c1, c2 in merges:
                ws.write_merge(r1, r2, c1, c2, rows[r1][c1] if c1 < len(rows[r1]) else "")
                done |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for r, values in enumerate(rows):
            for c, v in enumerate(values):
                if (r, c) not in done and v not in (None, ""):
                    ws.write(r, c, v)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
