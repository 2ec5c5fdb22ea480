"""The campaign: dates, tiers, amounts, government-paid groups. Data of a year, never code."""
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import Campaign, GovPayRule, MedicalRate, PensionTier, PriceVersion, Receipt
from ..rules import roles
from ..rules.categories import GOV_GROUP_FLAGS, GOV_GROUPS, MEDICAL, MEDICAL_CATEGORIES, PENSION, PERSON_FLAG_WORDS
from ..rules.eligibility import default_pension_window, pension_birth_window
from ..rules.money import InvalidAmount, fen_to_yuan_str, yuan_to_fen
from ..timeutil import now_utc, to_local, today_local
from . import counters
from .actor import Actor
from .audit import diff, record_event
from .errors import CampaignClosed, Forbidden, NotFound, ValidationFailed
from .tx import unit_of_work

# Example defaults from DOMAIN.md (yuan); the district admin checks them against the year's policy.
DEFAULT_TIERS = [(200, 40), (300, 45), (400, 50), (500, 60), (600, 65), (700, 70), (800, 75),
                 (900, 80), (1000, 85), (1500, 110), (2000, 135), (3000, 160), (4000, 185), (5000, 210)]
DEFAULT_MEDICAL = {"resident": 250, "student": 250}
# (group, kind): (full, yuan)
DEFAULT_GOV_RULES = {
    ("tekun", MEDICAL): (True, 0), ("dibao", MEDICAL): (False, 150), ("disabled", MEDICAL): (True, 0),
    ("tekun", PENSION): (False, 200), ("dibao", PENSION): (False, 100), ("disabled", PENSION): (False, 200),
}


@dataclass
class CampaignInput:
    """What the campaign form edits; amounts in yuan as typed."""
    year: int
    coverage_year: int
    name: str
    mobilisation_start: date
    mobilisation_end: date
    collection_start: date
    collection_end: date
    summary_start: date
    summary_end: date
    extended_until: date | None
    pension_min_age: int
    pension_max_age: int
    pension_born_from: date
    pension_born_until: date
    tiers_text: str                 # "200 40\n300 45 ..." tier and subsidy, yuan
    medical_yuan: dict              # category -> "250"
    gov_rules: dict                 # (group, kind) -> (full: bool, yuan: str)


def default_input(year: int) -> CampaignInput:
    """The 2018 plan's shape for any year: collection 10-11..11-30, summary in December."""
    born_from, born_until = default_pension_window(year)
    return CampaignInput(
        year=year, coverage_year=year + 1,
        name=f"{year}年城乡居民基本养老保险、基本医疗保险集中征缴",
        mobilisation_start=date(year, 9, 1), mobilisation_end=date(year, 10, 10),
        collection_start=date(year, 10, 11), collection_end=date(year, 11, 30),
        summary_start=date(year, 12, 1), summary_end=date(year, 12, 31), extended_until=None,
        pension_min_age=16, pension_max_age=59, pension_born_from=born_from, pension_born_until=born_until,
        tiers_text="\n".join(f"{t} {s}" for t, s in DEFAULT_TIERS),
        medical_yuan={k: str(v) for k, v in DEFAULT_MEDICAL.items()},
        gov_rules={k: (full, str(y)) for k, (full, y) in DEFAULT_GOV_RULES.items()},
    )


def input_from(c: Campaign) -> CampaignInput:
    return CampaignInput(
        year=c.year, coverage_year=c.coverage_year, name=c.name,
        mobilisation_start=c.mobilisation_start, mobilisation_end=c.mobilisation_end,
        collection_start=c.collection_start, collection_end=c.collection_end,
        summary_start=c.summary_start, summary_end=c.summary_end, extended_until=c.extended_until,
        pension_min_age=c.pension_min_age, pension_max_age=c.pension_max_age,
        pension_born_from=c.pension_born_from, pension_born_until=c.pension_born_until,
        tiers_text="\n".join(" ".join([fen_to_yuan_str(t.amount_fen).removesuffix('.00'),
                                       fen_to_yuan_str(t.subsidy_fen).removesuffix('.00'),
                                       *(label for g, label in GOV_GROUPS.items() if g in t.group_set)])
                             for t in c.tiers),
        medical_yuan={r.category: fen_to_yuan_str(r.amount_fen).removesuffix(".00") for r in c.medical_rates},
        gov_rules={(r.group, r.kind): (r.full, fen_to_yuan_str(r.amount_fen).removesuffix(".00"))
                   for r in c.gov_rules},
    )


