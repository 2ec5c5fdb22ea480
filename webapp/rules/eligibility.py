"""Who may pay what, and how much of it the government pays.

Everything takes plain values (a Policy, a PersonFacts) so the rules can be tested without
Flask or a database and the same code serves the pages, the API and the imports.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

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
    # The campaign's collection window (first day, last day incl. an extension): with it, the
    # ages above decide too (pension_birth_window). None: the birth dates alone (a bare Policy).
    collection_window: tuple | None = None
    # tier fen -> the government-paid groups it is kept for; a tier not here is open to everyone.
    tier_groups: dict = field(default_factory=dict)


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
    born_from, born_until = pension_birth_window(policy)
    if person.birth_date < born_from:
        born = f"{born_from:%Y年%-m月%-d日}"
        out.append(Finding(BLOCK, "too_old",
                           f"已超过 {policy.pension_max_age} 周岁（{born}前出生），不能参加居民养老保险缴费"))
    elif person.birth_date > born_until:
        born = f"{born_until:%Y年%-m月%-d日}"
        out.append(Finding(BLOCK, "too_young",
                           f"征收期内未满 {policy.pension_min_age} 周岁（{born}后出生），不能参加居民养老保险"))
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
    """The birth dates (inclusive) who may pay pension: the one rule, used by pension_findings and
    by every query that must select the same people in SQL (worklists, expected payers, plan
    lists). Students and people with employee pension are blocked too; medical is blocked by
    employee medical only.

    The campaign's birth-date window, narrowed by its ages on its collection window: at least
    pension_min_age on the last day of collection (someone still 15 for the whole window is not
    offered pension) and at most pension_max_age on the first day (someone already 60 is not)."""
    born_from, born_until = policy.pension_born_from, policy.pension_born_until
    if policy.collection_window:
        first, last = policy.collection_window
        young, old = age_birth_window(policy.pension_min_age, policy.pension_max_age, first, last)
        born_from, born_until = max(born_from, young), min(born_until, old)
    return born_from, born_until


def _years_before(day: date, years: int) -> date:
    """The same day `years` earlier; 29 February becomes the 28th in a common year, which is what
    idnumber.age_on counts (a 29 February child turns a year older on 1 March of a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_birth_window(min_age: int, max_age: int, first: date, last: date) -> tuple[date, date]:
    """(born on or after, born on or before) for: age >= min_age on `last` and age <= max_age on
    `first` (ages as idnumber.age_on counts them)."""
    return _years_before(first, max_age + 1) + timedelta(days=1), _years_before(last, min_age)


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


def tier_open(tier_fen: int, person: PersonFacts, policy: Policy) -> bool:
    """Whether this person may choose this tier: a tier kept for some groups needs one of them."""
    kept = policy.tier_groups.get(tier_fen)
    return not kept or bool(kept & person.groups)


def tier_kept_for(tier_fen: int, policy: Policy) -> str:
    """"低保、特困/五保" for a tier kept for those groups; "" for an open tier."""
    return "、".join(label for g, label in GOV_GROUPS.items() if g in policy.tier_groups.get(tier_fen, ()))


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
