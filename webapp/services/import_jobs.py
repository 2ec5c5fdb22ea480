"""What the import pages show around a job: the user's past jobs, village names for the codes a
job's summary counts, and the whole problem list as a workbook. Read-only; the imports
themselves are in services/imports.py."""
import hashlib
import io

from sqlalchemy import select

from ..extensions import db
from ..models import Area, ImportJob
from ..rules.plan_rows import problem_column
from ..rules.spreadsheet import (
    COLUMN_LABELS,
    DEFAULT_LIMITS,
    FORMULA_STARTS,
    Table,
    UploadLimits,
    cell_text,
    column_letters,
)
from . import imports
from .actor import Actor
from .errors import Conflict
from .scope import visible_area_ids


def recent_jobs(actor: Actor, kind: str | None = None, limit: int = 30) -> list[ImportJob]:
    """The actor's own import jobs, newest first (a job holds the uploader's problem list, so it is
    shown to the uploader only, as services.imports.get_job does)."""
    q = select(ImportJob).where(ImportJob.created_by_id == actor.user_id).order_by(ImportJob.id.desc()).limit(limit)
    if kind:
        q = q.where(ImportJob.kind == kind)
    return db.session.scalars(q).all()


def village_names(actor: Actor, codes) -> dict[str, str]:
    """{code: "乡 村"} for the codes the actor may see; others are left out (shown as codes)."""
    codes = [c for c in codes if c]
    if not codes:
        return {}
    rows = db.session.scalars(select(Area).where(Area.code.in_(codes), Area.id.in_(visible_area_ids(actor.user))))
    return {a.code: (f"{a.parent.name} " if a.parent else "") + a.name for a in rows}


# --- the whole problem list, as a workbook ----------------------------------------------------

PROBLEM_HEADERS = ("行", "列", "值", "问题")


def problem_rows(table: Table, problems: list) -> list:
    """[(row, column, value, problem)] for every problem: the column it is about (its letter and
    name, rules.plan_rows.problem_column) and that cell's value as the file has it."""
    values = dict(table.rows)
    out = []
    for row, message in problems:
        name = problem_column(message)
        index = table.columns.get(name) if name else None
        if index is None:
            out.append((row, COLUMN_LABELS.get(name, ""), "", message))
        else:
            cells = values.get(row) or []
            out.append((row, f"{column_letters(index + 1)}（{COLUMN_LABELS[name]}）",
                        cell_text(cells[index]) if index < len(cells) else "", message))
    return out


def problem_workbook(actor: Actor, job_id: int, data: bytes, limits: UploadLimits = DEFAULT_LIMITS) -> bytes:
    """Every problem of a job's file, not only the KEEP_PROBLEMS kept with the job: the upload
    (kept sealed until its confirm, services/upload_store) is checked again as the job's confirm
    would check it. Reads only, so it takes no write lock."""
    job = imports.get_job(actor, job_id)
    if not data or hashlib.sha256(data).hexdigest() != job.file_sha256:
        raise Conflict("上传的文件已不在服务器上（已导入，或超过保存时间），请重新上传后再下载问题清单")
    params = job.params or {}
    if job.kind == "plan":
        check = imports.check_plan(actor, job.filename, data, village_code=params.get("village_code") or None,
                                   skip_existing=params.get("skip_existing", False), limits=limits)
    else:
        check = imports.check_gov(actor, job.filename, data, group=params.get("group", ""),
                                  replace=params.get("replace", False), limits=limits)
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("问题清单")
    for col, width in zip("ABCD", (8, 16, 24, 80), strict=True):
        ws.column_dimensions[col].width = width
    ws.append(list(PROBLEM_HEADERS))
    for row in problem_rows(check.table, check.problems):
        ws.append([text_cell(ws, v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def text_cell(ws, value):
    """A value for a write-only sheet: text that a spreadsheet would run as a formula (=, +, -, @)
    is kept exactly and stored as a text cell, never a formula."""
    if not (isinstance(value, str) and value.startswith(FORMULA_STARTS)):
        return value
    from openpyxl.cell import WriteOnlyCell
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type, cell.quotePrefix = "s", True
    return cell
