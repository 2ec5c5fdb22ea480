"""District, townships and villages: the district admin keeps the tree and its codes."""
import re

from sqlalchemy import select

from ..extensions import db
from ..models import Area
from ..rules import roles
from ..rules.categories import POINT_KINDS, TOWNSHIP_KINDS, VILLAGE_KINDS
from ..rules.contact import InvalidPhone, normalize_phone
from .actor import Actor
from .audit import diff, record_event, snapshot
from .errors import Forbidden, NotFound, ValidationFailed
from .scope import visible_area_ids
from .tx import unit_of_work

CODE_LENGTH = {"district": 6, "township": 9, "village": 12}
CHILD_LEVEL = {"district": "township", "township": "village"}
EDITABLE = ["name", "full_name", "point_kind", "office_phone"]


def default_full_name(parent: Area | None, name: str, kind: str, point_kind: str | None = None) -> str:
    """单位（全称）of a collection unit from what it is (its 代征点类型), without doubled words:
    湛河区曹镇乡大营村村民委员会 (the official form keeps 村村), 湛河区曹镇乡大营村卫生室,
    湛河区马庄街道马庄社区卫生服务站 (not …社区社区…)."""
    chain = []
    p = parent
    while p is not None:
        chain.insert(0, p.name)
        p = p.parent
    suffix = POINT_KINDS.get(point_kind or "") or {"village": "村民委员会", "community": "社区卫生服务站"}.get(kind, "")
    if not suffix or name.endswith(suffix):
        return "".join(chain) + name
    if suffix != "村民委员会":
        # 马庄社区 + 社区卫生服务站, 大营村 + 村卫生室: the name's end is the suffix's start.
        for n in range(min(len(name), len(suffix)), 0, -1):
            if name.endswith(suffix[:n]):
                return "".join(chain) + name + suffix[n:]
    return "".join(chain) + name + suffix


def create_area(actor: Actor, *, parent_code: str | None, code: str, name: str, kind: str | None = None,
                point_kind: str | None = None, full_name: str = "", office_phone: str = "") -> Area:
    """actor.user None is the command line (demo data, first set-up)."""
    if actor.user is not None and not actor.is_role(roles.DISTRICT_ADMIN):
        raise Forbidden("只有区管理员可以维护区域")
    with unit_of_work():
        errors = {}
        parent = None
        if parent_code:
            parent = db.session.scalar(select(Area).where(Area.code == parent_code))
            if parent is None or parent.level == "village" or (
                    actor.user is not None and parent.id not in set(db.session.scalars(visible_area_ids(actor.user)))):
                raise ValidationFailed({"parent": "上级区域不存在或不在您的管辖范围内"})
        level = CHILD_LEVEL[parent.level] if parent else "district"
        code = (code or "").strip()
        if not re.fullmatch(rf"\d{{{CODE_LENGTH[level]}}}", code):
            errors["code"] = f"区划代码应为 {CODE_LENGTH[level]} 位数字"
        elif parent and not code.startswith(parent.code):
            errors["code"] = f"区划代码应以上级代码 {parent.code} 开头"
        elif db.session.scalar(select(Area.id).where(Area.code == code)):
            errors["code"] = "该区划代码已存在"
        name = (name or "").strip()
        if not name:
            errors["name"] = "请填写名称"
        kinds = {"township": TOWNSHIP_KINDS, "village": VILLAGE_KINDS}.get(level)
        if kinds is not None and kind not in kinds:
            errors["kind"] = "类型与级别不符"
        if level == "village":
            if point_kind not in POINT_KINDS:
                errors["point_kind"] = "请选择代征点类型"
        else:
            point_kind = None
        try:
            office_phone = normalize_phone(office_phone)
        except InvalidPhone as e:
            errors["office_phone"] = str(e)
        if errors:
            raise ValidationFailed(errors)
        area = Area(code=code, name=name, level=level, kind=kind if kinds else None, point_kind=point_kind,
                    parent=parent, office_phone=office_phone,
                    full_name=(full_name or "").strip() or default_full_name(parent, name, kind or "", point_kind))
        db.session.add(area)
        db.session.flush()
        record_event(actor, "area.create", area, summary=f"{code} {name}",
                     after=snapshot(area, EDITABLE + ["code", "level"]))
    return area


