"""Forms going out, exactly as the plan's annexes: 附件1 (staff, per township), 附件2 (pension) and
附件3 (medical), per collection unit, as .xlsx (title row, the annex's columns, ID numbers stored as
text, amounts as numbers in yuan) or CSV. Any text cell a spreadsheet would run as a formula is
neutralised. An export that carries full ID numbers is an audit event.
"""
import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..idvault import idvault
from ..models import (
    Area,
    BureauBatchPayment,
    HandoverReceipt,
    Payment,
    Person,
    Receipt,
    User,
    user_areas,
)
from ..rules import roles
from ..rules.categories import PENSION
from ..rules.coverage import coverage_label
from ..rules.spreadsheet import FORMULA_STARTS, csv_text, neutralize
from ..timeutil import local_day_range_utc, today_local
from .actor import Actor
from .audit import record_event
from .campaigns import price_version_label, require_campaign
from .errors import Forbidden, NotFound, ValidationFailed
from .scope import visible_area_ids, visible_village_ids
from .tx import unit_of_work

KINDS = ("staff", "pension", "medical")
FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class Annex:
    label: str
    title: str
    headers: tuple
    notes: tuple
    widths: tuple


# The column after the paper form's own (平湛政办〔2018〕70号): new enrollees register with the
# 区社保经办机构 before they pay, and the bureau sees on the sheet whom it still has to register.
REGISTRATION, REGISTRATION_DUE = "参保登记", "待办理"
# And the campaign's price version each line was collected at (services/campaigns.py: amounts
# change after the first receipt only as a new version), so a sheet that holds two says which.
PRICE_VERSION = "价格版本"

# Titles, columns and notes as printed in 平湛政办〔2018〕70号 (plus REGISTRATION).
ANNEXES = {
    "staff": Annex("附件1", "城乡居民养老（医疗）保险费集中征缴工作人员登记表",
                   ("单位（全称）", "姓名", "职务", "电话"), ("注：此表由乡（办事处）填制。",), (40, 12, 20, 18)),
    "pension": Annex("附件2", "参保人员缴费情况表（养老）",
                     ("序号", "姓名", "身份证号", "住址", "电话", "金额", "是否新参保", REGISTRATION, PRICE_VERSION),
                     ("注：1. 此表由代征单位填制，新参保人员做参保登记后进行缴费。",
                      "2. 新参保手续按照区社保经办机构要求办理。"), (6, 10, 22, 32, 14, 10, 10, 10, 10)),
    "medical": Annex("附件3", "参保人员缴费情况表（医疗）",
                     ("序号", "姓名", "身份证号", "住址", "电话", "是否新参保", REGISTRATION, PRICE_VERSION),
                     ("注：1. 此表由代征单位填制，新参保人员做参保登记后进行缴费。",
                      "2. 新参保手续按照区社保经办机构要求办理。"), (6, 10, 22, 36, 14, 10, 10, 10)),
}
ID_COLUMN = 2      # 身份证号 in 附件2/3 (0-based)
AMOUNT_COLUMN = 5  # 金额 in 附件2
CORRECTION_MARK = "冲红"   # 序号 of a correction line
TEXT_COLUMNS = {"身份证号", "电话"}   # digits a spreadsheet must not turn into a number


@dataclass
class Sheet:
    name: str        # the collection unit (or township) the sheet is for
    rows: list       # lists of cell values in the annex's column order


@dataclass
class ExportFile:
    filename: str
    content_type: str
    data: bytes
    rows: int


@dataclass
class ExportFilter:
    day_from: date | None = None
    day_to: date | None = None
    handover_number: str | None = None     # 上解批次号, e.g. SJ2018-200001-001
    bureau_batch_id: int | None = None
    handover_id: int | None = None         # resolved from handover_number inside the scope

    def describe(self) -> dict:
        return {k: v for k, v in {"day_from": self.day_from, "day_to": self.day_to,
                                  "handover": self.handover_number,
                                  "bureau_batch_id": self.bureau_batch_id}.items() if v}


