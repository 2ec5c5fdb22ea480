"""Lists coming in: the tax office's collection plan list (征缴计划清单) and the civil-affairs
office's lists of government-paid groups (低保, 特困/五保, 重度残疾).

Every upload is checked whole first and shown as a preview listing each problem by row number;
on confirm it is checked again and goes in all or not at all, in one transaction. The previews,
and a plan list's second check with working out every row to insert, run outside the write lock,
so coordinators' payments are not held up by them: only the writes take it (docs/architecture.md,
"The write lock"). A government-paid list's confirm still checks inside it (a few thousand rows).
A plan list of 100,000 rows goes in within the budget because nothing is done per row against the
database: duplicates are found with a few IN queries over the lookup hashes, households and people
are inserted with executemany, and pinyin is computed once per distinct name.
"""
import gc
import hashlib
import io
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from ..database import bulk_write_cache
from ..extensions import db
from ..idvault import idvault
from ..models import Area, AuditEvent, Household, ImportJob, Person
from ..rules import roles
from ..rules.categories import GOV_GROUPS
from ..rules.idnumber import InvalidIdNumber, parse_id_number
from ..rules.masking import mask_id_number
from ..rules.names import clean_name
from ..rules.pinyin import name_keys
from ..rules.plan_rows import (
    GOV_FLAG,
    EligibilityNotes,
    Villages,
    check_plan_row,
    fill_household_addresses,
    settle_household,
)
from ..rules.spreadsheet import (
    DEFAULT_LIMITS,
    GOV_COLUMNS,
    PLAN_COLUMNS,
    BadFile,
    UploadLimits,
    cell_text,
    find_table,
    id_cell,
    read_rows,
)
from ..timeutil import now_utc, to_local, today_local
from . import counters
from .actor import Actor
from .audit import record_event
from .campaigns import collecting_campaign, default_campaign
from .errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from .people import FLAGS
from .scope import visible_village_ids
from .tx import unit_of_work

FOOTER_NOTE = "表尾行（制表人、审核人、合计、填表日期等），不是人员，已忽略"
KEEP_PROBLEMS = 1000      # problems stored with a job for the preview; the count is always exact
CHUNK = 2000              # ids per IN (...) query
INSERT_CHUNK = 5000

PLAN_TEMPLATE_HEADERS = ["村/社区代码", "户号", "姓名", "身份证号", "与户主关系", "住址", "联系电话",
                         "人员类别", "是否新参保"]


class ListRejected(ValidationFailed):
    """The list has problems; nothing was imported. `problems` is [(row, message)] (all)."""

    def __init__(self, problems: list, total_rows: int):
        self.problems = problems
        self.total_rows = total_rows
        super().__init__({"file": f"共 {total_rows} 行，其中 {len({r for r, _ in problems})} 行有问题，"
                                  f"没有导入任何数据。请改正后重新上传。"})


def _progress_noop(phase, done, total):
    pass


@contextmanager
def _bulk():
    """A big list makes a million short-lived objects and none with cycles: the cyclic garbage
    collector would only rescan them again and again (about a tenth of the import's time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _village_ids_query(actor: Actor):
    """The villages an import may touch: the actor's, or all of them from the command line."""
    if actor.user is None:
        return select(Area.id).where(Area.level == "village")
    return visible_village_ids(actor.user)


def _require_importer(actor: Actor):
    if actor.user is not None and actor.role not in roles.ADMINS:
        raise Forbidden("只有乡/街道或区管理员可以导入名单")


def _read(filename: str, data: bytes, columns: dict, required: list, limits: UploadLimits):
    try:
        return find_table(read_rows(filename, data, limits), columns, required)
    except BadFile as e:
        raise ValidationFailed({"file": str(e)}) from None


def _note_footers(check, table):
    """The footer rows the sheet had (rules.spreadsheet.footer_row) are named, not imported."""
    if table.ignored:
        check.notes[FOOTER_NOTE] = table.ignored


def _chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _village_label(villages: dict, village_id: int) -> str:
    v = villages.get(village_id)
    return f"{v['township']}{v['name']}" if v else "其他村/社区"