def update_area(actor: Actor, code: str, *, name: str, full_name: str, point_kind: str | None,
                office_phone: str) -> Area:
    if not actor.is_role(roles.DISTRICT_ADMIN):
        raise Forbidden("只有区管理员可以维护区域")
    with unit_of_work():
        area = db.session.scalar(select(Area).where(Area.code == code, Area.id.in_(visible_area_ids(actor.user))))
        if area is None:
            raise NotFound()
        errors = {}
        if not (name or "").strip():
            errors["name"] = "请填写名称"
        if not (full_name or "").strip():
            errors["full_name"] = "请填写单位全称"
        if area.level == "village" and point_kind not in POINT_KINDS:
            errors["point_kind"] = "请选择代征点类型"
        try:
            office_phone = normalize_phone(office_phone)
        except InvalidPhone as e:
            errors["office_phone"] = str(e)
        if errors:
            raise ValidationFailed(errors)
        before = snapshot(area, EDITABLE)
        area.name, area.full_name, area.office_phone = name.strip(), full_name.strip(), office_phone
        if area.level == "village":
            area.point_kind = point_kind
        b, a = diff(before, snapshot(area, EDITABLE))
        if a:
            record_event(actor, "area.update", area, summary=f"{area.code} {area.name}", before=b, after=a)
    return area


def area_tree(actor: Actor) -> list[Area]:
    """The areas the actor may see, parents before children, in code order."""
    return db.session.scalars(select(Area).where(Area.id.in_(visible_area_ids(actor.user))).order_by(Area.code)).all()


def change_code(actor: Actor, code: str, new_code: str, reason: str) -> Area:
    """Correct a 区划代码 typed wrong at creation (district admin only, with a reason). Codes below
    it start with it, so they follow. Rows that copied the code when they were made (receipt and
    hand-over numbers, published rosters) keep it: they are records of what was issued then."""
    if not actor.is_role(roles.DISTRICT_ADMIN):
        raise Forbidden("只有区管理员可以更正区划代码")
    new_code, reason = (new_code or "").strip(), (reason or "").strip()
    with unit_of_work():
        area = db.session.scalar(select(Area).where(Area.code == code, Area.id.in_(visible_area_ids(actor.user))))
        if area is None:
            raise NotFound()
        errors = {}
        if not re.fullmatch(rf"\d{{{CODE_LENGTH[area.level]}}}", new_code):
            errors["code"] = f"区划代码应为 {CODE_LENGTH[area.level]} 位数字"
        elif area.parent and not new_code.startswith(area.parent.code):
            errors["code"] = f"区划代码应以上级代码 {area.parent.code} 开头"
        elif new_code == area.code:
            errors["code"] = "新代码与原代码相同"
        elif db.session.scalar(select(Area.id).where(Area.code == new_code)):
            errors["code"] = "该区划代码已存在"
        if len(reason) < 2:
            errors["reason"] = "请填写更正原因"
        if errors:
            raise ValidationFailed(errors)
        old = area.code
        below = db.session.scalars(select(Area).where(Area.code.like(f"{old}%"), Area.id != area.id)).all()
        clash = db.session.scalar(select(Area.code).where(
            Area.code.in_([new_code + a.code[len(old):] for a in below])))
        if clash:
            raise ValidationFailed({"code": f"下级代码 {clash} 已存在，不能更正为 {new_code}"})
        area.code = new_code
        for a in below:
            a.code = new_code + a.code[len(old):]
        db.session.flush()
        record_event(actor, "area.code", area, summary=f"区划代码 {old} → {new_code}（{area.name}）：{reason[:80]}",
                     before={"code": old}, after={"code": new_code, "reason": reason,
                                                  "children": {a.name: a.code for a in below}})
    return area
