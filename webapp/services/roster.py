"""The public roster (公示): who paid, per village, published by the district admin, posted on the
notice board and online.

Publishing copies the rows into an immutable snapshot (models.roster): the posted roster never
changes silently. Payments or voids made afterwards show on the admin page as "changed since
version N", and only publishing again (a deliberate act that also restarts the 公示期, the window
for objections) makes version N+1. Why not automatically: the paper on the notice board cannot
update itself, and the online copy must say the same as the paper it is printed from.

What a roster shows is only what its purpose needs (PIPL): name, masked ID, the amounts of each
insurance and the date paid. Never a phone, an address, or why the government paid part of it:
the amounts are the whole contributions, so a subsidised payer looks like any other.

The PDF (A4, or A3 for the notice board: the same layout scaled by √2) is laid out one table per
printed page, with the page breaks decided here, not by WeasyPrint. Each table has one body row
whose seven cells hold a column's values one per line (`white-space: pre`): WeasyPrint's cost is
per box and per line, and this has 7 boxes per page instead of ~300. Big rosters are rendered in
chunks of whole pages in parallel processes and the chunks merged; since the page breaks are
ours, "第 x 页 共 y 页" is known before rendering, and each chunk's page count is checked. A
published version never changes, so its PDF is kept on disk and served again in milliseconds.
Only publishing writes (in a unit of work); reading and rendering take no write lock, so a
seconds-long render never holds up a payment.
"""
import hashlib
import io
import json
import math
import multiprocessing
import os
import subprocess
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import pdf
from ..extensions import db
from ..models import Area, Campaign, Household, Payment, Person, Receipt, ReceiptVoid, RosterRow, RosterVersion
from ..qr import qr_svg
from ..rules import roles
from ..rules.contact import InvalidPhone, normalize_phone
from ..rules.money import fen_to_capitals, fen_to_yuan_str
from ..rules.pinyin import name_pinyin
from ..timeutil import to_local, today_local
from .actor import Actor
from .audit import record_event
from .campaigns import require_current_campaign
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .scope import get_village, visible_village_ids
from .tx import unit_of_work

# Bump when the printed layout changes: cached PDFs of older layouts are then not served.
LAYOUT_REV = "1"
PUBLIC_PAGE_SIZE = 100


# --- paper and pagination --------------------------------------------------------------------

@dataclass(frozen=True)
class Paper:
    key: str
    label: str
    scale: float      # every length of the A4 layout is multiplied by this


PAPERS = {"A4": Paper("A4", "A4（210×297 毫米）", 1.0),
          "A3": Paper("A3", "A3（297×420 毫米，公告栏）", math.sqrt(2))}

# The printed table is a grid of text in a monospaced CJK font: every ASCII character is exactly
# half an em wide and every Chinese character (and the name separator ·) exactly one em
# (Noto Sans Mono CJK SC; names may only hold those, see services.people). A row is then one
# line of text, aligned by spaces, with the column rules drawn at computed positions: WeasyPrint
# lays out one line per row instead of seven table cells, about 3.5 times faster, and the page
# looks the same as a ruled table (with tabular figures, which read better anyway).
MONO_FAMILY = "Noto Sans Mono CJK SC"
FONT_PT = 10
HALF_MM = FONT_PT / 2 * 25.4 / 72          # one half-width character, in millimetres (A4)
GAP = 2                                     # half-widths between columns; the rule sits in the middle
# (heading, second heading line, width in half-widths, alignment)
COLUMNS = (("序号", "", 5, ">"), ("姓名", "", 24, "<"), ("身份证号", "", 18, "<"),
           ("养老保险", "（元）", 11, ">"), ("医疗保险", "（元）", 11, ">"), ("合计", "（元）", 11, ">"),
           ("缴费日期", "", 10, "<"))
GRID_HALVES = 1 + sum(c[2] for c in COLUMNS) + GAP * (len(COLUMNS) - 1) + 1
# The A4 layout, in millimetres (A3 is the same, scaled). The template uses these numbers too.
LAYOUT = {
    "margin_top": 12, "margin_side": 12, "margin_bottom": 16, "header_h": 20, "head_line_h": 4.6,
    "line_h": 6, "font_pt": FONT_PT, "grid_mm": GRID_HALVES * HALF_MM,
    "rules_mm": [(1 + sum(c[2] for c in COLUMNS[:i + 1]) + GAP * i + GAP / 2) * HALF_MM
                 for i in range(len(COLUMNS) - 1)],
}
LINES_PER_PAGE = 38         # (297 - 12 - 16 - 20 - 10) / 6 = 39.8 lines; one spare for safety
CLOSING_LINES = 11          # totals, 公示期 and phone, QR code, seal: they need this much room
MIN_PAGES_PER_CHUNK = 6     # below this a separate process costs more than it saves


