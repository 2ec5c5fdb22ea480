"""Collection progress: per township and village, how many of the expected payers have paid, how
much, new enrollees and voids, the ranking, and the daily series; and a coordinator's own figures.

Everything is counted by the database (aggregate queries, scoped in SQL with
`scope.visible_village_ids`), never by loading people into Python: a district has ~400,000 people.
"Expected" is the SQL twin of the eligibility rules the worklist uses (`pension_expected`,
`medical_expected` below mirror `rules.eligibility.pension_findings` / `medical_findings`; a test
holds them together).

Read-only: these services open no write unit (`unit_of_work` starts SQLite's write lock, which
would hold up payments while a district is counted); the session's own read transaction gives all
the queries of one report the same snapshot.

Figures are "as of" the end of a China-local day: a payment counts if it was made before then and
not voided before then, so a report for a past day shows what was true on that day.
"""
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from sqlalchemy import and_, case, distinct, func, literal_column, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Area, Campaign, Household, Payment, Person, Receipt, ReceiptVoid
from ..models.progress_counters import OPEN_DAY, ProgressLines, ProgressPeople, ProgressReceipts
from ..printing import report as report_print
from ..rules import roles, svgchart
from ..rules.categories import MEDICAL, PENSION
from ..rules.eligibility import pension_birth_window
from ..timeutil import local_day_start_utc, now_utc, to_local, today_local
from .actor import Actor
from .campaigns import collecting_campaign, require_campaign
from .errors import Forbidden, NotFound, ValidationFailed
from .scope import visible_area_ids, visible_village_ids

# --- eligibility in SQL ----------------------------------------------------------------------

def pension_expected(campaign: Campaign):
    """SQL twin of `pension_findings` having no BLOCK: born inside the campaign's window, not a
    student, not in the employee pension scheme."""
    born_from, born_until = pension_birth_window(campaign.policy())
    return and_(Person.birth_date >= born_from, Person.birth_date <= born_until,
                ~Person.is_student, ~Person.employee_pension)


def medical_expected(campaign: Campaign):
    """SQL twin of `medical_findings` having no BLOCK: not in the employee medical scheme."""
    return ~Person.employee_medical


def _expected(kind: str, campaign: Campaign):
    return pension_expected(campaign) if kind == PENSION else medical_expected(campaign)


def _live_as_of(end_utc, void=ReceiptVoid):
    """A payment line made before `end_utc` and not voided before it (join `void` on void_id)."""
    return and_(Payment.taken_at < end_utc, or_(Payment.void_id.is_(None), void.voided_at >= end_utc))


