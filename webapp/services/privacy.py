"""A district's privacy choices for its public surfaces. Today one: whether the public roster
(公示) shows full names (the default, as a 公示 traditionally does) or masked ones (张*丰), since
villages differ in practice. The district admin chooses; the choice is audited."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Area, user_areas
from ..rules import roles
from ..rules.masking import NAME_MODES, mask_name
from .actor import Actor
from .audit import record_event
from .errors import Forbidden, NotFound, ValidationFailed
from .tx import unit_of_work


def districts_of(actor: Actor) -> list[Area]:
    """The districts this district admin runs."""
    if not actor.is_role(roles.DISTRICT_ADMIN):
        raise Forbidden("只有区县管理员可以设置")
    mine = select(user_areas.c.area_id).where(user_areas.c.user_id == actor.user_id)
    return list(db.session.scalars(select(Area).where(Area.id.in_(mine), Area.level == "district")
                                   .order_by(Area.code)))


def roster_names_of_village(village_id: int) -> str:
    """'full' or 'masked': the choice of the district above this village."""
    township, district = aliased(Area), aliased(Area)
    mode = db.session.scalar(select(district.roster_names)
                             .select_from(Area).join(township, Area.parent_id == township.id)
                             .join(district, township.parent_id == district.id).where(Area.id == village_id))
    return mode if mode in NAME_MODES else "full"


def set_roster_names(actor: Actor, district_code: str, mode: str) -> Area:
    with unit_of_work():
        district = next((d for d in districts_of(actor) if d.code == district_code), None)
        if district is None:
            raise NotFound()
        if mode not in NAME_MODES:
            raise ValidationFailed({"roster_names": "请选择公示名单上姓名的显示方式"})
        before = district.roster_names
        if mode != before:
            district.roster_names = mode
            record_event(actor, "district.roster_names", district,
                         summary=f"{district.name} 公示名单姓名：{NAME_MODES[mode]}",
                         before={"roster_names": before}, after={"roster_names": mode})
    return district


def shown_rows(rows: list[dict], mode: str) -> list[dict]:
    """Roster rows (dicts with "name") as the public roster shows them under `mode`."""
    return rows if mode != "masked" else [r | {"name": mask_name(r["name"])} for r in rows]


@dataclass(frozen=True)
class ShownRow:
    """A published roster row as the public page shows it (the stored row keeps the full name:
    comparing a version with the live data needs it, and the district may switch back)."""
    seq: int
    name: str
    id_masked: str
    pension_fen: int | None
    medical_fen: int | None
    total_fen: int
    paid_on: date


def masked_page(rows, q: str, page: int, per_page: int) -> tuple[list[ShownRow], int, int, int]:
    """(rows of this page, matches, pages, page) with masked names, the name filter matching the
    masked name: searching a full name must not tell whether that person is on the list."""
    shown = [ShownRow(r.seq, mask_name(r.name), r.id_masked, r.pension_fen, r.medical_fen, r.total_fen, r.paid_on)
             for r in rows]
    if q:
        shown = [r for r in shown if q in r.name]
    pages = max(1, -(-len(shown) // per_page))
    page = min(max(1, page), pages)
    return shown[(page - 1) * per_page:page * per_page], len(shown), pages, page