def _group_of(word: str) -> str | None:
    """A government-paid group named on a tier line: its label (低保, 建档立卡…) or a plan list's word."""
    for group, label in GOV_GROUPS.items():
        if word in (label, *label.split("/"), *PERSON_FLAG_WORDS.get(GOV_GROUP_FLAGS[group], ())):
            return group
    return None


def parse_tiers(text: str) -> list[tuple[int, int, frozenset]]:
    """'200 40' per line (tier, subsidy in yuan), then optionally the groups the tier is kept for
    ('200 40 低保 特困 重度残疾'); errors name the line."""
    tiers, problems = [], []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p for p in re.split(r"[\s,，:：/、]+", line) if p]
        if len(parts) < 2:
            problems.append(f"第 {n} 行应为“档次 补贴”两个数，如 200 40（可再写限定人群，如 200 40 低保 特困）")
            continue
        groups = {w: _group_of(w) for w in parts[2:]}
        if unknown := [w for w, g in groups.items() if g is None]:
            problems.append(f"第 {n} 行的人群“{'、'.join(unknown)}”无法识别，可写：{'、'.join(GOV_GROUPS.values())}")
            continue
        try:
            tier, subsidy = yuan_to_fen(parts[0]), yuan_to_fen(parts[1])
        except InvalidAmount:
            problems.append(f"第 {n} 行的金额不是数字")
            continue
        if tier <= 0:
            problems.append(f"第 {n} 行的档次必须大于 0")
        elif any(t == tier for t, _, _ in tiers):
            problems.append(f"第 {n} 行的档次 {parts[0]} 元重复")
        else:
            tiers.append((tier, subsidy, frozenset(groups.values())))
    if not tiers and not problems:
        problems.append("至少需要一个缴费档次")
    if problems:
        raise ValidationFailed({"tiers_text": "；".join(problems)})
    return sorted(tiers)


def _validate(data: CampaignInput) -> tuple[list, dict, dict, dict]:
    errors = _check_names_and_dates(data)
    tiers = []
    try:
        tiers = parse_tiers(data.tiers_text)
    except ValidationFailed as e:
        errors.update(e.errors)
    medical = _medical_amounts(data, errors)
    gov = _gov_rules(data, errors)
    return tiers, medical, gov, errors


def _check_names_and_dates(data: CampaignInput) -> dict:
    errors = {}
    if not (2000 <= data.year <= 2100):
        errors["year"] = "年度不正确"
    if data.coverage_year not in (data.year, data.year + 1):
        errors["coverage_year"] = "待遇享受年度应为征缴年度或下一年"
    if not (data.name or "").strip():
        errors["name"] = "请填写名称"
    for a, b in [("mobilisation_start", "mobilisation_end"), ("collection_start", "collection_end"),
                 ("summary_start", "summary_end")]:
        if getattr(data, a) > getattr(data, b):
            errors[b] = "结束日期不能早于开始日期"
    if data.collection_start < data.mobilisation_start:
        errors["collection_start"] = "集中征收不能早于动员宣传开始"
    if data.summary_start <= data.collection_end:
        errors["summary_start"] = "总结评价应在集中征收结束之后"
    if data.extended_until and data.extended_until < data.collection_end:
        errors["extended_until"] = "延长截止日期应晚于集中征收结束日期"
    if not (0 < data.pension_min_age < data.pension_max_age < 100):
        errors["pension_max_age"] = "年龄范围不正确"
    if data.pension_born_from >= data.pension_born_until:
        errors["pension_born_until"] = "出生日期范围不正确"
    return errors


def _medical_amounts(data: CampaignInput, errors: dict) -> dict:
    medical = {}
    for cat, label in MEDICAL_CATEGORIES.items():
        try:
            medical[cat] = yuan_to_fen(data.medical_yuan.get(cat, ""))
            if medical[cat] <= 0:
                errors[f"medical_{cat}"] = f"{label}医疗缴费金额必须大于 0"
        except InvalidAmount as e:
            errors[f"medical_{cat}"] = str(e)
    return medical


def _gov_rules(data: CampaignInput, errors: dict) -> dict:
    gov = {}
    for (group, kind), (full, yuan) in data.gov_rules.items():
        if group not in GOV_GROUPS or kind not in (PENSION, MEDICAL):
            continue
        try:
            gov[(group, kind)] = (bool(full), 0 if full else yuan_to_fen(yuan or "0"))
        except InvalidAmount as e:
            errors[f"gov_{group}_{kind}"] = str(e)
    return gov


