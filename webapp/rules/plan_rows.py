"""The rules for one row of a plan list (征缴计划清单), and for one household of rows: pure, so
they are tested without a database (tests/test_rules_plan_rows.py). services/imports.py reads
the file, looks up what is already registered, and applies these in order.

Messages are the ones a township clerk sees next to the row number in the preview."""
from dataclasses import dataclass, field
from datetime import date

from .categories import EMPLOYEE_MEDICAL, EMPLOYEE_PENSION, GOV_GROUP_FLAGS, IS_STUDENT, NEW_ENROLLEE
from .contact import PERSON_PHONE_MAX, InvalidPhone, normalize_phone
from .eligibility import BLOCK, PersonFacts, medical_findings, pension_birth_window, pension_findings
from .idnumber import IdInfo, InvalidIdNumber, parse_id_number
from .names import clean_name
from .spreadsheet import Table, cell_text, id_cell, parse_categories, parse_relation, parse_yes_no

# 代缴名单 groups -> the Person flag each sets.
GOV_FLAG = GOV_GROUP_FLAGS   # government-paid group -> Person flag, defined in rules/categories
CATEGORY_HELP = "可用：在校学生、低保、特困、五保、重度残疾、职工养老、职工医保、新参保，或留空"
PHONE_NOTE = "电话不是有效的手机号或固定电话（如 0375-2612345），已留空"


# --- villages -------------------------------------------------------------------------------

@dataclass
class Villages:
    """The villages a row may name: by 12-digit code, by name or full name (which may repeat)."""
    names: dict                      # id -> name
    by_code: dict                    # code -> id
    by_name: dict                    # name or full name -> [ids]
    fixed: int | None = None         # the village chosen for the whole import, if any

    @classmethod
    def of(cls, mine: dict, fixed: int | None = None) -> "Villages":
        """`mine`: {id: {"code", "name", "full_name"}} of the villages in the actor's scope."""
        by_name = {}
        for i, v in mine.items():
            by_name.setdefault(v["name"], []).append(i)
            if v["full_name"] != v["name"]:
                by_name.setdefault(v["full_name"], []).append(i)
        return cls(names={i: v["name"] for i, v in mine.items()}, by_code={v["code"]: i for i, v in mine.items()},
                   by_name=by_name, fixed=fixed)

    def resolve(self, text: str):
        """(village id, None) or (None, message)."""
        text = text.strip()
        if text in self.by_code:
            return self.by_code[text], None
        ids = self.by_name.get(text)
        if ids and len(ids) == 1:
            return ids[0], None
        if ids:
            return None, f"村/社区“{text}”有重名，请填写 12 位村/社区代码"
        return None, f"村/社区“{text}”不存在或不在您的管理范围内"

    def for_row(self, has_column: bool, text: str):
        """The row's village (its 村/社区 cell, else the import's own), or (None, message)."""
        if not has_column:
            return self.fixed, None
        if not text:
            return (self.fixed, None) if self.fixed else (None, "没有填写村/社区")
        vid, message = self.resolve(text)
        if message:
            return None, message
        if self.fixed and vid != self.fixed:
            return None, f"该行属于{self.names[vid]}，不是本次导入的{self.names[self.fixed]}"
        return vid, None


# --- one row --------------------------------------------------------------------------------

@dataclass
class RowCheck:
    """One row read and checked: the values, the row's errors (it is left out) and notes."""
    name: str = ""
    info: IdInfo | None = None
    village_id: int | None = None
    phone: str = ""
    flags: set = field(default_factory=set)
    relation: str | None = None
    marked_head: bool = False
    household_number: str = ""
    address: str = ""
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def check_name(check: RowCheck, value):
    try:
        check.name = clean_name(cell_text(value))
    except ValueError as e:
        check.errors.append(f"姓名：{e}")


def check_id_number(check: RowCheck, value, row: int, seen: dict):
    """`seen`: number -> first row, shared by the rows of one file (a repeat is an error)."""
    try:
        check.info = parse_id_number(id_cell(value))
    except InvalidIdNumber as e:
        check.errors.append(f"身份证号：{e}")
        return
    first = seen.setdefault(check.info.number, row)
    if first != row:
        check.errors.append(f"身份证号与第 {first} 行重复")


def check_phone(check: RowCheck, value):
    try:
        check.phone = normalize_phone(cell_text(value), PERSON_PHONE_MAX)
    except InvalidPhone:
        check.notes.append(PHONE_NOTE)


def check_categories(check: RowCheck, category, new_enrollee):
    check.flags, unknown = parse_categories(category)
    if unknown:
        check.errors.append(f"人员类别“{'、'.join(unknown)}”无法识别（{CATEGORY_HELP}）")
    new = parse_yes_no(new_enrollee)
    if new is None:
        check.errors.append("是否新参保应填“是”或“否”")
    elif new:
        check.flags.add(NEW_ENROLLEE)


def check_relation(check: RowCheck, value):
    text = cell_text(value)
    check.relation = parse_relation(text)
    if text and check.relation is None:
        check.notes.append(f"与户主关系“{text}”无法识别，记为“其他”")
        check.relation = "其他"


def marked_as_head(name: str, relation: str | None, head_cell, head_name_cell, has_head_column: bool) -> bool:
    """Is this row its household's head? 户主 = 是, the head's own name in the 户主 column (some
    lists do that), 与户主关系 = 户主, or 户主姓名 = the row's own name."""
    marked = False
    if has_head_column:
        answer = parse_yes_no(head_cell)
        marked = answer is True or (answer is None and cell_text(head_cell) == name)
    head_name = cell_text(head_name_cell)
    return marked or relation == "户主" or bool(head_name and head_name == name)


