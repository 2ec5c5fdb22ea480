"""Demo data: Zhanhe District with a few townships and villages, last year's closed campaign and
this year's open today, about 2,000 synthetic residents with valid ID numbers, payments in both
years, one account per role.

Every resident is synthetic: names from common characters, ID numbers built with a valid
checksum for a random birth date. Deterministic for a given seed, so screenshots and tests agree.
"""
import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select, update
from stdnum.cn import ric

from ..extensions import db
from ..models import Area, Campaign, Handover, HandoverConfirmation, Payment, Person, Receipt, RosterVersion, User
from ..rules import roles
from ..rules.categories import MEDICAL, PENSION
from ..rules.eligibility import BLOCK, medical_findings, pension_findings
from ..timeutil import local_day_start_utc, today_local
from . import accounts, areas, campaigns, handover, payments, roster
from .actor import SYSTEM, Actor
from .audit import record_event
from .people import PersonInput, build_person, check_person_input
from .tx import unit_of_work

DISTRICT = ("410411", "湛河区")
TOWNSHIPS = [
    ("410411200", "曹镇乡", "township", [
        ("410411200001", "曹镇村", "village", "village_committee"),
        ("410411200002", "大营村", "village", "village_clinic"),
        ("410411200003", "龙王庙村", "village", "village_committee"),
    ]),
    ("410411001", "马庄街道", "subdistrict", [
        ("410411001001", "马庄社区", "community", "community_station"),
        ("410411001002", "建设路社区", "community", "community_station"),
    ]),
    ("410411002", "南环路街道", "subdistrict", [
        ("410411002001", "南环路社区", "community", "community_station"),
        ("410411002002", "新华社区", "community", "community_station"),
    ]),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华玉兰红梅志强海燕文俊晓东"
         "金凤国庆春生小红德胜淑珍丽萍永刚雪梅振华建国卫东宏伟晨阳子涵梓轩浩然欣怡雨桐")
STREETS = {"village": ["东街", "西街", "南街", "北街", "前庄", "后庄", "中心路"],
           "community": ["建设路", "新华路", "南环路", "马庄路", "光明路", "和平路"]}

DEMO_PASSWORD = "Demo2018"


@dataclass
class DemoAccount:
    role: str
    username: str
    password: str
    area_code: str


def make_id_number(rng: random.Random, birth: date, male: bool, region: str = "410411") -> str:
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder check digit


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _birth(rng: random.Random, today: date, lo: int, hi: int) -> date:
    return today - timedelta(days=rng.randrange(lo * 365 + 1, hi * 365 - 1))


def campaign_input_open_today(today: date) -> campaigns.CampaignInput:
    data = campaigns.default_input(today.year)
    if not (data.collection_start <= today <= data.collection_end):
        # Keep the demo usable on any day: move the window around today.
        data.mobilisation_start = today - timedelta(days=40)
        data.mobilisation_end = today - timedelta(days=21)
        data.collection_start = today - timedelta(days=20)
        data.collection_end = today + timedelta(days=30)
        data.summary_start = today + timedelta(days=31)
        data.summary_end = today + timedelta(days=60)
    return data


def build_areas(actor: Actor = SYSTEM):
    areas.create_area(actor, parent_code=None, code=DISTRICT[0], name=DISTRICT[1],
                      full_name="平顶山市湛河区", office_phone="0375-2612345")
    for tcode, tname, tkind, villages in TOWNSHIPS:
        areas.create_area(actor, parent_code=DISTRICT[0], code=tcode, name=tname, kind=tkind,
                          office_phone="0375-26" + tcode[-5:])
        for vcode, vname, vkind, point in villages:
            areas.create_area(actor, parent_code=tcode, code=vcode, name=vname, kind=vkind, point_kind=point,
                              office_phone="0375-27" + vcode[-5:])


def build_accounts(password: str | None) -> list[DemoAccount]:
    specs = [
        (roles.DISTRICT_ADMIN, "admin", "区税务局 张管理", "征缴科科长", [DISTRICT[0]]),
        (roles.TOWNSHIP_ADMIN, "caozhen", "曹镇乡 王主任", "征缴领导小组组长", ["410411200"]),
        (roles.TOWNSHIP_ADMIN, "mazhuang", "马庄街道 刘主任", "征缴领导小组组长", ["410411001"]),
        (roles.COORDINATOR, "xieguan", "李协管", "大学生村官", ["410411200001", "410411200002"]),
        (roles.COORDINATOR, "dayingcun", "赵协管", "村委委员", ["410411200002"]),
        (roles.COORDINATOR, "mazhuang1", "陈协管", "社区卫生服务站站长", ["410411001001"]),
    ]
    out = []
    for i, (role, username, name, title, codes) in enumerate(specs):
        pw = password or DEMO_PASSWORD
        accounts.create_user(SYSTEM, username=username, name=name, role=role, area_codes=codes, title=title,
                             phone=f"1390375{1000 + i:04d}", password=pw, is_demo=True)
        out.append(DemoAccount(role, username, pw, codes[0]))
    return out