def _all_villages() -> dict:
    """{id: {code, name, full_name, township}} of every village (a district has a few hundred)."""
    township = aliased(Area)
    rows = db.session.execute(
        select(Area.id, Area.code, Area.name, Area.full_name, township.name)
        .outerjoin(township, Area.parent_id == township.id).where(Area.level == "village"))
    return {r[0]: {"code": r[1], "name": r[2], "full_name": r[3], "township": r[4] or ""} for r in rows}


# --- the plan list --------------------------------------------------------------------------

@dataclass
class PlanRow:
    row: int
    village_id: int
    group: tuple
    name: str
    number: str
    birth_date: date
    sex: str
    id_hash: str
    address: str
    phone: str
    relation: str
    marked_head: bool
    flags: set
    household_number: str


@dataclass
class PlanCheck:
    total_rows: int
    problems: list = field(default_factory=list)            # (row, message)
    notes: dict = field(default_factory=lambda: defaultdict(list))   # message -> [rows]
    rows: list = field(default_factory=list)                # PlanRow, valid and not skipped
    skipped: int = 0
    existing_households: dict = field(default_factory=dict)  # group -> (household id, has head)
    village_counts: dict = field(default_factory=dict)       # village code -> people
    table: object = None                                     # the sheet read (rules.spreadsheet.Table)
    households_seen: tuple = ()   # (groups, existing, heads) as _assign_households read them

    @property
    def error_rows(self) -> int:
        return len({r for r, _ in self.problems})


def _plan_villages(actor: Actor, village_code: str | None) -> tuple[Villages, dict]:
    """(the villages rows may name, every village for labels). NotFound for a foreign code."""
    scope = set(db.session.scalars(_village_ids_query(actor)))
    every = _all_villages()
    villages = Villages.of({i: v for i, v in every.items() if i in scope})
    if village_code:
        villages.fixed = villages.by_code.get(village_code)
        if villages.fixed is None:
            raise NotFound("没有找到这个村/社区，或不在您的管理范围内")
    return villages, every


def _check_rows(check: PlanCheck, table, villages: Villages, eligibility, progress) -> list:
    """Every row through rules.plan_rows; the rows without errors come back as PlanRow."""
    seen, rows = {}, []
    for i, (n, values) in enumerate(table.rows):
        if i % 5000 == 0:
            progress("检查", i, check.total_rows)
        row = check_plan_row(table, n, values, villages, seen)
        for message in row.notes:
            check.notes[message].append(n)
        if row.errors:
            check.problems.extend((n, e) for e in row.errors)
            continue
        for message in eligibility.for_row(row.info.birth_date, row.flags) if eligibility else ():
            check.notes[message].append(n)
        rows.append(_plan_row(n, row))
    progress("检查", check.total_rows, check.total_rows)
    return rows


def _plan_row(n: int, row) -> PlanRow:
    info, hh = row.info, row.household_number
    return PlanRow(row=n, village_id=row.village_id, group=(row.village_id, hh) if hh else ("row", n),
                   name=row.name, number=info.number, birth_date=info.birth_date, sex=info.sex,
                   id_hash=idvault.lookup_hash(info.number), address=row.address, phone=row.phone,
                   relation=row.relation or "", marked_head=row.marked_head, flags=row.flags, household_number=hh)


def _drop_registered(check: PlanCheck, rows: list, villages: dict, skip_existing: bool) -> list:
    """Rows whose person is registered anywhere in the district are problems, or skipped when
    asked and in the same village: a few IN queries, not one per row."""
    registered = {}
    for chunk in _chunks([r.id_hash for r in rows]):
        for h, vid, pname in db.session.execute(
                select(Person.id_hash, Person.village_id, Person.name).where(Person.id_hash.in_(chunk))):
            registered[h] = (vid, pname)
    kept = []
    for r in rows:
        hit = registered.get(r.id_hash)
        if hit is None:
            kept.append(r)
        elif skip_existing and hit[0] == r.village_id:
            check.skipped += 1
            check.notes["已登记，跳过"].append(r.row)
        else:
            where = _village_label(villages, hit[0])
            check.problems.append((r.row, f"该身份证号已在{where}登记（{hit[1]}），不能重复登记"))
    return kept