def create_campaign(actor: Actor, data: CampaignInput) -> Campaign:
    """A new year's campaign; the others stay as they are (one may be in its summary phase)."""
    if actor.user is not None and not actor.is_role(roles.DISTRICT_ADMIN):
        raise Forbidden()
    with unit_of_work():
        tiers, medical, gov, errors = _validate(data)
        if db.session.scalar(select(Campaign.id).where(Campaign.year == data.year)):
            errors["year"] = f"{data.year} 年度的征缴期已存在"
        errors.update(_overlaps(data, None))
        if errors:
            raise ValidationFailed(errors)
        c = Campaign(is_current=False)
        _apply(c, data, tiers, medical, gov)
        db.session.add(c)
        db.session.flush()
        counters.rebuild(c.id)
        record_event(actor, "campaign.create", c, summary=c.name, after=_describe(c))
    return c


def update_campaign(actor: Actor, campaign_id: int, data: CampaignInput, *, price_reason: str = "") -> Campaign:
    """Save the form. Once the campaign has a receipt, a change to its amounts, tiers or
    government shares needs `price_reason`: it becomes a new price version (_new_price_version)."""
    if not actor.is_role(roles.DISTRICT_ADMIN):
        raise Forbidden("只有区管理员可以修改征缴参数")
    with unit_of_work():
        c = db.session.get(Campaign, campaign_id)
        if c is None:
            raise NotFound()
        require_writable(c)
        data.year = c.year  # the year identifies the campaign and its receipt numbers
        tiers, medical, gov, errors = _validate(data)
        errors.update(_overlaps(data, c.id))
        if errors:
            raise ValidationFailed(errors)
        before = _describe(c)
        window = pension_birth_window(c._build_policy())
        _apply(c, data, tiers, medical, gov)
        after = _describe(c)
        if _prices(before) != _prices(after):
            _new_price_version(actor, c, before, after, price_reason)
        c.settings_version = (c.settings_version or 1) + 1
        db.session.flush()
        if window != pension_birth_window(c._build_policy()):
            counters.rebuild(c.id)   # who is expected to pay pension changed for everyone
        b, a = diff(before, after)
        record_event(actor, "campaign.update", c, summary=c.name, before=b, after=a)
    return c


def _overlaps(data: CampaignInput, campaign_id: int | None) -> dict:
    """Two campaigns never collect on the same day: a payment must know its year."""
    start, end = data.collection_start, max(data.collection_end, data.extended_until or data.collection_end)
    for other in db.session.scalars(select(Campaign).where(Campaign.id != (campaign_id or 0))
                                    .order_by(Campaign.year)):
        if start <= other.window_end and other.collection_start <= end:
            return {"collection_start": f"集中征收时间与 {other.year} 年度（{_day(other.collection_start)}—"
                                        f"{_day(other.window_end)}）重叠，请调整日期"}
    return {}


def _day(d: date) -> str:
    return f"{d:%Y年%-m月%-d日}"


def _next_year(d: date | None) -> date | None:
    if d is None:
        return None
    try:
        return d.replace(year=d.year + 1)
    except ValueError:          # 29 February
        return d.replace(year=d.year + 1, day=28)


def next_year_input(c: Campaign) -> CampaignInput:
    """Next year's campaign from this one: every setting copied, every date a year later."""
    data = input_from(c)
    data.year, data.coverage_year = c.year + 1, c.coverage_year + 1
    data.name = c.name.replace(str(c.year), str(c.year + 1)) if str(c.year) in c.name else \
        default_input(c.year + 1).name
    for f in ["mobilisation_start", "mobilisation_end", "collection_start", "collection_end", "summary_start",
              "summary_end", "pension_born_from", "pension_born_until"]:
        setattr(data, f, _next_year(getattr(data, f)))
    data.extended_until = None
    return data
PRICE_KEYS = ("tiers", "medical", "gov_rules")   # the parts of _describe that set what a line costs


def _prices(described: dict) -> dict:
    return {k: described[k] for k in PRICE_KEYS}