def build_people(n_people: int, rng: random.Random, today: date) -> int:
    """Households of 1-6 people across the villages, registered in one transaction."""
    villages = db.session.scalars(select(Area).where(Area.level == "village").order_by(Area.code)).all()
    used = set()
    made = 0
    with unit_of_work():
        hh_no = 0
        while made < n_people:
            village = villages[hh_no % len(villages)]
            hh_no += 1
            street = rng.choice(STREETS[village.kind])
            address = f"{village.name}{street}{rng.randrange(1, 200)}号"
            head_male = rng.random() < 0.8
            members = [("户主", _birth(rng, today, 28, 78), head_male)]
            if rng.random() < 0.8:
                members.append(("配偶", members[0][1] + timedelta(days=rng.randrange(-1500, 1500)), not head_male))
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                members.append(("子女", _birth(rng, today, 1, 30), rng.random() < 0.5))
            if rng.random() < 0.25:
                members.append(("父母", _birth(rng, today, 62, 88), rng.random() < 0.5))
            household_id = None
            for relation, birth, male in members:
                if made >= n_people:
                    break
                number = make_id_number(rng, birth, male)
                while number in used:
                    number = make_id_number(rng, birth, male)
                used.add(number)
                age = (today - birth).days // 365
                flags = {
                    "is_student": 17 <= age <= 22 and rng.random() < 0.6,
                    "is_dibao": rng.random() < 0.04, "is_tekun": rng.random() < 0.01,
                    "is_disabled": rng.random() < 0.015,
                    "employee_pension": 23 <= age <= 59 and rng.random() < 0.05,
                    "new_enrollee": rng.random() < 0.03,
                }
                flags["employee_medical"] = flags["employee_pension"]
                phone = f"13{rng.randrange(0, 10)}{rng.randrange(10**7, 10**8)}" if 18 <= age <= 75 else ""
                data = PersonInput(name=_name(rng), id_number=number, address=address, phone=phone,
                                   relation=relation, household_id=household_id,
                                   household_number=f"{village.code[-6:]}{hh_no:04d}", flags=flags)
                errors, clean = check_person_input(data, village)
                if errors:  # cannot happen with generated data; fail loudly if it does
                    raise RuntimeError(f"demo person invalid: {errors}")
                person = build_person(data, village, clean)
                household_id = person.household_id
                made += 1
        record_event(SYSTEM, "person.register", summary=f"演示数据：登记 {made} 人", object_type="demo")
    return made


def build_payments(rng: random.Random, share: float = 0.3, skip: set | None = None) -> int:
    """Some households pay in the collecting campaign, by the coordinator of their village
    (households in `skip` do not: last year's payers who have not paid again yet)."""
    campaign = campaigns.require_collecting_campaign()
    policy = campaign.policy()
    today = today_local()
    tiers = sorted(policy.pension_tiers)
    coordinators = db.session.scalars(select(User).where(User.role == roles.COORDINATOR).order_by(User.id)).all()
    by_village = {}
    for u in coordinators:
        for a in u.areas:
            by_village.setdefault(a.id, u)
    paid = 0
    households = {}
    for p in db.session.scalars(select(Person).order_by(Person.id)):
        households.setdefault(p.household_id, []).append(p)
    for hid, members in households.items():
        coordinator = by_village.get(members[0].village_id)
        if coordinator is None or rng.random() > share or hid in (skip or ()):
            continue
        lines = []
        for p in members:
            facts = p.facts()
            if not any(f.level == BLOCK for f in medical_findings(facts, policy)):
                lines.append(payments.LineRequest(p.id, MEDICAL))
            if not any(f.level == BLOCK for f in pension_findings(facts, policy, today)):
                lines.append(payments.LineRequest(p.id, PENSION, rng.choice(tiers[:4])))
        if lines:
            payments.record_payment(Actor(coordinator, "demo"), lines, method=rng.choice(["cash", "cash", "wechat"]))
            paid += 1
    return paid


def _spread(campaign_id: int, first: date, last: date, rng: random.Random):
    """Synthetic history: the campaign's receipts moved back in time, in their order, onto the
    days first..last, 8:00-18:00. Demo data only: real receipts are never moved."""
    ids = db.session.scalars(select(Receipt.id).where(Receipt.campaign_id == campaign_id).order_by(Receipt.id)).all()
    span = max((last - first).days, 0) + 1
    days = sorted(rng.randrange(span) for _ in ids)
    with unit_of_work():
        for rid, offset in zip(ids, days, strict=True):
            at = local_day_start_utc(first + timedelta(days=offset)) + timedelta(minutes=rng.randrange(8 * 60, 18 * 60))
            db.session.execute(update(Receipt).where(Receipt.id == rid).values(created_at=at))
            db.session.execute(update(Payment).where(Payment.receipt_id == rid).values(created_at=at))


