"""Roster PDFs to print: a published version's file (rendered once, then kept on disk), the draft
of the live rows, and both for the command line.

The data comes from services/roster.py (the rows, roster_dict), the layout from printing/roster.py.
A published version never changes, so its PDF is kept under the site's cache folder and served
again in milliseconds; the file name holds a hash of the version's rows, the paper, the layout's
revision and the public address (it is in the QR code), so a change to any of them makes a new
file. Rendering takes no write lock: a seconds-long render never holds up a payment.
"""
import hashlib
import os
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import Area, RosterVersion
from ..printing import roster as roster_print
from ..rules import roles
from . import privacy
from .actor import Actor
from .campaigns import require_campaign
from .errors import Forbidden, NotFound
from .roster import _published, get_version, live_rows, roster_dict, version_rows  # _published: unscoped, for the CLI
from .scope import get_village
from .site import Site

PAPERS = roster_print.PAPERS


def _cache_path(site: Site, version: RosterVersion, paper: str, names: str = "full") -> Path:
    key = hashlib.sha256("|".join([str(version.id), version.rows_hash, paper, roster_print.LAYOUT_REV, names,
                                   site.public_base_url]).encode()).hexdigest()[:16]
    folder = site.cache_dir / "rosters"
    return folder / f"{version.village_code}-{version.campaign_id}-v{version.version}-{paper}-{key}.pdf"


def version_pdf(site: Site, version: RosterVersion, paper: str) -> Path:
    """The file of a published version's PDF, rendered once and then kept: versions never change."""
    if paper not in PAPERS:
        raise NotFound("没有这种纸张")
    names = privacy.roster_names_of_village(version.village_id)   # the district's choice, now
    path = _cache_path(site, version, paper, names)
    if path.exists():
        return path
    rows = privacy.shown_rows(version_rows(version), names)
    content = roster_print.render_pdf(roster_dict(version, rows, site=site), paper)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)  # atomic: a concurrent download sees the old state or the whole file
    return path


def pdf_filename(version: RosterVersion | None, village: Area | None, paper: str) -> str:
    if version is None:
        return f"公示名单-{village.code}-草稿-{paper}.pdf"
    return f"公示名单-{version.village_code}-第{version.version}版-{paper}.pdf"


def roster_pdf(actor: Actor, site: Site, village_code: str, year: int, number: int, paper: str = "A4") -> Path:
    """The PDF file of a published version the actor may see. Rows are read only on a cache miss."""
    return version_pdf(site, get_version(actor, village_code, year, number), paper)


def _draft(campaign, village: Area, paper: str) -> bytes:
    rows = privacy.shown_rows(live_rows(campaign, village), privacy.roster_names_of_village(village.id))
    data = roster_dict(None, rows, campaign=campaign, village=village)
    return roster_print.render_pdf(data, paper)


def draft_pdf(actor: Actor, village_code: str, paper: str = "A4", campaign=None) -> bytes:
    """The live rows as they would be published now, marked as a draft (admins check before publishing)."""
    if not actor.is_role(*roles.ADMINS):
        raise Forbidden()
    if paper not in PAPERS:
        raise NotFound("没有这种纸张")
    campaign = require_campaign(campaign)
    return _draft(campaign, get_village(actor, village_code), paper)


def roster_pdf_for_operator(site: Site, village_code: str, paper: str = "A4", number: int | None = None,
                            draft: bool = False, campaign=None) -> tuple[bytes, str]:
    """For the command line (the operator sees every village): the latest published version of
    the campaign (default: the default one; or version `number`), or the draft of the live rows."""
    if paper not in PAPERS:
        raise NotFound("没有这种纸张（A4 或 A3）")
    village = db.session.scalar(select(Area).where(Area.code == village_code, Area.level == "village"))
    if village is None:
        raise NotFound(f"没有村/社区 {village_code}")
    campaign = require_campaign(campaign)
    if draft:
        return _draft(campaign, village, paper), pdf_filename(None, village, paper)
    try:
        version = _published(village.code, campaign.year, number)
    except NotFound:
        which = f"第 {number} 版" if number else ""
        raise NotFound(f"{village.name}本期还没有发布{which}公示名单"
                       "（可加 --draft 打印草稿）") from None
    return version_pdf(site, version, paper).read_bytes(), pdf_filename(version, None, paper)
