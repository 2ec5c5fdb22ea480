"""The public roster (公示): who paid, per village, published by the district admin, posted on the
notice board and online. This module is the roster's content: the rows, publishing a version,
reading versions (admins, and the public online copy), and the plain dict a printed roster is
drawn from. The PDF files are services/roster_pdf.py; the layout is printing/roster.py.

Publishing copies the rows into an immutable snapshot (models.roster): the posted roster never
changes silently. Payments or voids made afterwards show on the admin page as "changed since
version N", and only publishing again (a deliberate act that also restarts the 公示期, the window
for objections) makes version N+1. Why not automatically: the paper on the notice board cannot
update itself, and the online copy must say the same as the paper it is printed from.

What a roster shows is only what its purpose needs (PIPL): name, masked ID, the amounts of each
insurance and the date paid. Never a phone, an address, or why the government paid part of it:
the amounts are the whole contributions, so a subsidised payer looks like any other.

Only publishing writes (in a unit of work); reading takes no write lock.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import (
    Area,
    Campaign,
    Household,
    NameChange,
    Payment,
    Person,
    Receipt,
    ReceiptVoid,
    RosterRow,
    RosterVersion,
)
from ..rules import roles
from ..rules.contact import InvalidPhone, normalize_phone
from ..rules.coverage import coverage_label, title_kinds
from ..rules.money import fen_to_capitals, fen_to_yuan_str
from ..rules.pinyin import name_pinyin
from ..timeutil import to_local, today_local
from . import privacy
from .actor import Actor
from .audit import record_event
from .campaigns import price_note, require_campaign, require_writable
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .scope import get_village, visible_village_ids
from .site import Site
from .tx import unit_of_work

PUBLIC_PAGE_SIZE = 100


# --- the rows --------------------------------------------------------------------------------

def live_rows(campaign: Campaign, village: Area) -> list[dict]:
    """Who has a live payment collected in this village now, one row per person, ordered by
    household (户号, then registration) and, within a household, by the name's pinyin: the content a
    roster published now would have."""
    # The person's current name and masked ID, not the payment's snapshot: a 改名 (as the bureau
    # asks) must reach the roster as it reaches 附件2; the receipt keeps what was written on it.
    q = (select(Payment.person_id, Payment.kind, Payment.amount_fen, Person.name, Person.id_masked,
                Payment.taken_at, Household.number, Household.id)
         .join(Receipt, Receipt.id == Payment.receipt_id)
         .join(Person, Person.id == Payment.person_id).join(Household, Household.id == Person.household_id)
         .where(Payment.campaign_id == campaign.id, Payment.void_id.is_(None), Receipt.village_id == village.id)
         .order_by(Payment.id))
    people: dict[int, dict] = {}
    for person_id, kind, amount, name, masked, taken_at, hh_number, hh_id in db.session.execute(q):
        row = people.setdefault(person_id, {"person_id": person_id, "pension_fen": None, "medical_fen": None,
                                            "household": (hh_number or "", hh_id)})
        row[f"{kind}_fen"] = amount
        # Lines come in order: the last one's date wins.
        row["name"], row["id_masked"] = name, masked
        row["paid_on"] = to_local(taken_at).date()
    rows = sorted(people.values(), key=lambda r: (r["household"], name_pinyin(r["name"]), r["name"], r["person_id"]))
    out = []
    for seq, r in enumerate(rows, 1):
        out.append({"seq": seq, "name": r["name"], "id_masked": r["id_masked"], "pension_fen": r["pension_fen"],
                    "medical_fen": r["medical_fen"],
                    "total_fen": (r["pension_fen"] or 0) + (r["medical_fen"] or 0), "paid_on": r["paid_on"]})
    return out


def rows_hash(rows: list[dict]) -> str:
    body = [[r["seq"], r["name"], r["id_masked"], r["pension_fen"], r["medical_fen"], r["paid_on"].isoformat()]
            for r in rows]
    return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()


def version_rows(version: RosterVersion) -> list[dict]:
    return [{"seq": r.seq, "name": r.name, "id_masked": r.id_masked, "pension_fen": r.pension_fen,
             "medical_fen": r.medical_fen, "total_fen": r.total_fen, "paid_on": r.paid_on}
            for r in version.rows]


@dataclass
class RowChanges:
    added: list[dict]
    removed: list[dict]
    changed: list[tuple[dict, dict]]   # (published, now)

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def compare_rows(published: list[dict], now: list[dict]) -> RowChanges:
    """What changed for people, matched by masked ID and name (the published rows keep no person
    ids: they are public data)."""
    def key(r):
        return (r["id_masked"], r["name"])
    before, after = {key(r): r for r in published}, {key(r): r for r in now}
    fields = ("pension_fen", "medical_fen", "paid_on")
    added = [r for k, r in after.items() if k not in before]
    removed = [r for k, r in before.items() if k not in after]
    changed = [(before[k], r) for k, r in after.items() if k in before and any(before[k][f] != r[f] for f in fields)]
    # A 改名: the same masked ID, gone under the old name and back under the new one, is one
    # changed row (when that masked ID is unambiguous on both sides), not a removal and an addition.
    gone = {}
    for r in removed:
        gone.setdefault(r["id_masked"], []).append(r)
    new = {}
    for r in added:
        new.setdefault(r["id_masked"], []).append(r)
    for masked, olds in gone.items():
        if len(olds) == 1 and len(new.get(masked, [])) == 1:
            changed.append((olds[0], new[masked][0]))
            removed.remove(olds[0])
            added.remove(new[masked][0])
    return RowChanges(added=added, removed=removed, changed=changed)


# --- publishing ------------------------------------------------------------------------------

def default_office_phone(village: Area) -> str:
    """The village's office phone, else its township's, else the district's."""
    a = village
    while a is not None:
        if a.office_phone:
            return a.office_phone
        a = a.parent
    return ""