def _scope_villages(actor: Actor):
    if actor.user is None:
        return select(Area.id).where(Area.level == "village")
    return visible_village_ids(actor.user)


def _area(actor: Actor, code: str) -> Area:
    q = select(Area).where(Area.code == (code or "").strip())
    if actor.user is not None:
        q = q.where(Area.id.in_(visible_area_ids(actor.user)))
    area = db.session.scalar(q)
    if area is None:
        raise NotFound("没有找到这个区域，或不在您的管理范围内")
    return area


def _villages_in(actor: Actor, area: Area) -> list[Area]:
    township = aliased(Area)
    q = (select(Area).outerjoin(township, Area.parent_id == township.id)
         .where(Area.level == "village", Area.id.in_(_scope_villages(actor))).order_by(Area.code))
    if area.level == "village":
        q = q.where(Area.id == area.id)
    elif area.level == "township":
        q = q.where(Area.parent_id == area.id)
    else:
        q = q.where(township.parent_id == area.id)
    return db.session.scalars(q).all()


def staff_sheets(actor: Actor, area: Area) -> list[Sheet]:
    """附件1: per township, its admins and the coordinators of its villages (active accounts)."""
    if area.level == "village":
        raise ValidationFailed({"area": "附件1 按乡/街道填制，请选择乡/街道"})
    townships = [area] if area.level == "township" else db.session.scalars(
        select(Area).where(Area.parent_id == area.id, Area.level == "township").order_by(Area.code)).all()
    sheets = []
    for t in townships:
        rows = []
        admins = db.session.scalars(select(User).join(user_areas, user_areas.c.user_id == User.id).where(
            user_areas.c.area_id == t.id, User.role == roles.TOWNSHIP_ADMIN, User.active).order_by(User.id)).all()
        rows += [[t.full_name, u.name, u.title, u.phone] for u in admins]
        for v in db.session.scalars(select(Area).where(Area.parent_id == t.id).order_by(Area.code)):
            coordinators = db.session.scalars(select(User).join(user_areas, user_areas.c.user_id == User.id).where(
                user_areas.c.area_id == v.id, User.role == roles.COORDINATOR, User.active).order_by(User.id)).all()
            rows += [[v.full_name, u.name, u.title, u.phone] for u in coordinators]
        sheets.append(Sheet(t.name, rows))
    return sheets


def payment_rows_query(kind: str, campaign_id: int, village_id: int, flt: ExportFilter, *, reversed_: bool = False):
    """Live payments of one insurance in one collection unit, with the person's current details:
    the bureau checks names and ID numbers, so a 改名 after payment must reach it. With
    `reversed_`, the payments 冲红 after hand-over instead (each becomes a correction line)."""
    from ..models import CorrectionDecision
    if reversed_:
        which = Payment.void_id.in_(select(CorrectionDecision.void_id).where(CorrectionDecision.approved.is_(True)))
    else:
        which = Payment.void_id.is_(None)
    q = (select(Payment.amount_fen, Payment.new_enrollee, Person.name, Person.id_cipher, Person.address, Person.phone,
                Receipt.price_version)
         .join(Receipt, Payment.receipt_id == Receipt.id).join(Person, Payment.person_id == Person.id)
         .where(Payment.kind == kind, Payment.campaign_id == campaign_id, which,
                Receipt.village_id == village_id)
         .order_by(Receipt.taken_at, Payment.id))
    if flt.day_from or flt.day_to:
        start, end = local_day_range_utc(flt.day_from or date(2000, 1, 1), flt.day_to or today_local())
        q = q.where(Receipt.taken_at >= start, Receipt.taken_at < end)
    if flt.handover_id:
        q = q.where(Receipt.id.in_(select(HandoverReceipt.receipt_id)
                                   .where(HandoverReceipt.handover_id == flt.handover_id)))
    if flt.bureau_batch_id:
        q = q.where(Payment.id.in_(select(BureauBatchPayment.payment_id)
                                   .where(BureauBatchPayment.batch_id == flt.bureau_batch_id)))
    return q