def check_plan(actor: Actor, filename: str, data: bytes, *, village_code: str | None = None,
               skip_existing: bool = False, progress=None,
               limits: UploadLimits = DEFAULT_LIMITS) -> PlanCheck:
    """Read and check every row of a plan list; changes nothing. Called outside any unit of work
    (the preview, the confirm's second check): it reads in a plain read transaction."""
    progress = progress or _progress_noop
    _require_importer(actor)
    progress("读取文件", 0, 1)
    required = ["name", "id_number", "address"] + ([] if village_code else ["village"])
    table = _read(filename, data, PLAN_COLUMNS, required, limits)
    check = PlanCheck(total_rows=len(table.rows), table=table)
    _note_footers(check, table)
    progress("读取文件", 1, 1)
    villages, every = _plan_villages(actor, village_code)
    campaign = collecting_campaign() or default_campaign()
    eligibility = EligibilityNotes(campaign.policy(), today_local()) if campaign else None
    rows = _check_rows(check, table, villages, eligibility, progress)
    fill_household_addresses(rows)
    _assign_households(check, _drop_registered(check, rows, every, skip_existing))
    check.problems.sort(key=lambda p: p[0])
    for r in check.rows:
        code = every[r.village_id]["code"]
        check.village_counts[code] = check.village_counts.get(code, 0) + 1
    return check


def _existing_households(groups: dict) -> tuple[dict, dict]:
    """({(village id, 户号): (household id, address)}, {household id: head's name}) for the
    numbered groups that are already households in the database."""
    numbered = defaultdict(set)
    for village_id, number in (g for g in groups if g[0] != "row"):
        numbered[village_id].add(number)
    existing = {}
    for village_id, numbers in numbered.items():
        for chunk in _chunks(numbers):
            for hid, number, address in db.session.execute(
                    select(Household.id, Household.number, Household.address)
                    .where(Household.village_id == village_id, Household.number.in_(chunk))
                    .order_by(Household.id)):
                existing.setdefault((village_id, number), (hid, address))
    heads = {}
    for chunk in _chunks([hid for hid, _ in existing.values()]):
        for hid, name in db.session.execute(select(Person.household_id, Person.name).where(
                Person.household_id.in_(chunk), Person.is_head)):
            heads[hid] = name
    return existing, heads


def _assign_households(check: PlanCheck, rows: list):
    """Group rows by 户号 (per village), join households already in the database, pick heads."""
    groups = defaultdict(list)
    for r in rows:
        groups[r.group].append(r)
    existing, heads = _existing_households(groups)
    check.households_seen = (list(groups), existing, heads)
    for key, members in groups.items():
        hh = existing.get(key)
        verdict = settle_household(key[1], members, hh[1] if hh else None, heads.get(hh[0]) if hh else None)
        check.problems.extend(verdict.problems)
        for message, row in verdict.notes:
            check.notes[message].append(row)
        if verdict.ok:
            if hh:
                check.existing_households[key] = hh[0]
            check.rows.extend(members)
    check.rows.sort(key=lambda r: r.row)


def _plan_params(check: PlanCheck) -> tuple[list, list, list]:
    """The insert parameters, worked out before the write unit (ciphertext and pinyin are much of
    an import's time): (new groups, their households' rows, people's rows). A person's
    household_id is filled in by _insert_plan, once the new households have ids."""
    now = now_utc()
    new_groups = [r for r in check.rows if r.group not in check.existing_households and r.marked_head]
    households = [{"village_id": r.village_id, "number": r.household_number, "address": r.address,
                   "created_at": now} for r in new_groups]
    keys, people = {}, []
    for r in check.rows:
        k = keys.get(r.name)
        if k is None:
            k = keys[r.name] = name_keys(r.name)
        row = {"village_id": r.village_id, "household_id": None, "is_head": r.marked_head,
               "relation": r.relation, "name": r.name, "name_initials": k[0], "name_pinyin": k[1],
               "id_hash": r.id_hash, "id_cipher": idvault.encrypt(r.number),
               "id_masked": mask_id_number(r.number), "id_tail": r.number[-4:], "birth_date": r.birth_date,
               "sex": r.sex, "address": r.address, "phone": r.phone, "created_at": now, "updated_at": now}
        for f in FLAGS:
            row[f] = f in r.flags
        people.append(row)
    return [r.group for r in new_groups], households, people