def roster_title(campaign: Campaign) -> str:
    return f"{campaign.year}年{title_kinds(campaign.year, campaign.coverage_year)}缴费名单公示"


def _versions(campaign_id: int, village_id: int) -> list[RosterVersion]:
    return db.session.scalars(select(RosterVersion).where(
        RosterVersion.campaign_id == campaign_id, RosterVersion.village_id == village_id)
        .order_by(RosterVersion.version.desc())).all()


def publish_roster(actor: Actor, village_code: str, *, posting_start: date | None, posting_end: date | None,
                   office_phone: str, campaign=None) -> RosterVersion:
    """Snapshot the village's payers as the next version and make it public."""
    if not actor.is_role(roles.DISTRICT_ADMIN):
        raise Forbidden("只有区管理员可以发布公示名单")
    try:
        return _publish(actor, village_code, posting_start, posting_end, office_phone, campaign)
    except IntegrityError:  # another admin published this village's next version a moment ago
        raise Conflict("刚刚有人发布了新的版本，请刷新页面后查看") from None


def _publish(actor, village_code, posting_start, posting_end, office_phone, campaign) -> RosterVersion:
    with unit_of_work():
        campaign = require_campaign(campaign)
        require_writable(campaign)
        village = get_village(actor, village_code)
        errors = {}
        if posting_start is None:
            errors["posting_start"] = "请填写公示开始日期"
        if posting_end is None:
            errors["posting_end"] = "请填写公示结束日期"
        elif posting_start and posting_end < posting_start:
            errors["posting_end"] = "结束日期不能早于开始日期"
        elif posting_end < today_local():
            errors["posting_end"] = "公示期已过，请重新选择日期"
        try:
            office_phone = normalize_phone(office_phone)
            if not office_phone:
                errors["office_phone"] = "请填写接受异议的办公电话"
        except InvalidPhone as e:
            errors["office_phone"] = str(e)
        rows = live_rows(campaign, village)
        if not rows and not errors:
            errors["rows"] = f"{village.name}还没有人缴费，没有可公示的名单"
        if errors:
            raise ValidationFailed(errors)
        digest = rows_hash(rows)
        previous = _versions(campaign.id, village.id)
        latest = previous[0] if previous else None
        if latest and (latest.rows_hash, latest.posting_start, latest.posting_end, latest.office_phone) == (
                digest, posting_start, posting_end, office_phone):
            raise Conflict(f"名单和公示期都与第 {latest.version} 版相同，无需重新发布")
        version = RosterVersion(
            campaign_id=campaign.id, village_id=village.id, version=(latest.version + 1) if latest else 1,
            published_by_id=actor.user_id, title=roster_title(campaign), campaign_name=campaign.name,
            coverage_year=campaign.coverage_year, unit_name=village.full_name or village.name,
            village_code=village.code, posting_start=posting_start, posting_end=posting_end,
            office_phone=office_phone, row_count=len(rows),
            pension_total_fen=sum(r["pension_fen"] or 0 for r in rows),
            medical_total_fen=sum(r["medical_fen"] or 0 for r in rows),
            total_fen=sum(r["total_fen"] for r in rows), rows_hash=digest)
        db.session.add(version)
        db.session.flush()
        db.session.execute(RosterRow.__table__.insert(), [
            {"roster_id": version.id, "seq": r["seq"], "name": r["name"], "id_masked": r["id_masked"],
             "pension_fen": r["pension_fen"], "medical_fen": r["medical_fen"], "total_fen": r["total_fen"],
             "paid_on": r["paid_on"]} for r in rows])
        record_event(actor, "roster.publish", version,
                     summary=f"发布公示名单 {village.name} 第 {version.version} 版（{len(rows)} 人）",
                     after={"village": village.code, "version": version.version, "rows": len(rows),
                            "total_fen": version.total_fen, "posting": [posting_start, posting_end],
                            "office_phone": office_phone})
    return version


