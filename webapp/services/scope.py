"""Which villages a user may see. Every list a user sees filters on `visible_village_ids(...)`
inside its own query, so scoping can never be forgotten in Python afterwards."""
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Area, User, user_areas
from ..rules import roles
from .actor import Actor
from .errors import NotFound


def visible_village_ids(user: User):
    """A SELECT of the ids of the villages the user may see (use with `.in_(...)`)."""
    return _village_ids(user.role, user.id)


@cache
def visible_village_ids_of_role(role: str):
    """The same SELECT for any user of this role, whose id is then passed as the parameter
    `scope_user_id`. Built once per role: for the hottest queries (a payment), where building
    the statement anew costs more Python than running it."""
    return _village_ids(role, bindparam("scope_user_id"))


def _village_ids(role: str, user_id):
    mine = select(user_areas.c.area_id).where(user_areas.c.user_id == user_id)
    if role == roles.COORDINATOR:
        return select(Area.id).where(Area.id.in_(mine), Area.level == "village")
    if role == roles.TOWNSHIP_ADMIN:
        return select(Area.id).where(Area.parent_id.in_(mine), Area.level == "village")
    if role in (roles.DISTRICT_ADMIN, roles.CITY_ADMIN):
        township = aliased(Area)
        return (select(Area.id).join(township, Area.parent_id == township.id)
                .where(township.parent_id.in_(mine), Area.level == "village"))
    return select(Area.id).where(False)


def visible_area_ids(user: User):
    """Villages plus the townships and districts above them that the user administers."""
    mine = select(user_areas.c.area_id).where(user_areas.c.user_id == user.id)
    if user.role == roles.COORDINATOR:
        return visible_village_ids(user)
    if user.role == roles.TOWNSHIP_ADMIN:
        return select(Area.id).where((Area.id.in_(mine)) | (Area.parent_id.in_(mine)))
    township = aliased(Area)
    return (select(Area.id).outerjoin(township, Area.parent_id == township.id)
            .where(Area.id.in_(mine) | Area.parent_id.in_(mine) | township.parent_id.in_(mine)))


def villages_of(actor: Actor) -> list[Area]:
    return db.session.scalars(
        select(Area).where(Area.id.in_(visible_village_ids(actor.user))).order_by(Area.code)).all()


def get_village(actor: Actor, code_or_id) -> Area:
    """A village the actor may see, or NotFound (never a hint that it exists elsewhere)."""
    q = select(Area).where(Area.level == "village", Area.id.in_(visible_village_ids(actor.user)))
    if isinstance(code_or_id, int):
        q = q.where(Area.id == code_or_id)
    else:
        q = q.where(Area.code == str(code_or_id))
    area = db.session.scalar(q)
    if area is None:
        raise NotFound()
    return area


def get_area(actor: Actor, code: str) -> Area:
    area = db.session.scalar(select(Area).where(Area.code == code,
                                                Area.id.in_(visible_area_ids(actor.user))))
    if area is None:
        raise NotFound()
    return area