def _local_date(column):
    """The China-local date of a naive-UTC timestamp, computed by the database.
    Asia/Shanghai is UTC+8 all year (no daylight saving since 1991), so a fixed offset is exact."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date(column + literal_column("interval '8 hours'"))
    return func.date(column, "+8 hours")


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# --- figures ---------------------------------------------------------------------------------

def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def format_rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


@dataclass
class Figures:
    """One row of the dashboard: a village, a township, or a total."""
    code: str = ""
    name: str = ""
    parent_name: str = ""
    expected_pension: int = 0
    expected_medical: int = 0
    paid_pension: int = 0        # people with a live pension payment
    paid_medical: int = 0
    covered_pension: int = 0     # of those, the ones expected (the coverage numerator)
    covered_medical: int = 0
    pension_fen: int = 0         # whole contributions, government-paid parts included
    medical_fen: int = 0
    gov_fen: int = 0             # of which government-paid (代缴)
    new_enrollees: int = 0       # new enrollees (新参保) who paid
    voids: int = 0               # receipts voided
    rank: int = 0

    COUNTED = ("expected_pension", "expected_medical", "paid_pension", "paid_medical", "covered_pension",
               "covered_medical", "pension_fen", "medical_fen", "gov_fen", "new_enrollees", "voids")

    def add(self, other: "Figures") -> "Figures":
        for f in self.COUNTED:
            setattr(self, f, getattr(self, f) + getattr(other, f))
        return self

    @property
    def total_fen(self) -> int:
        return self.pension_fen + self.medical_fen

    @property
    def pension_rate(self):
        return _rate(self.covered_pension, self.expected_pension)

    @property
    def medical_rate(self):
        return _rate(self.covered_medical, self.expected_medical)

    @property
    def rate(self):
        """Overall coverage: insurance lines paid of lines expected (what the ranking uses)."""
        return _rate(self.covered_pension + self.covered_medical, self.expected_pension + self.expected_medical)

    def pct(self, which: str = "rate") -> str:
        return format_rate(getattr(self, which))

    def as_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d.update(total_fen=self.total_fen, rate=self.rate, pension_rate=self.pension_rate,
                 medical_rate=self.medical_rate)
        return d


@dataclass
class DayPoint:
    day: date
    lines: int       # insurance lines paid that day (人次), still live at the report's end
    fen: int


@dataclass
class Progress:
    campaign: Campaign
    day: date                     # figures as of the end of this China-local day
    area: Area                    # the district or township reported on
    total: Figures
    townships: list[Figures]      # ranked; only when `area` is the district
    villages: list[Figures]       # ranked
    daily: list[DayPoint] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)   # areas the actor may report on

    @property
    def ranking(self) -> list[Figures]:
        """What the report ranks: townships for the district, villages for a township."""
        return self.townships if self.townships else self.villages

    @property
    def on_day(self) -> DayPoint | None:
        return self.daily[-1] if self.daily and self.daily[-1].day == self.day else None


def _villages_in(actor: Actor, area: Area):
    """SELECT of the ids of the villages under `area` that the actor may see."""
    q = select(Area.id).where(Area.level == "village", Area.id.in_(visible_village_ids(actor.user)))
    if area.level == "village":
        return q.where(Area.id == area.id)
    if area.level == "township":
        return q.where(Area.parent_id == area.id)
    township = aliased(Area)
    return q.where(Area.parent_id.in_(select(township.id).where(township.parent_id == area.id)))


def _unindexed(column):
    """The column as an expression SQLite cannot use an index for (`x + 0`). On a district, a plan
    that walks people by the village index and fetches each row costs 3 times a plain scan; a
    join that starts from people instead of payments costs 3 times one that scans payments and
    looks each person up by primary key. PostgreSQL plans these with hash joins either way."""
    return column + 0


def _counted_figures(campaign: Campaign, village_ids, day: date, first_day: date, last_day: date):
    """({village id: Figures}, [DayPoint]) from the progress counters (services/counters.py): rows
    per village and day, however many people the villages hold."""
    out: dict[int, Figures] = {}

    def fig(village_id) -> Figures:
        return out.setdefault(village_id, Figures())

    for vid, ep, em, new in db.session.execute(
            select(ProgressPeople.village_id, func.sum(ProgressPeople.expected_pension),
                   func.sum(ProgressPeople.expected_medical), func.sum(ProgressPeople.new_enrollees))
            .where(ProgressPeople.campaign_id == campaign.id, ProgressPeople.village_id.in_(village_ids),
                   ProgressPeople.day <= day)
            .group_by(ProgressPeople.village_id)):
        f = fig(vid)
        f.expected_pension, f.expected_medical, f.new_enrollees = int(ep or 0), int(em or 0), int(new or 0)
    L = ProgressLines
    live = (L.campaign_id == campaign.id, L.village_id.in_(village_ids), L.paid_day <= day, L.void_day > day)
    # Two aggregates over the same rows, summed by the database: per village and insurance, and
    # per day paid (a district has villages x days x insurances rows; Python gets only the sums).
    for vid, kind, covered, lines, fen, gov in db.session.execute(
            select(L.village_id, L.kind, L.covered, func.sum(L.lines), func.sum(L.fen), func.sum(L.gov_fen))
            .where(*live).group_by(L.village_id, L.kind, L.covered)):
        f, lines = fig(vid), int(lines or 0)
        setattr(f, f"paid_{kind}", getattr(f, f"paid_{kind}") + lines)
        if covered:
            setattr(f, f"covered_{kind}", getattr(f, f"covered_{kind}") + lines)
        setattr(f, f"{kind}_fen", getattr(f, f"{kind}_fen") + int(fen or 0))
        f.gov_fen += int(gov or 0)
    by_day = {_as_date(d): (int(lines or 0), int(fen or 0)) for d, lines, fen in db.session.execute(
        select(L.paid_day, func.sum(L.lines), func.sum(L.fen)).where(*live).group_by(L.paid_day))}
    R = ProgressReceipts
    for vid, n in db.session.execute(
            select(R.village_id, func.sum(R.receipts))
            .where(R.campaign_id == campaign.id, R.village_id.in_(village_ids), R.void_day <= day)
            .group_by(R.village_id)):
        fig(vid).voids = int(n or 0)
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    return out, [DayPoint(d, *by_day.get(d, (0, 0))) for d in days]


def _recounted_figures(campaign: Campaign, village_ids, day: date, first_day: date, last_day: date):
    """The same as _counted_figures, counted from people and payments themselves: one pass over
    people, one over payments and a small one over voids. What the counters are tested against
    (`progress_report(..., recount=True)`); it grows with the district."""
    end_utc = local_day_start_utc(day + timedelta(days=1))
    out: dict[int, Figures] = {}

    def fig(village_id) -> Figures:
        return out.setdefault(village_id, Figures())

    void = aliased(ReceiptVoid)
    paid_before_end = (select(Payment.id).outerjoin(void, void.id == Payment.void_id)
                       .where(Payment.person_id == Person.id, Payment.campaign_id == campaign.id,
                              _live_as_of(end_utc, void)).exists())
    village = _unindexed(Person.village_id)
    people = db.session.execute(
        select(village,
               func.sum(case((pension_expected(campaign), 1), else_=0)),
               func.sum(case((medical_expected(campaign), 1), else_=0)),
               # Only the few new enrollees reach the EXISTS (CASE evaluates it lazily).
               func.sum(case((Person.new_enrollee, case((paid_before_end, 1), else_=0)), else_=0)))
        .where(village.in_(village_ids), Person.created_at < end_utc)
        .group_by(village))
    for vid, ep, em, new in people:
        f = fig(vid)
        f.expected_pension, f.expected_medical, f.new_enrollees = int(ep or 0), int(em or 0), int(new or 0)

    local_day = _local_date(Payment.taken_at)
    rows = db.session.execute(
        select(Person.village_id, Payment.kind, local_day, func.count(Payment.id),
               func.sum(case((and_(Payment.kind == PENSION, pension_expected(campaign)), 1),
                             (and_(Payment.kind == MEDICAL, medical_expected(campaign)), 1), else_=0)),
               func.sum(Payment.amount_fen), func.sum(Payment.gov_fen))
        .select_from(Payment).join(Person, Person.id == _unindexed(Payment.person_id))
        .outerjoin(ReceiptVoid, ReceiptVoid.id == Payment.void_id)
        .where(Payment.campaign_id == campaign.id, _live_as_of(end_utc),
               _unindexed(Person.village_id).in_(village_ids))
        .group_by(Person.village_id, Payment.kind, local_day))
    by_day: dict[date, list[int]] = {}
    for vid, kind, day, lines, covered, fen, gov in rows:
        f = fig(vid)
        setattr(f, f"paid_{kind}", getattr(f, f"paid_{kind}") + int(lines))
        setattr(f, f"covered_{kind}", getattr(f, f"covered_{kind}") + int(covered or 0))
        setattr(f, f"{kind}_fen", getattr(f, f"{kind}_fen") + int(fen or 0))
        f.gov_fen += int(gov or 0)
        point = by_day.setdefault(_as_date(day), [0, 0])
        point[0] += int(lines)
        point[1] += int(fen or 0)

    voids = db.session.execute(
        select(Receipt.village_id, func.count(ReceiptVoid.id))
        .select_from(ReceiptVoid).join(Receipt, Receipt.id == ReceiptVoid.receipt_id)
        .where(Receipt.campaign_id == campaign.id, ReceiptVoid.voided_at < end_utc,
               Receipt.village_id.in_(village_ids))
        .group_by(Receipt.village_id))
    for vid, n in voids:
        fig(vid).voids = int(n)

    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    return out, [DayPoint(d, *by_day.get(d, (0, 0))) for d in days]


def _ranked(rows: list[Figures]) -> list[Figures]:
    """Best coverage first; units with nobody expected last; ties by amount collected."""
    rows = sorted(rows, key=lambda f: (f.rate is None, -(f.rate or 0), -f.total_fen, f.code))
    for i, f in enumerate(rows, 1):
        f.rank = i
    return rows


def check_day(day: date | None) -> date:
    today = today_local()
    day = day or today
    if day > today:
        raise ValidationFailed({"day": "日期不能晚于今天"})
    return day


def default_area(actor: Actor) -> Area:
    """The area an admin reports on by default: their own township or district."""
    area = next((a for a in actor.user.areas if a.level in ("district", "township")), None)
    if area is None:
        raise NotFound("您的账号没有分配乡/街道或区")
    return area


def _report_area(actor: Actor, area_code: str | None) -> Area:
    if not area_code:
        return default_area(actor)
    area = db.session.scalar(select(Area).where(
        Area.code == area_code, Area.level.in_(("district", "township")),
        Area.id.in_(visible_area_ids(actor.user))))
    if area is None:
        raise NotFound()
    return area


def progress_report(actor: Actor, *, area_code: str | None = None, day: date | None = None,
                    campaign: Campaign | None = None, recount: bool = False) -> Progress:
    """The dashboard and the 通报: figures per township and village as of the end of `day`.
    Township admins see their township only; district admins the district or one township; city
    admins any district of their city or one of its townships.
    `campaign`: the year chosen (default: the default campaign).
    `recount`: count from people and payments instead of the counters (the tests' reference)."""
    if not actor.is_role(*roles.VIEWERS):
        raise Forbidden()
    day = check_day(day)
    campaign = require_campaign(campaign)
    area = _report_area(actor, area_code)
    village_ids = _villages_in(actor, area)
    count = _recounted_figures if recount else _counted_figures
    figures, daily = count(campaign, village_ids, day, campaign.collection_start, min(day, campaign.window_end))
    total = Figures(code=area.code, name=area.name)
    for f in figures.values():
        total.add(f)
    township = aliased(Area)
    rows = db.session.execute(
        select(Area.id, Area.code, Area.name, township.code, township.name)
        .join(township, township.id == Area.parent_id)
        .where(Area.id.in_(village_ids)).order_by(Area.code)).all()
    villages, by_township = [], {}
    for vid, code, name, tcode, tname in rows:
        f = figures.get(vid) or Figures()
        f.code, f.name, f.parent_name = code, name, tname
        villages.append(f)
        if area.level == "district":
            by_township.setdefault(tcode, Figures(code=tcode, name=tname)).add(f)
    villages = _ranked(villages)
    townships = _ranked(list(by_township.values()))
    choices = [(a.code, a.name) for a in db.session.scalars(select(Area).where(
        Area.level.in_(("district", "township")), Area.id.in_(visible_area_ids(actor.user))).order_by(Area.code))]
    return Progress(campaign=campaign, day=day, area=area, total=total, townships=townships,
                    villages=villages, daily=daily, choices=choices)


# --- the city: one row per district (市管理员) ------------------------------------------------

@dataclass
class CityProgress:
    campaign: Campaign
    day: date
    code: str                     # the city's 4 digits (4104)
    name: str
    total: Figures
    districts: list[Figures]      # ranked; each drills down to progress_report(area_code=its code)
    daily: list[DayPoint] = field(default_factory=list)


def city_name(code: str, districts: list[Area]) -> str:
    """平顶山市 from a district's 单位全称 (平顶山市湛河区), else the code."""
    full = next((d.full_name for d in districts if d.full_name and "市" in d.full_name), "")
    return full.split("市")[0] + "市" if full else f"{code} 市"


def city_report(actor: Actor, city_code: str | None = None, *, day: date | None = None,
                campaign: Campaign | None = None, recount: bool = False) -> CityProgress:
    """A city admin's page: figures per district of the city as of the end of `day`, from the
    counters (the cost grows with the city's villages and days, not its people). Only a city
    admin, and only for the city of the districts the account is attached to."""
    if not actor.is_role(roles.CITY_ADMIN):
        raise Forbidden()
    day = check_day(day)
    campaign = require_campaign(campaign)
    attached = [a for a in actor.user.areas if a.level == "district"]
    code = city_code or (attached[0].code[:roles.CITY_CODE_LENGTH] if attached else "")
    districts = [d for d in attached if code and d.code.startswith(code)]
    if len(code) != roles.CITY_CODE_LENGTH or not districts:
        raise NotFound()
    township = aliased(Area)
    village_ids = (select(Area.id).join(township, township.id == Area.parent_id)
                   .where(Area.level == "village", township.parent_id.in_([d.id for d in districts]),
                          Area.id.in_(visible_village_ids(actor.user))))
    count = _recounted_figures if recount else _counted_figures
    figures, daily = count(campaign, village_ids, day, campaign.collection_start, min(day, campaign.window_end))
    rows = {d.id: Figures(code=d.code, name=d.name) for d in districts}
    for vid, district_id in db.session.execute(select(Area.id, township.parent_id)
                                               .join(township, township.id == Area.parent_id)
                                               .where(Area.id.in_(village_ids))):
        if vid in figures:
            rows[district_id].add(figures[vid])
    total = Figures(code=code, name=city_name(code, districts))
    for f in rows.values():
        total.add(f)
    return CityProgress(campaign=campaign, day=day, code=code, name=total.name, total=total,
                        districts=_ranked(list(rows.values())), daily=daily)


def charts(p: Progress, font_family: str | None = None) -> dict:
    """The dashboard's and the report's SVG charts (strings of trusted, escaped markup)."""
    days = [(f"{d.day.month}/{d.day.day}", d.fen) for d in p.daily]
    running, cumulative = 0, []
    for d in p.daily:
        running += d.lines
        cumulative.append((f"{d.day.month}/{d.day.day}", running))
    ranked = [(f.name, f.rate) for f in p.ranking]
    return {
        "daily": svgchart.bar_chart(days, label="每日收款（元）", fmt=lambda fen: svgchart.yuan_short(int(fen)),
                                    font_family=font_family),
        "cumulative": svgchart.line_chart(cumulative, label="累计缴费人次", fmt=lambda v: f"{int(v)}",
                                          font_family=font_family),
        "ranking": svgchart.hbar_chart(ranked, label="覆盖率排名", fmt=format_rate, font_family=font_family),
    }


def report_dict(p: Progress) -> dict:
    """Plain values for the 通报 PDF template (print templates never see ORM objects)."""
    return {
        "area_name": p.area.full_name or p.area.name, "district_view": p.area.level == "district",
        "campaign_name": p.campaign.name, "coverage": p.campaign.coverage_text,
        "day": f"{p.day.year}年{p.day.month}月{p.day.day}日",
        "total": p.total.as_dict(), "on_day": (p.on_day.lines, p.on_day.fen) if p.on_day else (0, 0),
        "townships": [f.as_dict() for f in p.townships], "villages": [f.as_dict() for f in p.villages],
    }


def report_pdf(actor: Actor, *, area_code: str | None = None, day: date | None = None,
               campaign: Campaign | None = None) -> tuple[bytes, str]:
    """The 通报: an A4 PDF for a chosen day with the ranking table and the charts."""
    p = progress_report(actor, area_code=area_code, day=day, campaign=campaign)
    content = report_print.render_pdf(report_dict(p), charts(p, font_family=report_print.CHART_FONT),
                                      printed_at=to_local(now_utc()).strftime("%Y-%m-%d %H:%M"))
    return content, f"征缴进度通报-{p.area.code}-{p.day.isoformat()}.pdf"


# --- the admin home page: cheap figures from receipts -----------------------------------------

@dataclass
class HomeSummary:
    area: Area
    today_receipts: int
    today_fen: int                 # whole amounts (government-paid parts included), as the dashboard
    campaign_fen: int
    voids: int
    daily: list[tuple[date, int]]  # the last HOME_DAYS days: (day, fen)


HOME_DAYS = 14


def home_summary(actor: Actor, today: date | None = None, campaign: Campaign | None = None,
                 recount: bool = False) -> HomeSummary:
    """What the admin home shows on every visit: the receipts counters (services/counters.py) of
    the actor's villages, rows per village and day. `recount`: from the receipts themselves."""
    if not actor.is_role(*roles.ADMINS):
        raise Forbidden()
    today = today or today_local()
    campaign = require_campaign(campaign)
    area = default_area(actor)
    village_ids = _villages_in(actor, area)
    if recount:
        return _home_recounted(area, campaign, village_ids, today)
    R = ProgressReceipts
    by_day = {_as_date(d): (int(n or 0), int(fen or 0)) for d, n, fen in db.session.execute(
        select(R.paid_day, func.sum(R.receipts), func.sum(R.fen))
        .where(R.campaign_id == campaign.id, R.village_id.in_(village_ids), R.void_day == OPEN_DAY)
        .group_by(R.paid_day))}
    voids = db.session.scalar(select(func.sum(R.receipts)).where(
        R.campaign_id == campaign.id, R.village_id.in_(village_ids), R.void_day != OPEN_DAY))
    return _home(area, by_day, int(voids or 0), today)


def _home(area: Area, by_day: dict, voids: int, today: date) -> HomeSummary:
    first = today - timedelta(days=HOME_DAYS - 1)
    days = [first + timedelta(days=i) for i in range(HOME_DAYS)]
    return HomeSummary(area=area, today_receipts=by_day.get(today, (0, 0))[0], today_fen=by_day.get(today, (0, 0))[1],
                       campaign_fen=sum(fen for _, fen in by_day.values()), voids=voids,
                       daily=[(d, by_day.get(d, (0, 0))[1]) for d in days])


def _home_recounted(area: Area, campaign: Campaign, village_ids, today: date) -> HomeSummary:
    # One sequential scan of the campaign's receipts, grouped by day: the village or time indexes
    # would fetch a district's receipts one by one, which costs more than reading them all.
    live = and_(Receipt.campaign_id == campaign.id, _unindexed(Receipt.village_id).in_(village_ids),
                ~Receipt.id.in_(select(ReceiptVoid.receipt_id)))
    local_day = _local_date(Receipt.taken_at)
    by_day = {_as_date(d): (int(n), int(fen or 0)) for d, n, fen in db.session.execute(
        select(local_day, func.count(Receipt.id), func.sum(Receipt.total_fen + Receipt.gov_total_fen))
        .where(live).group_by(local_day))}
    voids = db.session.scalar(select(func.count(ReceiptVoid.id)).join(Receipt, Receipt.id == ReceiptVoid.receipt_id)
                              .where(Receipt.campaign_id == campaign.id, Receipt.village_id.in_(village_ids)))
    return _home(area, by_day, int(voids or 0), today)


def home_chart(summary: HomeSummary) -> str:
    return svgchart.bar_chart([(f"{d.month}/{d.day}", fen) for d, fen in summary.daily],
                              label=f"近 {HOME_DAYS} 天每日收款（元）", fmt=lambda fen: svgchart.yuan_short(int(fen)))


# --- a coordinator's own progress ------------------------------------------------------------

@dataclass
class CoordinatorProgress:
    today_receipts: int
    today_people: int
    today_fen: int
    campaign_receipts: int
    campaign_people: int
    campaign_fen: int
    households_left: int
    households_total: int

    @property
    def households_done(self) -> int:
        return self.households_total - self.households_left


def coordinator_progress(actor: Actor, today: date | None = None) -> CoordinatorProgress:
    """Today and this campaign: the receipts the coordinator issued (not voided), the people on
    them and the money collected from payers; and the households of their villages still owing
    something (the worklist's "未缴清")."""
    if not actor.is_role(roles.COORDINATOR):
        raise Forbidden()
    today = today or today_local()
    campaign = require_campaign(collecting_campaign(today))
    start = local_day_start_utc(today)
    mine = and_(Receipt.issued_by_id == actor.user_id, Receipt.campaign_id == campaign.id,
                ~Receipt.id.in_(select(ReceiptVoid.receipt_id)))
    is_today = Receipt.taken_at >= start
    r = db.session.execute(select(
        func.count(Receipt.id), func.coalesce(func.sum(Receipt.total_fen), 0),
        func.coalesce(func.sum(case((is_today, 1), else_=0)), 0),
        func.coalesce(func.sum(case((is_today, Receipt.total_fen), else_=0)), 0)).where(mine)).one()
    people = db.session.execute(
        select(func.count(distinct(Payment.person_id)),
               func.count(distinct(case((is_today, Payment.person_id)))))
        .select_from(Payment).join(Receipt, Receipt.id == Payment.receipt_id).where(mine)).one()
    households_left, households_total = _households_left(actor, campaign)
    return CoordinatorProgress(
        today_receipts=int(r[2]), today_people=int(people[1]), today_fen=int(r[3]),
        campaign_receipts=int(r[0]), campaign_people=int(people[0]), campaign_fen=int(r[1]),
        households_left=households_left, households_total=households_total)


def _households_left(actor: Actor, campaign: Campaign) -> tuple[int, int]:
    visible = visible_village_ids(actor.user)

    def unpaid(kind):
        paid = select(Payment.id).where(Payment.person_id == Person.id, Payment.kind == kind,
                                        Payment.campaign_id == campaign.id, Payment.void_id.is_(None))
        return and_(_expected(kind, campaign), ~paid.exists())

    left = db.session.scalar(select(func.count(distinct(Person.household_id))).where(
        Person.village_id.in_(visible), or_(unpaid(PENSION), unpaid(MEDICAL))))
    total = db.session.scalar(select(func.count(Household.id)).where(Household.village_id.in_(visible)))
    return int(left or 0), int(total or 0)