def _new_price_version(actor: Actor, c: Campaign, before: dict, after: dict, reason: str) -> None:
    """Amounts changed. Before the first receipt that is just an edit; after it, only as a new
    price version confirmed with a reason: receipts keep the amounts they were issued at
    (Receipt.price_version), and rosters and exports name the versions they hold."""
    issued = db.session.scalar(select(func.count(Receipt.id)).where(Receipt.campaign_id == c.id))
    if not issued:
        return
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationFailed({"price_reason": (
            f"本期已开具 {issued} 张收据，缴费金额、档次和政府代缴已按第 {c.price_version} 版价格收取："
            f"如确需修改，请填写原因，确认启用第 {c.price_version + 1} 版价格版本（已开收据保持原金额）")})
    if not db.session.scalar(select(PriceVersion.id).where(PriceVersion.campaign_id == c.id).limit(1)):
        first = db.session.scalar(select(func.min(Receipt.created_at)).where(Receipt.campaign_id == c.id))
        db.session.add(PriceVersion(campaign_id=c.id, version=c.price_version, reason=FIRST_VERSION_REASON,
                                    settings=_prices(before), created_at=first))
    c.price_version += 1
    db.session.add(PriceVersion(campaign_id=c.id, version=c.price_version, reason=reason[:200],
                                settings=_prices(after), created_by_id=actor.user_id))
    record_event(actor, "campaign.price_version", c, summary=f"启用第 {c.price_version} 版价格：{reason[:100]}",
                 before=_prices(before), after=_prices(after) | {"version": c.price_version, "reason": reason})


FIRST_VERSION_REASON = "开始收费时的标准"


def price_versions(campaign_id: int) -> list[PriceVersion]:
    return db.session.scalars(select(PriceVersion).where(PriceVersion.campaign_id == campaign_id)
                              .order_by(PriceVersion.version)).all()


def price_note(campaign: Campaign, until: datetime | None = None) -> str:
    """What a roster says about the price versions of its rows: "" while the campaign has only
    ever had one; else each version (started by `until`, e.g. a roster's publication) with its
    start and reason."""
    rows = [v for v in price_versions(campaign.id) if until is None or v.created_at <= until]
    if not rows:
        return ""
    parts = [f"{price_version_label(v.version)}（{to_local(v.created_at):%Y-%m-%d}起：{v.reason}）" for v in rows]
    return "缴费标准：" + "；".join(parts) + "。每笔缴费按收费时的价格版本计，金额不随后来的调整改变。"


def price_version_label(version: int) -> str:
    return f"第{version}版"


def _apply(c: Campaign, data: CampaignInput, tiers, medical, gov):
    for f in ["year", "coverage_year", "mobilisation_start", "mobilisation_end", "collection_start",
              "collection_end", "summary_start", "summary_end", "extended_until", "pension_min_age",
              "pension_max_age", "pension_born_from", "pension_born_until"]:
        setattr(c, f, getattr(data, f))
    c.name = data.name.strip()
    # Settings rows are configuration, not money records: replacing them is safe, and the
    # audit event keeps the before/after.
    old = {t.amount_fen: t for t in c.tiers}
    c.tiers = [old.get(t, PensionTier(amount_fen=t)) for t, _, _ in tiers]
    for t, (_, s, groups) in zip(c.tiers, tiers, strict=True):
        t.subsidy_fen = s
        t.groups = ",".join(g for g in GOV_GROUPS if g in groups)
    rates = {r.category: r for r in c.medical_rates}
    c.medical_rates = [rates.get(cat) or MedicalRate(category=cat) for cat in medical]
    for r in c.medical_rates:
        r.amount_fen = medical[r.category]
    rules = {(r.group, r.kind): r for r in c.gov_rules}
    c.gov_rules = [rules.get(k) or GovPayRule(group=k[0], kind=k[1]) for k in gov]
    for r in c.gov_rules:
        r.full, r.amount_fen = gov[(r.group, r.kind)]


def _describe(c: Campaign) -> dict:
    d = {f: getattr(c, f) for f in ["name", "coverage_year", "mobilisation_start", "mobilisation_end",
                                     "collection_start", "collection_end", "summary_start", "summary_end",
                                     "extended_until", "pension_min_age", "pension_max_age",
                                     "pension_born_from", "pension_born_until"]}
    d["tiers"] = [[t.amount_fen, t.subsidy_fen, *([t.groups] if t.groups else [])] for t in c.tiers]
    d["medical"] = {r.category: r.amount_fen for r in c.medical_rates}
    d["gov_rules"] = {f"{r.group}/{r.kind}": ("full" if r.full else r.amount_fen) for r in c.gov_rules}
    return d


# --- which campaign: by date, by the year switch, and the explicit close -------------------------

PREPARING, COLLECTING, SUMMARY, CLOSED = "准备", "征收中", "总结", "已结束"
STATES = (PREPARING, COLLECTING, SUMMARY, CLOSED)