def _insert_plan(check: PlanCheck, prepared: tuple, progress) -> tuple[int, int]:
    """Bulk insert: new households (ids back in order), then people. Returns (people, households)."""
    new_groups, households, people = prepared
    household_ids = dict(check.existing_households)
    total = len(people) + len(households)
    done = 0
    for i in range(0, len(households), INSERT_CHUNK):
        ids = db.session.execute(
            insert(Household.__table__).returning(Household.id, sort_by_parameter_order=True),
            households[i:i + INSERT_CHUNK]).scalars().all()
        household_ids.update(zip(new_groups[i:i + INSERT_CHUNK], ids, strict=True))
        done += len(ids)
        progress("写入", done, total)
    table = Person.__table__
    for i in range(0, len(people), INSERT_CHUNK):
        chunk = people[i:i + INSERT_CHUNK]
        for row, r in zip(chunk, check.rows[i:i + INSERT_CHUNK], strict=True):
            row["household_id"] = household_ids[r.group]
        db.session.execute(insert(table), chunk)
        counters.count_new_people(SimpleNamespace(**row) for row in chunk)
        done += len(chunk)
        progress("写入", done, total)
    return len(people), len(households)


def _problem_list(problems: list) -> list:
    return [[r, m] for r, m in problems[:KEEP_PROBLEMS]]


def _note_list(notes: dict) -> list:
    return sorted(([m, len(rows), rows[:20]] for m, rows in notes.items()), key=lambda x: -x[1])


def _new_job(actor: Actor, kind: str, filename: str, data: bytes, params: dict) -> ImportJob:
    job = ImportJob(kind=kind, filename=(filename or "")[:200], file_sha256=hashlib.sha256(data).hexdigest(),
                    file_size=len(data), params=params, created_by_id=actor.user_id)
    db.session.add(job)
    return job


def preview_plan(actor: Actor, filename: str, data: bytes, *, village_code: str | None = None,
                 skip_existing: bool = False, progress=None, limits: UploadLimits = DEFAULT_LIMITS) -> ImportJob:
    """Check a plan list and keep the result for the preview page. Imports nothing.

    The check reads in a plain read transaction (no write lock: on SQLite WAL readers never block
    the writer, so payments go on while 100,000 rows are checked); only storing the job is a unit
    of work, a short one."""
    with _bulk():
        check = check_plan(actor, filename, data, village_code=village_code, skip_existing=skip_existing,
                           progress=progress, limits=limits)
    with unit_of_work():
        job = _new_job(actor, "plan", filename, data, {"village_code": village_code or "",
                                                        "skip_existing": bool(skip_existing)})
        _fill_job(job, check)
    return job


def _fill_job(job: ImportJob, check):
    job.total_rows = check.total_rows
    job.error_count = check.error_rows
    job.problems = _problem_list(check.problems)
    job.notes = _note_list(check.notes)
    job.summary = check_summary(check)


def check_summary(check) -> dict:
    if isinstance(check, PlanCheck):
        return {"people": len(check.rows), "households": len({r.group for r in check.rows}),
                "new_households": sum(1 for r in check.rows if r.marked_head
                                      and r.group not in check.existing_households),
                "skipped": check.skipped, "villages": check.village_counts}
    return {"set": len(check.to_set), "already": check.already, "unset": len(check.to_unset),
            "group": check.group}


def get_job(actor: Actor, job_id: int, kind: str | None = None) -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    if job is None or (kind and job.kind != kind) or (actor.user is not None and job.created_by_id != actor.user_id):
        raise NotFound("没有找到这次导入")
    return job