# --- reading: admins -------------------------------------------------------------------------

def _latest_by_village(campaign_id: int, village_ids) -> dict[int, RosterVersion]:
    newest = (select(RosterVersion.village_id, func.max(RosterVersion.version).label("v"))
              .where(RosterVersion.campaign_id == campaign_id, RosterVersion.village_id.in_(village_ids))
              .group_by(RosterVersion.village_id).subquery())
    rows = db.session.scalars(select(RosterVersion).join(newest, (newest.c.village_id == RosterVersion.village_id)
                                                         & (newest.c.v == RosterVersion.version))
                              .where(RosterVersion.campaign_id == campaign_id))
    return {v.village_id: v for v in rows}


@dataclass
class RosterStatus:
    village: Area
    latest: RosterVersion | None
    changed: bool          # payments or voids since the latest version was published


def roster_overview(actor: Actor, campaign=None) -> list[RosterStatus]:
    """Every village the actor may see, with its latest published version this campaign and
    whether anything was paid or voided since (a hint: the detail page compares the rows)."""
    if not actor.is_role(*roles.ADMINS):
        raise Forbidden()
    campaign = require_campaign(campaign)
    visible = visible_village_ids(actor.user)
    villages = db.session.scalars(select(Area).where(Area.id.in_(visible)).order_by(Area.code)).all()
    latest = _latest_by_village(campaign.id, visible)
    paid = dict(db.session.execute(select(Receipt.village_id, func.max(Receipt.created_at)).where(
        Receipt.campaign_id == campaign.id, Receipt.village_id.in_(latest)).group_by(Receipt.village_id)).all())
    voided = dict(db.session.execute(
        select(Receipt.village_id, func.max(ReceiptVoid.voided_at))
        .join(Receipt, Receipt.id == ReceiptVoid.receipt_id)
        .where(Receipt.campaign_id == campaign.id, Receipt.village_id.in_(latest))
        .group_by(Receipt.village_id)).all())
    # A 改名 of someone who paid here changes the roster's rows too.
    renamed = dict(db.session.execute(
        select(Receipt.village_id, func.max(NameChange.changed_at))
        .join(Payment, Payment.receipt_id == Receipt.id).join(NameChange, NameChange.person_id == Payment.person_id)
        .where(Receipt.campaign_id == campaign.id, Receipt.village_id.in_(latest))
        .group_by(Receipt.village_id)).all())
    out = []
    for village in villages:
        v = latest.get(village.id)
        changed = bool(v) and any(t is not None and t > v.published_at
                                  for t in (paid.get(village.id), voided.get(village.id), renamed.get(village.id)))
        out.append(RosterStatus(village, v, changed))
    return out


@dataclass
class RosterDetail:
    village: Area
    campaign: Campaign
    versions: list[RosterVersion]     # newest first
    rows_now: int
    total_now_fen: int
    changes: RowChanges | None        # against the latest version; None when none is published
    office_phone: str                 # suggested for the next publication

    @property
    def latest(self) -> RosterVersion | None:
        return self.versions[0] if self.versions else None


def roster_detail(actor: Actor, village_code: str, campaign=None) -> RosterDetail:
    if not actor.is_role(*roles.ADMINS):
        raise Forbidden()
    campaign = require_campaign(campaign)
    village = get_village(actor, village_code)
    versions = _versions(campaign.id, village.id)
    now = live_rows(campaign, village)
    changes = compare_rows(version_rows(versions[0]), now) if versions else None
    phone = versions[0].office_phone if versions else default_office_phone(village)
    return RosterDetail(village, campaign, versions, len(now), sum(r["total_fen"] for r in now), changes, phone)


def latest_versions(actor: Actor, campaign=None) -> list[RosterVersion]:
    """The newest published version of each village the actor may see, in the campaign."""
    campaign = require_campaign(campaign)
    latest = _latest_by_village(campaign.id, visible_village_ids(actor.user))
    return sorted(latest.values(), key=lambda v: v.village_code)


def get_version(actor: Actor, village_code: str, year: int, number: int) -> RosterVersion:
    """A published version of a village the actor may see (coordinators included: they print it)."""
    village = get_village(actor, village_code)
    return _published(village.code, year, number)


# --- reading: the public ---------------------------------------------------------------------