def payment_sheet(kind: str, campaign_id: int, village: Area, flt: ExportFilter) -> Sheet:
    rows = []
    for i, (amount, new, name, cipher, address, phone, version) in enumerate(
            db.session.execute(payment_rows_query(kind, campaign_id, village.id, flt)), start=1):
        row = [i, name, idvault.decrypt(cipher), address, phone]
        if kind == PENSION:
            row.append(amount / 100)
        row += ["是" if new else "否", REGISTRATION_DUE if new else "", price_version_label(version)]
        rows.append(row)
    # 冲红 lines: a payment reversed after hand-over is not dropped silently. It is its own line,
    # 序号 "冲红" and a negative amount, so whoever already holds the earlier file sees the change.
    for amount, new, name, cipher, address, phone, version in db.session.execute(
            payment_rows_query(kind, campaign_id, village.id, flt, reversed_=True)):
        row = [CORRECTION_MARK, name, idvault.decrypt(cipher), address, phone]
        if kind == PENSION:
            row.append(-amount / 100)
        row += ["是" if new else "否", REGISTRATION_DUE if new else "", price_version_label(version)]
        rows.append(row)
    return Sheet(village.name, rows)


def _sheet_title(name: str, used: set) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "", name)[:28] or "Sheet"
    base, n = title, 2
    while title in used:
        title, n = f"{base}{n}", n + 1
    used.add(title)
    return title