def state_of(c: Campaign, today: date | None = None) -> str:
    """准备 before collection, 征收中 in the window (with its extension), 总结 after it until the
    district admin closes it (结束): the summary work has no fixed last day."""
    if c.closed_at is not None:
        return CLOSED
    today = today or today_local()
    if today < c.collection_start:
        return PREPARING
    if today <= c.window_end:
        return COLLECTING
    return SUMMARY


def all_campaigns() -> list[Campaign]:
    """Newest first."""
    return list(db.session.scalars(select(Campaign).order_by(Campaign.year.desc())))


def campaign_of_year(year: int | None) -> Campaign | None:
    if year is None or not (2000 <= year <= 2100):
        return None
    return db.session.scalar(select(Campaign).where(Campaign.year == year))


def collecting_campaign(today: date | None = None) -> Campaign | None:
    """The one campaign taking payments today (windows never overlap), or None."""
    today = today or today_local()
    return db.session.scalar(
        select(Campaign).where(Campaign.closed_at.is_(None), Campaign.collection_start <= today,
                               or_(Campaign.collection_end >= today, Campaign.extended_until >= today))
        .order_by(Campaign.year.desc()).limit(1))


def default_campaign(today: date | None = None) -> Campaign | None:
    """What a screen shows unless the user chose a year: the collecting campaign, else the newest
    in its summary phase, else the newest."""
    today = today or today_local()
    newest = all_campaigns()
    for wanted in (COLLECTING, SUMMARY):
        for c in newest:
            if state_of(c, today) == wanted:
                return c
    return newest[0] if newest else None


def period_of(c: Campaign) -> tuple[date, date | None]:
    """The days a campaign's work spans, for the audit log: from its mobilisation to its close
    (open-ended while it is not closed). Campaigns overlap, so periods may too."""
    end = to_local(c.closed_at).date() if c.closed_at else None
    return c.mobilisation_start, end


def require_campaign(campaign: Campaign | None = None) -> Campaign:
    """The campaign a report or paper is about: the one passed (the year switch), else the default."""
    c = campaign or default_campaign()
    if c is None:
        raise CampaignClosed("还没有设置征缴期，请联系区管理员")
    return c


def require_collecting_campaign(today: date | None = None) -> Campaign:
    """Payments go to the collecting campaign only; otherwise say why not, in words."""
    today = today or today_local()
    c = collecting_campaign(today)
    if c is not None:
        return c
    c = require_campaign(default_campaign(today))
    require_writable(c)
    require_open(c, today)
    return c   # pragma: no cover - require_open raised: c is not collecting today


def require_writable(c: Campaign) -> None:
    if c.closed_at is not None:
        raise CampaignClosed(f"{c.year} 年度征缴期已结束，只能查看")


def require_writable_id(campaign_id: int) -> None:
    """For a change to something of a campaign (a hand-over, a batch, a receipt): not once closed."""
    require_writable(db.session.get(Campaign, campaign_id))


def close_campaign(actor: Actor, campaign_id: int, today: date | None = None) -> Campaign:
    """结束: the summary is done; from now on the campaign is read-only. Audited."""
    if actor.user is not None and not actor.is_role(roles.DISTRICT_ADMIN):
        raise Forbidden("只有区管理员可以结束征缴期")
    with unit_of_work():
        c = db.session.get(Campaign, campaign_id)
        if c is None:
            raise NotFound()
        require_writable(c)
        if state_of(c, today) != SUMMARY:
            raise CampaignClosed("集中征收结束后（总结阶段）才能结束征缴期")
        c.closed_at = now_utc()
        c.closed_by_id = actor.user_id
        db.session.flush()
        record_event(actor, "campaign.close", c, summary=f"结束 {c.name}")
    return c


def require_open(c: Campaign, today: date | None = None) -> None:
    today = today or today_local()
    if today < c.collection_start:
        raise CampaignClosed(f"集中征收从 {c.collection_start:%Y年%-m月%-d日} 开始，现在还不能收费")
    if today > c.window_end:
        raise CampaignClosed(f"集中征收已于 {c.window_end:%Y年%-m月%-d日} 结束，如需补收请联系区管理员延长征收期")


def phase_of(c: Campaign, today: date | None = None) -> str:
    today = today or today_local()
    if c.is_open_on(today):
        return "集中征收"
    if c.mobilisation_start <= today < c.collection_start:
        return "动员宣传"
    if c.summary_start <= today <= c.summary_end:
        return "总结评价"
    return "未在征缴期"