def _published(village_code: str, year: int | None = None, number: int | None = None) -> RosterVersion:
    q = (select(RosterVersion).join(Campaign, Campaign.id == RosterVersion.campaign_id)
         .where(RosterVersion.village_code == village_code))
    if year is not None:
        q = q.where(Campaign.year == year)
    if number is not None:
        q = q.where(RosterVersion.version == number)
    version = db.session.scalar(q.order_by(Campaign.year.desc(), RosterVersion.version.desc()).limit(1))
    if version is None:
        raise NotFound("没有找到这份公示名单")
    return version


@dataclass
class PublicRoster:
    version: RosterVersion
    year: int
    newest: int                # the newest version number for this campaign and village
    open: bool                 # still inside (or before) its 公示期: rows are shown
    rows: list[RosterRow]      # this page of rows (empty once the posting period is over)
    page: int
    pages: int
    matches: int               # rows matching the name filter
    q: str


def public_roster(village_code: str, year: int | None = None, number: int | None = None, *,
                  q: str = "", page: int = 1, today: date | None = None) -> PublicRoster:
    """The online copy, for anyone: a published version only (anything else is 404), masked data
    only. After the 公示期 the names are no longer shown: the roster's purpose has ended."""
    q = "".join((q or "").split())[:32]
    version = _published(village_code, year, number)
    year = db.session.get(Campaign, version.campaign_id).year
    newest = db.session.scalar(select(func.max(RosterVersion.version)).where(
        RosterVersion.campaign_id == version.campaign_id, RosterVersion.village_id == version.village_id))
    is_open = (today or today_local()) <= version.posting_end
    rows, matches, pages = [], 0, 1
    if is_open and privacy.roster_names_of_village(version.village_id) == "masked":
        all_rows = db.session.scalars(select(RosterRow).where(RosterRow.roster_id == version.id)
                                      .order_by(RosterRow.seq)).all()
        rows, matches, pages, page = privacy.masked_page(all_rows, q, page, PUBLIC_PAGE_SIZE)
    elif is_open:
        where = [RosterRow.roster_id == version.id]
        if q:
            where.append(RosterRow.name.contains(q, autoescape=True))
        matches = db.session.scalar(select(func.count(RosterRow.id)).where(*where))
        pages = max(1, -(-matches // PUBLIC_PAGE_SIZE))
        page = min(max(1, page), pages)
        rows = db.session.scalars(select(RosterRow).where(*where).order_by(RosterRow.seq)
                                  .offset((page - 1) * PUBLIC_PAGE_SIZE).limit(PUBLIC_PAGE_SIZE)).all()
    return PublicRoster(version, year, newest, is_open, rows, page, pages, matches, q)


def public_url(site: Site, village_code: str, year: int, number: int) -> str:
    """The online copy of one version: what the printed QR code opens (views.roster serves it)."""
    return f"{site.public_base_url.rstrip('/')}/gongshi/{village_code}/{year}/v{number}"


# --- what the printed roster receives ---------------------------------------------------------

def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def roster_dict(version: RosterVersion | None, rows: list[dict], *, site: Site | None = None,
                campaign: Campaign | None = None, village: Area | None = None) -> dict:
    """Plain values for the print template: a published version, or a draft (version None) of the
    live rows, which says so on every page and has no QR code, 公示期 or seal."""
    pension = sum(r["pension_fen"] or 0 for r in rows)
    medical = sum(r["medical_fen"] or 0 for r in rows)
    total = pension + medical
    d = {"rows": rows, "count": len(rows), "pension_total": fen_to_yuan_str(pension),
         "medical_total": fen_to_yuan_str(medical), "total": fen_to_yuan_str(total),
         "total_capitals": fen_to_capitals(total)}
    if version is None:
        return d | {"draft": True, "title": roster_title(campaign), "campaign_name": campaign.name,
                    "price_note": price_note(campaign),
                    "coverage": campaign.coverage_text, "unit_name": village.full_name or village.name,
                    "version": None, "url": "", "printed_on": _day(today_local())}
    year = version.campaign.year
    return d | {"draft": False, "title": version.title, "campaign_name": version.campaign_name,
                "price_note": price_note(version.campaign, version.published_at),
                "coverage": coverage_label(year, version.coverage_year), "unit_name": version.unit_name,
                "version": version.version, "published_on": _day(to_local(version.published_at).date()),
                "posting_start": _day(version.posting_start), "posting_end": _day(version.posting_end),
                "office_phone": version.office_phone,
                "url": public_url(site, version.village_code, year, version.version)}


def posting_defaults(today: date | None = None) -> tuple[date, date]:
    """公示期: 7 days from today by default."""
    today = today or today_local()
    return today, today + timedelta(days=6)