def write_xlsx(annex: Annex, sheets: list[Sheet], notes: tuple = ()) -> bytes:
    """`notes`: lines of ours before the annex's own notes (the coverage year of 附件2/3)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb = Workbook()
    wb.remove(wb.active)
    used = set()
    width = len(annex.headers)
    for sheet in sheets or [Sheet(annex.title, [])]:
        ws = wb.create_sheet(_sheet_title(sheet.name, used))
        ws.append([annex.title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws["A1"].font = Font(bold=True, size=16)
        ws["A1"].alignment = Alignment(horizontal="center")
        ws.append(list(annex.headers))
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.border = border
            cell.alignment = Alignment(horizontal="center")
        for values in sheet.rows:
            ws.append(values)
            r = ws.max_row
            for cell in ws[r]:
                cell.border = border
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    # The value stays exactly as recorded (an address "+1号楼" reaches the bureau
                    # as "+1号楼"), stored as a text cell with Excel's quote-prefix flag: no
                    # spreadsheet runs it as a formula, and editing the cell keeps it text.
                    cell.data_type = "s"
                    cell.quotePrefix = True
            if annex is not ANNEXES["staff"]:
                ws.cell(r, ID_COLUMN + 1).number_format = "@"
                if annex is ANNEXES["pension"]:
                    ws.cell(r, AMOUNT_COLUMN + 1).number_format = "0.00"
        ws.append([])
        for note in (*notes, *annex.notes):
            ws.append([note])
        for i, w in enumerate(annex.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.print_title_rows = "1:2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


DIGITS = re.compile(r"[0-9Xx][0-9Xx\- ]*")


def _csv_cell(header: str, value):
    if isinstance(value, float):
        return f"{value:.2f}"
    if header in TEXT_COLUMNS and isinstance(value, str) and DIGITS.fullmatch(value):
        return csv_text(value)     # ID numbers and phones open in Excel/WPS as text, every digit kept
    return neutralize(value)


def write_csv(annex: Annex, sheet: Sheet) -> bytes:
    """UTF-8 with BOM (Excel then reads the Chinese right); header first, no title row. A CSV has
    no cell types: ID numbers and phones are written as ="…" (see rules.spreadsheet.csv_text),
    other text that a spreadsheet would run as a formula gets a leading apostrophe."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(annex.headers)
    for values in sheet.rows:
        w.writerow([_csv_cell(h, v) for h, v in zip(annex.headers, values, strict=False)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_annex(actor: Actor, kind: str, area_code: str, *, fmt: str = "xlsx",
                 flt: ExportFilter | None = None, campaign=None) -> ExportFile:
    """One workbook: a sheet per collection unit (附件2/3) or per township (附件1) under the area."""
    flt = flt or ExportFilter()
    if kind not in KINDS:
        raise ValidationFailed({"kind": "请选择附件1、附件2或附件3"})
    if fmt not in FORMATS:
        raise ValidationFailed({"fmt": "格式只能是 xlsx 或 csv"})
    if flt.day_from and flt.day_to and flt.day_from > flt.day_to:
        raise ValidationFailed({"day_to": "结束日期不能早于开始日期"})
    annex = ANNEXES[kind]
    # Reading and computing run in a plain read transaction: on SQLite (WAL) a reader never holds
    # the write lock, so a district-wide export does not make every coordinator's payment wait.
    # Only the audit event is a write, in its own short unit of work at the end.
    if kind == "staff" and actor.user is not None and actor.role not in roles.ADMINS:
        raise Forbidden("附件1 由乡/街道填制")
    area = _area(actor, area_code)
    notes = ()
    if kind == "staff":
        sheets = staff_sheets(actor, area)
    else:
        campaign = require_campaign(campaign)
        villages = _villages_in(actor, area)
        if not villages:
            raise NotFound("这个区域下没有您负责的村/社区")
        _check_filter_scope(actor, flt, villages)
        sheets = [payment_sheet(kind, campaign.id, v, flt) for v in villages]
        notes = (f"缴费年度：{coverage_label(campaign.year, campaign.coverage_year, [kind])}"
                 f"（{campaign.year} 年集中征缴）",)
    if fmt == "csv" and len(sheets) != 1:
        raise ValidationFailed({"fmt": "CSV 每个文件只能是一个单位：请选择一个村/社区（附件1 选一个乡/街道），"
                                       "或导出 xlsx"})
    rows = sum(len(s.rows) for s in sheets)
    area_code, area_name = area.code, area.name
    with unit_of_work():
        if kind != "staff":
            # Full ID numbers leave the system: say who took them, which and how many.
            record_event(actor, "annex.export", object_type="area", object_id=area_code,
                         summary=f"导出{annex.label} {area_name} {rows} 行（含完整身份证号）",
                         after={"kind": kind, "area": area_code, "format": fmt, "rows": rows} | flt.describe())
        else:
            record_event(actor, "annex.export", object_type="area", object_id=area_code,
                         summary=f"导出{annex.label} {area_name} {rows} 行",
                         after={"kind": kind, "area": area_code, "format": fmt, "rows": rows})
    data = write_xlsx(annex, sheets, notes) if fmt == "xlsx" else write_csv(annex, sheets[0])
    suffix = f"_{flt.day_from or ''}至{flt.day_to or ''}" if (flt.day_from or flt.day_to) else ""
    filename = f"{annex.label}_{annex.title}_{area_name}{suffix}.{fmt}"
    content_type = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                    else "text/csv; charset=utf-8")
    return ExportFile(filename=filename, content_type=content_type, data=data, rows=rows)


def _check_filter_scope(actor: Actor, flt: ExportFilter, villages: list[Area]):
    from ..models import BureauBatch, Handover
    ids = {v.id for v in villages}
    if flt.handover_number:
        h = db.session.scalar(select(Handover).where(Handover.number == flt.handover_number.strip()))
        if h is None or h.village_id not in ids:
            raise ValidationFailed({"handover": "没有找到这个上解批次，或不在所选单位"})
        flt.handover_id = h.id
    if flt.bureau_batch_id:
        b = db.session.get(BureauBatch, flt.bureau_batch_id)
        if b is None or b.village_id not in ids:
            raise NotFound("没有找到这个报送批次，或不在所选区域")

