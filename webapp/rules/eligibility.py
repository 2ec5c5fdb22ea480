"""Who may pay what, and how much of it the government pays.

Everything takes plain values (a Policy, a PersonFacts) so the rules can be tested without
Flask or a database and the same code serves the pages, the API and the imports.
"""
from dataclasses import dataclass, field
from datetime import date

from .categories import GOV_GROUPS, MEDICAL, PENSION
from .idnumber import age_on
from .money import format_yuan

BLOCK = "block"
WARN = "warn"


@dataclass(frozen=True)
class GovRule:
    group: str        # dibao / tekun / disabled
    kind: str         # pension / medical
    full: bool        # the government pays the whole line
    amount_fen: int   # otherwise up to this much


@dataclass(frozen=True)
class Policy:
    pension_born_from: date       # born on or after (59 at most, e.g. 1958-01-01 for 2018)
    pension_born_until: date      # born on or before (16 at least)
    pension_tiers: dict           # tier fen -> subsidy fen, e.g. {20000: 4000}
    medical_fen: dict             # category -> fen, e.g. {"resident": 25000, "student": 25000}
    gov_rules: tuple = ()
    pension_min_age: int = 16
    pension_max_age: int = 59


@dataclass(frozen=True)
class PersonFacts:
    birth_date: date
    is_student: bool = False
    employee_pension: bool = False
    employee_medical: bool = False
    groups: frozenset = field(default_factory=frozenset)
    new_enrollee: bool = False
    has_phone: bool = True


@dataclass(frozen=True)
class Finding:
    level: str   # BLOCK or WARN
    code: str
    message: str


@dataclass(frozen=True)
class LineAmount:
    amount_fen: int   # the whole contribution
    gov_fen: int      # paid by the government (代缴)
    self_fen: int     # paid by the payer, collected by the coordinator


def pension_findings(person: PersonFacts, policy: Policy, today: date) -> list[Finding]:
    out = []
    if person.birth_date < policy.pension_born_from:
        born = f"{policy.pension_born_from:%Y年%-m月%-d日}"
        out.append(Finding(BLOCK, "too_old",
                           f"已超过 {policy.pension_max_age} 周岁（{born}前出生），不能参加居民养老保险缴费"))
    elif person.birth_date > policy.pension_born_until:
        out.append(Finding(BLOCK, "too_young",
                           f"未满 {policy.pension_min_age} 周岁，不能参加居民养老保险"))
    if person.is_student:
        out.append(Finding(BLOCK, "student", "在校学生不参加城乡居民养老保险"))
    if person.employee_pension:
        out.append(Finding(BLOCK, "employee_pension", "已参加职工养老保险，不能重复参保"))
    if not any(f.level == BLOCK for f in out):
        age = age_on(person.birth_date, today)
        if age >= 45:
            out.append(Finding(WARN, "short_years",
                               f"已 {age} 周岁，到 60 周岁缴费不满 15 年，请告知可补缴"))
    return out


def pension_birth_window(policy: Policy) -> tuple[date, date]:
    """The birth dates (inclusive) pension_findings lets pay pension, for queries that must select
    the same people in SQL (the worklist's 未缴清 filter). Students and people with employee
    pension are blocked too; medical is blocked by employee medical only."""
    return policy.pension_born_from, policy.pension_born_until


def medical_findings(person: PersonFacts, policy: Policy) -> list[Finding]:
    if person.employee_medical:
        return [Finding(BLOCK, "employee_medical", "已参加职工医疗保险，不能重复参保")]
    return []


def person_findings(person: PersonFacts) -> list[Finding]:
    out = []
    if person.new_enrollee:
        out.append(Finding(WARN, "new_enrollee",
                           "新参保人员：须先到区社保经办机构办理参保登记，登记后再缴费；请核对身份证原件"))
    if not person.has_phone:
        out.append(Finding(WARN, "no_phone", "未登记手机号"))
    return out


def medical_category(person: PersonFacts) -> str:
    return "student" if person.is_student else "resident"


def gov_share(kind: str, amount_fen: int, groups, rules) -> int:
    """The part the government pays: the most generous rule among the person's groups."""
    best = 0
    for rule in rules:
        if rule.kind == kind and rule.group in groups:
            best = max(best, amount_fen if rule.full else min(rule.amount_fen, amount_fen))
    return best


def line_amount(kind: str, person: PersonFacts, policy: Policy, tier_fen: int | None = None) -> LineAmount:
    if kind == PENSION:
        if tier_fen not in policy.pension_tiers:
            raise ValueError("不是本期的缴费档次")
        amount = tier_fen
    elif kind == MEDICAL:
        amount = policy.medical_fen[medical_category(person)]
    else:
        raise ValueError(kind)
    gov = gov_share(kind, amount, person.groups, policy.gov_rules)
    return LineAmount(amount_fen=amount, gov_fen=gov, self_fen=amount - gov)


def gov_note(kind: str, person: PersonFacts, policy: Policy, amount_fen: int) -> str:
    """For the coordinator only (never public): which group makes the government pay."""
    gov = gov_share(kind, amount_fen, person.groups, policy.gov_rules)
    if not gov:
        return ""
    names = "、".join(GOV_GROUPS[g] for g in sorted(person.groups) if g in GOV_GROUPS)
    return f"{names}：政府代缴 {format_yuan(gov)}"


def default_pension_window(year: int) -> tuple[date, date]:
    """16 to 59 in the campaign year: born 1958-01-01 .. 2002-12-31 for 2018."""
    return date(year - 60, 1, 1), date(year - 16, 12, 31)
