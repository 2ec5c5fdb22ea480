"""Helpers for the paperwork tests: spreadsheets built in memory."""
import csv
import io

from openpyxl import Workbook

PLAN_HEADERS = ["户号", "姓名", "身份证号", "与户主关系", "住址", "联系电话", "人员类别", "是否新参保"]


def xlsx_bytes(rows, title_row=None) -> bytes:
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