def check_plan_row(table: Table, row: int, values: list, villages: Villages, seen: dict) -> RowCheck:
    """Every rule for one row, in the order the preview lists its problems."""
    get = table.get
    check = RowCheck()
    check_name(check, get(values, "name"))
    check_id_number(check, get(values, "id_number"), row, seen)
    check.village_id, message = villages.for_row("village" in table.columns, cell_text(get(values, "village")))
    if message:
        check.errors.append(message)
    check_phone(check, get(values, "phone"))
    check_categories(check, get(values, "category"), get(values, NEW_ENROLLEE))   # the column is named after the flag
    check_relation(check, get(values, "relation"))
    check.marked_head = marked_as_head(check.name, check.relation, get(values, "head"), get(values, "head_name"),
                                       "head" in table.columns)
    check.household_number = cell_text(get(values, "household"))[:32]
    check.address = cell_text(get(values, "address"))[:128]
    return check


# --- eligibility notes ----------------------------------------------------------------------

class EligibilityNotes:
    """The campaign's blocking findings for a row, as preview notes. They depend on which side
    of the campaign's birth-date window the person falls and on the categories, not on the day
    itself: computed once per such key (a 100,000-row list has a few dozen)."""

    def __init__(self, policy, today: date):
        self.policy, self.today = policy, today
        self.window = pension_birth_window(policy)
        self._cache = {}

    def for_row(self, birth_date: date, flags: set) -> tuple:
        born_from, born_until = self.window
        key = (birth_date < born_from, birth_date > born_until,
               IS_STUDENT in flags, EMPLOYEE_PENSION in flags, EMPLOYEE_MEDICAL in flags,
               frozenset(g for g, f in GOV_FLAG.items() if f in flags))
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._compute(birth_date, *key[2:])
        return found

    def _compute(self, birth, student, emp_pension, emp_medical, groups) -> tuple:
        facts = PersonFacts(birth_date=birth, is_student=student, employee_pension=emp_pension,
                            employee_medical=emp_medical, groups=groups)
        out = [f"养老不适用：{f.message}" for f in pension_findings(facts, self.policy, self.today)
               if f.level == BLOCK]
        out += [f"医疗不适用：{f.message}" for f in medical_findings(facts, self.policy) if f.level == BLOCK]
        return tuple(out)


# --- households -----------------------------------------------------------------------------

def fill_household_addresses(rows: list):
    """A member's empty address is the household's: the first address given in its group.
    `rows` have .group and .address."""
    first = {}
    for r in rows:
        if r.address:
            first.setdefault(r.group, r.address)
    for r in rows:
        r.address = r.address or first.get(r.group, "")


@dataclass
class HouseholdVerdict:
    problems: list = field(default_factory=list)    # (row, message)
    notes: list = field(default_factory=list)       # (message, row)

    @property
    def ok(self) -> bool:
        return not self.problems


def settle_household(number: str, members: list, existing_address: str | None, head_name: str | None
                     ) -> HouseholdVerdict:
    """The rows of one 户号 (or one row without a 户号) against the household already registered
    under that number, if any (its address, and its head's name when it has one). Fills in the
    members' addresses, heads and relations; returns the problems that keep the group out.
    `members` have .row, .address, .marked_head and .relation."""
    verdict = HouseholdVerdict()
    _settle_addresses(verdict, members, existing_address)
    if head_name is not None:
        _join_headed_household(verdict, number, members, head_name)
    else:
        _pick_head(verdict, number, members)
    return verdict


def _settle_addresses(verdict: HouseholdVerdict, members: list, existing_address: str | None):
    address = next((m.address for m in members if m.address), existing_address or "")
    for m in members:
        if m.address:
            continue
        if address:
            m.address = address
        else:
            verdict.problems.append((m.row, "住址为空"))


def _join_headed_household(verdict: HouseholdVerdict, number: str, members: list, head_name: str):
    for m in members:
        if m.marked_head:
            verdict.problems.append((m.row, f"户号 {number} 已有户主（{head_name}），本行不能再是户主"))
    for m in members:
        m.marked_head = False
        m.relation = m.relation or "其他"


def _pick_head(verdict: HouseholdVerdict, number: str, members: list):
    marked = [m for m in members if m.marked_head]
    for m in marked[1:]:
        verdict.problems.append((m.row, f"户号 {number} 有多个户主（第 {marked[0].row} 行已是户主）"))
    head = marked[0] if marked else members[0]
    if not marked and len(members) > 1:
        verdict.notes.append(("户号未标明户主，该户第一行记为户主", head.row))
    for m in members:
        m.marked_head = m is head
        m.relation = "户主" if m is head else (m.relation if m.relation not in ("", "户主") else "其他")


# --- which column a problem is about ----------------------------------------------------------

# The start of each problem message (these rules', services/imports' for government-paid lists)
# and the column it is about: the downloadable problem list shows that column's value.
PROBLEM_COLUMNS = (
    ("姓名", "name"), ("身份证号", "id_number"), ("该身份证号", "id_number"), ("未在您管理的", "id_number"),
    ("村/社区", "village"), ("没有填写村/社区", "village"), ("该行属于", "village"),
    ("人员类别", "category"), ("是否新参保", NEW_ENROLLEE), ("住址", "address"), ("户号", "household"),
)


def problem_column(message: str) -> str | None:
    """The field a problem message is about ('身份证号：校验位不对' -> 'id_number'), or None."""
    return next((f for start, f in PROBLEM_COLUMNS if message.startswith(start)), None)