def _start_confirm(actor: Actor, job_id: int, kind: str, data: bytes) -> ImportJob:
    job = get_job(actor, job_id, kind)
    if job.status == "done":
        raise Conflict("这份名单已经导入过了")
    if hashlib.sha256(data).hexdigest() != job.file_sha256:
        raise Conflict("上传的文件已不在服务器上，请重新上传")
    other = db.session.scalar(select(ImportJob).where(
        ImportJob.kind == kind, ImportJob.file_sha256 == job.file_sha256, ImportJob.status == "done",
        ImportJob.id != job.id, ImportJob.finished_at >= job.created_at).limit(1))
    if other is not None:
        raise Conflict(f"同一个文件在这次检查之后已由另一次导入确认（{to_local(other.finished_at):%Y-%m-%d %H:%M}，"
                       f"{other.imported_count} 人），这次的检查结果已过时，没有导入任何数据。如需导入，请重新上传检查")
    return job


def record_failed_confirm(actor: Actor, job_id: int, error: ServiceError):
    """A confirm that failed leaves its job saying so, so that its page no longer offers the
    confirm with the preview's "0 problems": the re-check's problems when there are any (the
    file was confirmed meanwhile, people were registered at the door), and the message."""
    with unit_of_work():
        job = get_job(actor, job_id)
        if job.status == "done":
            return
        if isinstance(error, ListRejected):
            job.problems = _problem_list(error.problems)
            job.error_count = len({r for r, _ in error.problems})
            job.total_rows = error.total_rows
        job.summary = {**(job.summary or {}), "failed": error.message, "failed_at": now_utc().isoformat()}


def _check_and_prepare(actor: Actor, filename: str, data: bytes, params: dict, progress,
                       limits: UploadLimits) -> tuple[PlanCheck, tuple]:
    """Read and check the list and work out every row to insert, in a plain read transaction (no
    write lock: payments go on meanwhile). ListRejected when any row has a problem."""
    with _bulk():
        check = check_plan(actor, filename, data, village_code=params.get("village_code") or None,
                           skip_existing=params.get("skip_existing", False), progress=progress, limits=limits)
        if check.problems:
            raise ListRejected(check.problems, check.total_rows)
        return check, _plan_params(check)


def _apply_plan(actor: Actor, job: ImportJob, check: PlanCheck, prepared: tuple, progress) -> ImportJob:
    """Inside the import's one unit of work: what the check read from the database is read again
    (a household or a head added meanwhile would be imported wrong; a person registered meanwhile
    is refused by the unique ID hash), then every row goes in, or none."""
    groups, existing, heads = check.households_seen
    if _existing_households(dict.fromkeys(groups)) != (existing, heads):
        raise Conflict("检查名单后，有人在这些户中登记或修改了人员，没有导入任何数据，请重新检查后再导入")
    with bulk_write_cache(db.session.connection()):
        people, households = _insert_plan(check, prepared, progress)
    _fill_job(job, check)
    job.status, job.imported_count, job.finished_at = "done", people, now_utc()
    db.session.flush()
    record_event(actor, "plan.import", job, object_type="import_job",
                 summary=f"导入征缴计划清单 {job.filename}：{people} 人，新建 {households} 户",
                 after={"file": job.filename, "sha256": job.file_sha256, "people": people,
                        "new_households": households, "skipped": check.skipped, "villages": check.village_counts})
    return job


_RACED = "导入时有人同时登记了清单中的人员，没有导入任何数据，请重新检查后再导入"


def confirm_plan(actor: Actor, job_id: int, data: bytes, progress=None,
                 limits: UploadLimits = DEFAULT_LIMITS) -> ImportJob:
    """Import a previewed plan list: checked again and made ready outside the write lock, then all
    rows or none, in one short transaction (the write lock is held for the inserts only)."""
    progress = progress or _progress_noop
    job = _start_confirm(actor, job_id, "plan", data)
    check, prepared = _check_and_prepare(actor, job.filename, data, job.params or {}, progress, limits)
    try:
        with unit_of_work(), _bulk():
            job = _start_confirm(actor, job_id, "plan", data)   # again: another confirm may have won
            return _apply_plan(actor, job, check, prepared, progress)
    except IntegrityError:
        raise Conflict(_RACED) from None