def text_width(s: str) -> int:
    """Width in half-widths in the monospaced font: ASCII 1, anything else (Chinese, ·, －) 2."""
    return sum(1 if ord(c) < 128 else 2 for c in s)


def _cell(value: str, width: int, align: str) -> str:
    pad = " " * max(0, width - text_width(value))
    if align == ">":
        return pad + value
    if align == "^":
        return pad[:len(pad) // 2] + value + pad[len(pad) // 2:]
    return value + pad


def grid_line(values, align: str | None = None) -> str:
    """One printed line of the grid: each value padded to its column."""
    cells = [_cell(v, c[2], align or c[3]) for v, c in zip(values, COLUMNS, strict=True)]
    return " " + (" " * GAP).join(cells) + " "


def grid_head() -> str:
    return "\n".join(grid_line([c[i] for c in COLUMNS], "^") for i in (0, 1))


def name_lines(name: str) -> list[str]:
    """The name cut into lines that fit its column (almost always one line)."""
    width, lines, current = COLUMNS[1][2], [], ""
    for ch in name:
        if text_width(current + ch) > width:
            lines.append(current)
            current = ""
        current += ch
    return lines + [current]


def _yuan(fen: int | None) -> str:
    return "－" if fen is None else fen_to_yuan_str(fen)


def row_lines(row: dict) -> list[str]:
    names = name_lines(row["name"])
    first = grid_line([str(row["seq"]), names[0], row["id_masked"], _yuan(row["pension_fen"]),
                       _yuan(row["medical_fen"]), _yuan(row["total_fen"]), row["paid_on"].isoformat()])
    return [first] + [grid_line(["", n, "", "", "", "", ""]) for n in names[1:]]


def paginate(rows: list[dict]) -> list[dict]:
    """Rows onto printed pages, as the text of each page's grid. The last page carries the closing
    block (totals, 公示期, QR code, seal); it gets a page of its own when the rows leave no room."""
    pages, current = [], []
    for row in rows:
        lines = row_lines(row)
        if current and len(current) + len(lines) > LINES_PER_PAGE:
            pages.append(current)
            current = []
        current.extend(lines)
    if current or not pages:
        pages.append(current)
    if len(current) + CLOSING_LINES > LINES_PER_PAGE:
        pages.append([])
    return [{"number": i, "text": "\n".join(lines), "lines": len(lines), "closing": i == len(pages)}
            for i, lines in enumerate(pages, 1)]


def totals_line(data: dict) -> str:
    return grid_line(["", f"合计 {data['count']} 人", "", data["pension_total"], data["medical_total"],
                      data["total"], ""])


# --- the rows --------------------------------------------------------------------------------

def live_rows(campaign: Campaign, village: Area) -> list[dict]:
    """Who has a live payment collected in this village now, one row per person, ordered by
    household (户号, then registration) and, within a household, by the name's pinyin: the content a
    roster published now would have."""
    q = (select(Payment.person_id, Payment.kind, Payment.amount_fen, Payment.person_name, Payment.id_masked,
                Payment.created_at, Household.number, Household.id)
         .join(Receipt, Receipt.id == Payment.receipt_id)
         .join(Person, Person.id == Payment.person_id).join(Household, Household.id == Person.household_id)
         .where(Payment.campaign_id == campaign.id, Payment.void_id.is_(None), Receipt.village_id == village.id)
         .order_by(Payment.id))
    people: dict[int, dict] = {}
    for person_id, kind, amount, name, masked, created_at, hh_number, hh_id in db.session.execute(q):
        row = people.setdefault(person_id, {"person_id": person_id, "pension_fen": None, "medical_fen": None,
                                            "household": (hh_number or "", hh_id)})
        row[f"{kind}_fen"] = amount
        # Lines come in order: the last one's snapshot (name, masked ID) and date win.
        row["name"], row["id_masked"] = name, masked
        row["paid_on"] = to_local(created_at).date()
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
    return RowChanges(
        added=[r for k, r in after.items() if k not in before],
        removed=[r for k, r in before.items() if k not in after],
        changed=[(before[k], r) for k, r in after.items()
                 if k in before and any(before[k][f] != r[f] for f in fields)])


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
    return f"{campaign.coverage_year}年度城乡居民基本养老保险、基本医疗保险缴费名单公示"


def _versions(campaign_id: int, village_id: int) -> list[RosterVersion]:
    return db.session.scalars(select(RosterVersion).where(
        RosterVersion.campaign_id == campaign_id, RosterVersion.village_id == village_id)
        .order_by(RosterVersion.version.desc())).all()


def publish_roster(actor: Actor, village_code: str, *, posting_start: date | None, posting_end: date | None,
                   office_phone: str) -> RosterVersion:
    """Snapshot the village's payers as the next version and make it public."""
    if not actor.is_role(roles.DISTRICT_ADMIN):
        raise Forbidden("只有区管理员可以发布公示名单")
    try:
        return _publish(actor, village_code, posting_start, posting_end, office_phone)
    except IntegrityError:  # another admin published this village's next version a moment ago
        raise Conflict("刚刚有人发布了新的版本，请刷新页面后查看") from None


def _publish(actor, village_code, posting_start, posting_end, office_phone) -> RosterVersion:
    with unit_of_work():
        campaign = require_current_campaign()
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


def roster_overview(actor: Actor) -> list[RosterStatus]:
    """Every village the actor may see, with its latest published version this campaign and
    whether anything was paid or voided since (a hint: the detail page compares the rows)."""
    if not actor.is_role(*roles.ADMINS):
        raise Forbidden()
    campaign = require_current_campaign()
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
    out = []
    for village in villages:
        v = latest.get(village.id)
        changed = bool(v) and any(t is not None and t > v.published_at
                                  for t in (paid.get(village.id), voided.get(village.id)))
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


def roster_detail(actor: Actor, village_code: str) -> RosterDetail:
    if not actor.is_role(*roles.ADMINS):
        raise Forbidden()
    campaign = require_current_campaign()
    village = get_village(actor, village_code)
    versions = _versions(campaign.id, village.id)
    now = live_rows(campaign, village)
    changes = compare_rows(version_rows(versions[0]), now) if versions else None
    phone = versions[0].office_phone if versions else default_office_phone(village)
    return RosterDetail(village, campaign, versions, len(now), sum(r["total_fen"] for r in now), changes, phone)


def latest_versions(actor: Actor) -> list[RosterVersion]:
    """The newest published version of each village the actor may see, this campaign."""
    campaign = require_current_campaign()
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
    if is_open:
        where = [RosterRow.roster_id == version.id]
        if q:
            where.append(RosterRow.name.contains(q, autoescape=True))
        matches = db.session.scalar(select(func.count(RosterRow.id)).where(*where))
        pages = max(1, -(-matches // PUBLIC_PAGE_SIZE))
        page = min(max(1, page), pages)
        rows = db.session.scalars(select(RosterRow).where(*where).order_by(RosterRow.seq)
                                  .offset((page - 1) * PUBLIC_PAGE_SIZE).limit(PUBLIC_PAGE_SIZE)).all()
    return PublicRoster(version, year, newest, is_open, rows, page, pages, matches, q)


def public_url(village_code: str, year: int, number: int) -> str:
    """The online copy of one version: what the printed QR code opens (views.roster serves it)."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/gongshi/{village_code}/{year}/v{number}"


# --- the PDF ---------------------------------------------------------------------------------

def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def roster_dict(version: RosterVersion | None, rows: list[dict], *, campaign: Campaign | None = None,
                village: Area | None = None) -> dict:
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
                    "coverage_year": campaign.coverage_year, "unit_name": village.full_name or village.name,
                    "version": None, "url": "", "printed_on": _day(today_local())}
    year = version.campaign.year
    return d | {"draft": False, "title": version.title, "campaign_name": version.campaign_name,
                "coverage_year": version.coverage_year, "unit_name": version.unit_name,
                "version": version.version, "published_on": _day(to_local(version.published_at).date()),
                "posting_start": _day(version.posting_start), "posting_end": _day(version.posting_end),
                "office_phone": version.office_phone,
                "url": public_url(version.village_code, year, version.version)}


def _render_chunk(html: str) -> bytes:
    """Runs in a worker process: one chunk of whole pages."""
    return pdf.render_pdf(html)


def _executor(workers: int) -> ProcessPoolExecutor:
    # forkserver, not fork: gunicorn's threaded workers must not be forked mid-request (a lock
    # held by another thread would stay locked in the child). The server process imports this
    # module once; each worker is a cheap fork of it.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


def _render_parallel(htmls: list[str]) -> list[bytes]:
    if len(htmls) == 1:
        return [_render_chunk(htmls[0])]
    try:
        with _executor(len(htmls)) as ex:
            return list(ex.map(_render_chunk, htmls))
    except (BrokenProcessPool, OSError):  # no processes allowed here: still print, just slower
        return [_render_chunk(h) for h in htmls]


def chunk_count(pages: int) -> int:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, pages // MIN_PAGES_PER_CHUNK))


@lru_cache(maxsize=1)
def _mono_font_present() -> bool:
    try:
        out = subprocess.run(["fc-list", MONO_FAMILY, "family"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return MONO_FAMILY in out


def render_roster_pdf(data: dict, paper: str = "A4") -> bytes:
    """The roster PDF from its plain dict: pages decided here, chunks rendered in parallel, merged."""
    from pypdf import PdfReader, PdfWriter

    pdf.require_engine()
    if not _mono_font_present():
        # Another font would have other widths and the columns would not line up: refuse.
        raise pdf.PdfEngineMissing(f"找不到等宽中文字体 {MONO_FAMILY}。请安装：apt-get install fonts-noto-cjk")
    pages = paginate(data["rows"])
    n = chunk_count(len(pages))
    size = -(-len(pages) // n)
    groups = [pages[i:i + size] for i in range(0, len(pages), size)]
    qr = qr_svg(data["url"], box_size=1, border=2)[0] if data["url"] else ""
    common = dict(d=data, total_pages=len(pages), p=PAPERS[paper], L=LAYOUT, mono=MONO_FAMILY, qr=qr,
                  head=grid_head(), totals=totals_line(data))
    htmls = [render_template("pdf/roster.html", pages=group, **common) for group in groups]
    parts = _render_parallel(htmls)
    writer = PdfWriter()
    for group, part in zip(groups, parts, strict=True):
        reader = PdfReader(io.BytesIO(part))
        if len(reader.pages) != len(group):
            # Our page breaks and WeasyPrint's disagree: the numbering would lie. Never print that.
            raise RuntimeError(f"roster layout overflow: {len(group)} pages laid out as {len(reader.pages)}")
        writer.append(reader)
    writer.add_metadata({"/Title": f"{data['unit_name']} {data['title']}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _cache_path(version: RosterVersion, paper: str) -> Path:
    key = hashlib.sha256("|".join([str(version.id), version.rows_hash, paper, LAYOUT_REV,
                                   current_app.config["PUBLIC_BASE_URL"]]).encode()).hexdigest()[:16]
    folder = Path(current_app.instance_path) / "cache" / "rosters"
    return folder / f"{version.village_code}-{version.campaign_id}-v{version.version}-{paper}-{key}.pdf"


def version_pdf(version: RosterVersion, paper: str) -> Path:
    """The file of a published version's PDF, rendered once and then kept: versions never change."""
    if paper not in PAPERS:
        raise NotFound("没有这种纸张")
    path = _cache_path(version, paper)
    if path.exists():
        return path
    content = render_roster_pdf(roster_dict(version, version_rows(version)), paper)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)  # atomic: a concurrent download sees the old state or the whole file
    return path


def pdf_filename(version: RosterVersion | None, village: Area | None, paper: str) -> str:
    if version is None:
        return f"公示名单-{village.code}-草稿-{paper}.pdf"
    return f"公示名单-{version.village_code}-第{version.version}版-{paper}.pdf"


def roster_pdf(actor: Actor, village_code: str, year: int, number: int, paper: str = "A4") -> Path:
    """The PDF file of a published version the actor may see. Rows are read only on a cache miss."""
    return version_pdf(get_version(actor, village_code, year, number), paper)


def draft_pdf(actor: Actor, village_code: str, paper: str = "A4") -> bytes:
    """The live rows as they would be published now, marked as a draft (admins check before publishing)."""
    if not actor.is_role(*roles.ADMINS):
        raise Forbidden()
    if paper not in PAPERS:
        raise NotFound("没有这种纸张")
    campaign = require_current_campaign()
    village = get_village(actor, village_code)
    data = roster_dict(None, live_rows(campaign, village), campaign=campaign, village=village)
    return render_roster_pdf(data, paper)


def roster_pdf_for_operator(village_code: str, paper: str = "A4", number: int | None = None,
                            draft: bool = False) -> tuple[bytes, str]:
    """For the command line (the operator sees every village): the latest published version of
    the current campaign (or version `number`), or the draft of the live rows."""
    if paper not in PAPERS:
        raise NotFound("没有这种纸张（A4 或 A3）")
    village = db.session.scalar(select(Area).where(Area.code == village_code, Area.level == "village"))
    if village is None:
        raise NotFound(f"没有村/社区 {village_code}")
    campaign = require_current_campaign()
    if draft:
        data = roster_dict(None, live_rows(campaign, village), campaign=campaign, village=village)
        return render_roster_pdf(data, paper), pdf_filename(None, village, paper)
    try:
        version = _published(village.code, campaign.year, number)
    except NotFound:
        which = f"第 {number} 版" if number else ""
        raise NotFound(f"{village.name}本期还没有发布{which}公示名单"
                       "（可加 --draft 打印草稿）") from None
    return version_pdf(version, paper).read_bytes(), pdf_filename(version, None, paper)


def posting_defaults(today: date | None = None) -> tuple[date, date]:
    """公示期: 7 days from today by default."""
    today = today or today_local()
    return today, today + timedelta(days=6)