def _move_paperwork(campaign_id: int, c: campaigns.CampaignInput):
    """Last year's hand-overs the day after its collection, confirmed the day after, and its
    rosters published on the first day of its summary, posted for a week (demo data only)."""
    at = local_day_start_utc(c.collection_end + timedelta(days=1)) + timedelta(hours=10)
    handovers = select(Handover.id).where(Handover.campaign_id == campaign_id)
    with unit_of_work():
        db.session.execute(update(Handover).where(Handover.campaign_id == campaign_id).values(created_at=at))
        db.session.execute(update(HandoverConfirmation).where(HandoverConfirmation.handover_id.in_(handovers))
                           .values(confirmed_at=at + timedelta(days=1)))
        db.session.execute(update(RosterVersion).where(RosterVersion.campaign_id == campaign_id).values(
            published_at=local_day_start_utc(c.summary_start) + timedelta(hours=9),
            posting_start=c.summary_start, posting_end=c.summary_start + timedelta(days=7)))


def _year_before(data: campaigns.CampaignInput) -> campaigns.CampaignInput:
    """This year's settings for last year: same tiers and amounts, every date a year earlier."""
    last = campaigns.default_input(data.year - 1)
    for f in ["tiers_text", "medical_yuan", "gov_rules"]:
        setattr(last, f, getattr(data, f))
    for f in ["mobilisation_start", "mobilisation_end", "collection_start", "collection_end", "summary_start",
              "summary_end"]:
        setattr(last, f, getattr(data, f) - timedelta(days=YEAR_DAYS))
    return last


YEAR_DAYS = 364   # a year back to the same weekday


def build_last_year(rng: random.Random, this_year: campaigns.CampaignInput) -> Campaign:
    """Last year's campaign, closed: payments over its collection days, every village's receipts
    handed over and confirmed, a published roster per village. Recorded through the services
    while its window is moved onto today, then moved back a year and closed."""
    real = _year_before(this_year)
    now = campaigns.CampaignInput(**{**real.__dict__, **{f: getattr(this_year, f) for f in _DATES}})
    campaign = campaigns.create_campaign(SYSTEM, now)
    build_payments(rng, share=0.35)
    admin = db.session.scalar(select(User).where(User.role == roles.DISTRICT_ADMIN).order_by(User.id))
    today = today_local()
    for coordinator in db.session.scalars(select(User).where(User.role == roles.COORDINATOR).order_by(User.id)):
        actor = Actor(coordinator, "demo")
        for village in coordinator.areas:
            on_hand = db.session.scalars(handover.on_hand_query(actor, village.id, campaign)).all()
            if not on_hand:
                continue
            total = f"{sum(r.total_fen for r in on_hand) / 100:.2f}"
            h = handover.create_handover(actor, village.code, [r.number for r in on_hand], bank_slip_no=
                                         f"YH{campaign.year}{village.code[-4:]}", amount_yuan=total, campaign=campaign)
            township = db.session.scalar(select(User).join(User.areas).where(
                User.role == roles.TOWNSHIP_ADMIN, Area.id == village.parent_id))
            handover.confirm_handover(Actor(township or admin, "demo"), h.id, received_yuan=total)
    for village in db.session.scalars(select(Area).where(Area.level == "village").order_by(Area.code)):
        if roster.live_rows(campaign, village):
            roster.publish_roster(Actor(admin, "demo"), village.code, posting_start=today,
                                  posting_end=today + timedelta(days=7), office_phone=village.office_phone,
                                  campaign=campaign)
    campaigns.update_campaign(Actor(admin, "demo"), campaign.id, real)
    campaign = db.session.get(Campaign, campaign.id)
    _spread(campaign.id, real.collection_start, real.collection_end, rng)
    _move_paperwork(campaign.id, real)
    return campaigns.close_campaign(Actor(admin, "demo"), campaign.id)


_DATES = ["mobilisation_start", "mobilisation_end", "collection_start", "collection_end", "summary_start",
          "summary_end"]


def seed_demo(password: str | None = None, n_people: int = 2000, seed: int = 2018) -> list[DemoAccount]:
    """Last year's closed campaign (payments, hand-overs, published rosters) and this year's
    collecting one, with payments over the days since its collection began."""
    rng = random.Random(seed)
    today = today_local()
    build_areas()
    demo_accounts = build_accounts(password)
    build_people(n_people, rng, today)
    this_year = campaign_input_open_today(today)
    last = build_last_year(rng, this_year)
    campaign = campaigns.create_campaign(SYSTEM, this_year)
    last_payers = set(db.session.scalars(select(Receipt.household_id).where(Receipt.campaign_id == last.id)))
    # Most of last year's payers pay again; a few have not yet (the ones to call on first).
    skip = {h for h in last_payers if rng.random() < 0.3}
    build_payments(rng, share=0.4, skip=skip)
    _spread(campaign.id, this_year.collection_start, today, rng)
    return demo_accounts


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(Area.id)))