def import_plan(actor: Actor, filename: str, data: bytes, *, village_code: str | None = None,
                skip_existing: bool = False, progress=None, limits: UploadLimits = DEFAULT_LIMITS) -> ImportJob:
    """Check and import in one go (the command line and the benchmark)."""
    progress = progress or _progress_noop
    _require_importer(actor)
    params = {"village_code": village_code or "", "skip_existing": bool(skip_existing)}
    check, prepared = _check_and_prepare(actor, filename, data, params, progress, limits)
    try:
        with unit_of_work(), _bulk():
            job = _new_job(actor, "plan", filename, data, params)
            return _apply_plan(actor, job, check, prepared, progress)
    except IntegrityError:
        raise Conflict(_RACED) from None


def plan_template(fmt: str = "xlsx") -> bytes:
    """An empty plan list with the columns we read; the ID column is text so Excel keeps it."""
    if fmt == "csv":
        return ("\ufeff" + ",".join(PLAN_TEMPLATE_HEADERS) + "\r\n").encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    ws = wb.active
    ws.title = "征缴计划清单"
    ws.append(PLAN_TEMPLATE_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGHI", (16, 12, 10, 22, 12, 30, 14, 14, 12), strict=True):
        ws.column_dimensions[col].width = width
    for col in "ABDG":  # codes, ID numbers and phones stay text, or Excel mangles them: the
        ws.column_dimensions[col].number_format = "@"   # whole column's style, every row below too
    notes = wb.create_sheet("填写说明")
    for line in [
        "填写说明",
        "1. 第一行是列名；从第二行起每行一人。列的顺序可以调整，列名也可以写作：公民身份号码、联系电话、户主 等。",
        "2. 身份证号必须是 18 位，请把该列设为“文本”格式，否则 Excel 会变成 4.10411E+17 并丢失末尾数字。",
        "3. 同一户的人填写相同的户号；户主在“与户主关系”填“户主”（或在“户主”列填“是”）；不填户号的人各自成一户。",
        "4. 人员类别可填：在校学生、低保、特困、五保、重度残疾、职工养老、职工医保，多个用顿号分隔；普通居民留空。",
        "5. 按村/社区导入时“村/社区代码”可以不填；全区导入时必须填写 12 位代码或村/社区名称。",
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 120
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- government-paid lists ------------------------------------------------------------------

@dataclass
class GovCheck:
    group: str
    total_rows: int
    replace: bool
    problems: list = field(default_factory=list)
    notes: dict = field(default_factory=lambda: defaultdict(list))
    to_set: list = field(default_factory=list)      # person ids to flag
    already: int = 0
    to_unset: list = field(default_factory=list)    # person ids to unflag (replace mode)
    table: object = None                            # the sheet read (rules.spreadsheet.Table)

    @property
    def error_rows(self) -> int:
        return len({r for r, _ in self.problems})


def check_gov(actor: Actor, filename: str, data: bytes, *, group: str, replace: bool = False,
              progress=None, limits: UploadLimits = DEFAULT_LIMITS) -> GovCheck:
    progress = progress or _progress_noop
    _require_importer(actor)
    if group not in GOV_FLAG:
        raise ValidationFailed({"group": "请选择名单类别"})
    table = _read(filename, data, GOV_COLUMNS, ["name", "id_number"], limits)
    check = GovCheck(group=group, total_rows=len(table.rows), replace=replace, table=table)
    _note_footers(check, table)
    flag = GOV_FLAG[group]
    column = getattr(Person, flag)
    seen = {}
    wanted = []   # (row, name, hash)
    for i, (n, values) in enumerate(table.rows):
        if i % 5000 == 0:
            progress("检查", i, check.total_rows)
        try:
            name = clean_name(cell_text(table.get(values, "name")))
        except ValueError as e:
            check.problems.append((n, f"姓名：{e}"))
            name = None
        try:
            info = parse_id_number(id_cell(table.get(values, "id_number")))
        except InvalidIdNumber as e:
            check.problems.append((n, f"身份证号：{e}"))
            continue
        first = seen.setdefault(info.number, n)
        if first != n:
            check.problems.append((n, f"身份证号与第 {first} 行重复"))
            continue
        if name:
            wanted.append((n, name, idvault.lookup_hash(info.number)))
    scope = _village_ids_query(actor)
    found = {}
    for chunk in _chunks([h for _, _, h in wanted]):
        for pid, h, pname, flagged in db.session.execute(select(Person.id, Person.id_hash, Person.name, column).where(
                Person.id_hash.in_(chunk), Person.village_id.in_(scope))):
            found[h] = (pid, pname, flagged)
    listed = set()
    for n, name, h in wanted:
        hit = found.get(h)
        if hit is None:
            check.problems.append((n, "未在您管理的村/社区登记，请先导入征缴计划清单或登记此人"))
        elif hit[1] != name:
            check.problems.append((n, f"姓名与登记的“{hit[1]}”不一致"))
        else:
            listed.add(hit[0])
            if hit[2]:
                check.already += 1
            else:
                check.to_set.append(hit[0])
    if replace:
        check.to_unset = [pid for pid in db.session.scalars(select(Person.id).where(
            column, Person.village_id.in_(scope))) if pid not in listed]
    check.problems.sort(key=lambda p: p[0])
    progress("检查", check.total_rows, check.total_rows)
    return check


def preview_gov(actor: Actor, filename: str, data: bytes, *, group: str, replace: bool = False,
                progress=None, limits: UploadLimits = DEFAULT_LIMITS) -> ImportJob:
    check = check_gov(actor, filename, data, group=group, replace=replace, progress=progress, limits=limits)
    with unit_of_work():   # as preview_plan: the check reads outside the write lock
        job = _new_job(actor, "gov", filename, data, {"group": group, "replace": bool(replace)})
        _fill_job(job, check)
    return job


def _apply_gov(actor: Actor, job: ImportJob, data: bytes, progress, limits: UploadLimits) -> ImportJob:
    params = job.params or {}
    check = check_gov(actor, job.filename, data, group=params.get("group", ""), replace=params.get("replace", False),
                      progress=progress, limits=limits)
    if check.problems:
        raise ListRejected(check.problems, check.total_rows)
    flag = GOV_FLAG[check.group]
    # 代缴 groups move no progress figure (expected and covered depend on age, students and the
    # employee schemes; amounts are those of the payments made): no counter changes here.
    label = GOV_GROUPS[check.group]
    now = now_utc()
    events = []
    for ids, value in ((check.to_set, True), (check.to_unset, False)):
        for chunk in _chunks(ids):
            db.session.execute(update(Person).where(Person.id.in_(chunk)).values({flag: value, "updated_at": now}),
                               execution_options={"synchronize_session": False})
        # One event per person, so each person's history shows who marked them and from which list.
        events += [{"at": now, "user_id": actor.user_id, "ip": actor.ip or "", "action": "person.update",
                    "object_type": "person", "object_id": str(pid),
                    "summary": f"代缴名单（{label}）{'标记' if value else '取消'}：{job.filename}"[:255],
                    "before": {flag: not value}, "after": {flag: value}} for pid in ids]
    for chunk in _chunks(events, INSERT_CHUNK):
        db.session.execute(insert(AuditEvent.__table__), chunk)
    _fill_job(job, check)
    job.status, job.imported_count, job.finished_at = "done", len(check.to_set), now
    db.session.flush()
    record_event(actor, "govlist.import", job, object_type="import_job",
                 summary=f"导入代缴名单（{label}）{job.filename}：标记 {len(check.to_set)} 人，"
                         f"取消 {len(check.to_unset)} 人",
                 after={"file": job.filename, "sha256": job.file_sha256, "group": check.group,
                        "set": len(check.to_set), "already": check.already, "unset": len(check.to_unset)})
    return job


def confirm_gov(actor: Actor, job_id: int, data: bytes, progress=None,
                limits: UploadLimits = DEFAULT_LIMITS) -> ImportJob:
    progress = progress or _progress_noop
    with unit_of_work():
        job = _start_confirm(actor, job_id, "gov", data)
        return _apply_gov(actor, job, data, progress, limits)


def import_gov(actor: Actor, filename: str, data: bytes, *, group: str, replace: bool = False,
               progress=None, limits: UploadLimits = DEFAULT_LIMITS) -> ImportJob:
    progress = progress or _progress_noop
    with unit_of_work():
        _require_importer(actor)
        job = _new_job(actor, "gov", filename, data, {"group": group, "replace": bool(replace)})
        return _apply_gov(actor, job, data, progress, limits)
