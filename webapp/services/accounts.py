"""Accounts: log in, create, reset, change passwords. Admins manage the accounts below them."""
import re
import secrets

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Area, User, user_areas
from ..rules import roles
from ..rules.contact import InvalidPhone, normalize_phone
from ..timeutil import now_utc
from . import sessions
from .actor import Actor
from .audit import diff, record_event, snapshot
from .errors import Forbidden, NotFound, ValidationFailed
from .scope import visible_area_ids, visible_village_ids
from .tx import unit_of_work

COMMON_PASSWORDS = {"12345678", "123456789", "1234567890", "password", "password1", "qwerty123",
                    "11111111", "88888888", "abc12345", "a1234567", "admin123", "woaini1314"}

# The level of area each role is bound to.
ROLE_LEVEL = roles.AREA_LEVEL


def password_problem(password: str, username: str = "") -> str | None:
    """The password policy, in one sentence the user can act on; None when acceptable."""
    if len(password) < 8:
        return "密码至少 8 位"
    if len(password) > 128:
        return "密码太长"
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        return "密码须同时包含字母和数字"
    if password.lower() in COMMON_PASSWORDS or (username and username.lower() in password.lower()):
        return "密码太容易猜到，请换一个"
    return None


def temporary_password() -> str:
    # Readable on a phone screen: no 0/O, 1/l/I.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(10))
        if password_problem(pw) is None:
            return pw


# Checked against when the username does not exist, so that answering takes as long either way
# and the timing does not tell which usernames exist.
_DUMMY_HASH = generate_password_hash("not-a-password-of-anyone")


def authenticate(username: str, password: str, ip: str = "") -> User | None:
    """The user whose password matches, or None. Failures are audited."""
    with unit_of_work():
        user = db.session.scalar(select(User).where(func.lower(User.username) == (username or "").strip().lower()))
        if user is None:
            check_password_hash(_DUMMY_HASH, password or "")
        if user is None or not user.active or not user.check_password(password or ""):
            record_event(Actor(user=None, ip=ip), "login_failed", object_type="user",
                         object_id=user.id if user else "", summary=f"用户名 {username[:32]}")
            return None
        user.last_login_at = now_utc()
        record_event(Actor(user=user, ip=ip), "login", user, summary=user.username)
    return user


def change_password(actor: Actor, current: str, new: str, confirm: str) -> None:
    with unit_of_work():
        user = actor.user
        errors = {}
        if not user.check_password(current or ""):
            errors["current"] = "当前密码不对"
        problem = password_problem(new or "", user.username)
        if problem:
            errors["new"] = problem
        elif new != confirm:
            errors["confirm"] = "两次输入的新密码不一致"
        elif user.check_password(new):
            errors["new"] = "新密码不能与当前密码相同"
        if errors:
            raise ValidationFailed(errors)
        user.set_password(new)
        user.must_change_password = False
        user.session_version += 1
        # Every session of this account ends, the current one too: the view re-issues it.
        sessions.end_user_sessions(user.id, sessions.PASSWORD_CHANGE)
        record_event(actor, "password.change", user, summary=user.username)


BEYOND_TOWNSHIP = "该账号负责的村/社区分属不同乡镇（街道），只能由区县管理员管理"


def manageable_users(actor: Actor):
    """Accounts this admin sees in the list: for a district admin, the accounts of its district
    but the city admins (one reads every district of the city: no district may take it over; and
    in an installation of several districts, another district's staff are none of its business);
    for a township admin, the coordinators of its villages. Which of them it may change is
    `may_manage`."""
    if actor.is_role(roles.DISTRICT_ADMIN):
        ids = select(user_areas.c.user_id).where(user_areas.c.area_id.in_(visible_area_ids(actor.user)))
        return (select(User).where(User.role != roles.CITY_ADMIN, User.id.in_(ids))
                .order_by(User.role, User.username))
    if actor.is_role(roles.TOWNSHIP_ADMIN):
        ids = select(user_areas.c.user_id).where(user_areas.c.area_id.in_(visible_village_ids(actor.user)))
        return select(User).where(User.role == roles.COORDINATOR, User.id.in_(ids)).order_by(User.username)
    raise Forbidden()


def _township_admin_may_hold(actor: Actor, villages) -> bool:
    """Villages a township admin may put in one account: all of one township that it runs."""
    townships = {a.parent_id for a in villages}
    return len(townships) <= 1 and townships <= {a.id for a in actor.user.areas}


def _touches_own_district(actor: Actor, areas_of_user) -> bool:
    """An area of the account lies in the district admin's own district(s): an account wholly in
    another district is that district's (one spanning both is managed from either, keeping the
    villages the editor cannot see: test_account_reach)."""
    mine = tuple(a.code for a in actor.user.areas)
    return any(a.code.startswith(mine) for a in areas_of_user)


def may_manage(actor: Actor, user: User) -> bool:
    """The one rule for who may reset, edit or deactivate an account: the district admin any
    account of its district; a township admin a coordinator whose villages all lie in one township it runs. An
    account reaching beyond one township is the district's: otherwise either township admin could
    take it over (reset its password) and read the other township's villages."""
    if actor.is_role(roles.DISTRICT_ADMIN):
        return _touches_own_district(actor, user.areas)
    return (actor.is_role(roles.TOWNSHIP_ADMIN) and user.role == roles.COORDINATOR
            and _township_admin_may_hold(actor, user.areas))


def get_manageable_user(actor: Actor, user_id: int) -> User:
    """An account the admin may manage; NotFound if it is not in its list, Forbidden (with the
    reason) if it is listed but beyond what this admin may change."""
    user = db.session.scalar(manageable_users(actor).where(User.id == user_id))
    if user is None:
        raise NotFound()
    if not may_manage(actor, user):
        raise Forbidden(BEYOND_TOWNSHIP)
    return user


def _areas_for(actor: Actor, role: str, codes: list[str]) -> list[Area]:
    level = ROLE_LEVEL[role]
    codes = [c.strip() for c in codes if c and c.strip()]
    if not codes:
        raise ValidationFailed({"areas": "请选择负责的区域"})
    areas = db.session.scalars(select(Area).where(
        Area.code.in_(codes), Area.level == level, Area.id.in_(visible_area_ids(actor.user)))).all()
    if len(areas) != len(set(codes)):
        raise ValidationFailed({"areas": "所选区域不存在、级别不对或不在您的管辖范围内"})
    if actor.is_role(roles.TOWNSHIP_ADMIN) and not _township_admin_may_hold(actor, areas):
        raise ValidationFailed({"areas": "一个协管员账号只能负责同一乡镇（街道）的村/社区；跨乡镇请由区县管理员设置"})
    return list(areas)


def _check_user_fields(username, name, role, phone, actor) -> tuple[dict, str]:
    errors = {}
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{3,32}", username or ""):
        errors["username"] = "用户名为 3–32 位字母、数字或 _ . -"
    elif db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        errors["username"] = "该用户名已被使用"
    if not (name or "").strip():
        errors["name"] = "请填写姓名"
    if role not in roles.LABELS:
        errors["role"] = "请选择角色"
    elif actor.is_role(roles.TOWNSHIP_ADMIN) and role != roles.COORDINATOR:
        errors["role"] = "乡/街道管理员只能新建协管员账号"
    elif actor.user is not None and role == roles.CITY_ADMIN:
        errors["role"] = "市管理员账号由系统管理员用命令行（flask create-user）新建"
    try:
        phone = normalize_phone(phone)
    except InvalidPhone as e:
        errors["phone"] = str(e)
    return errors, phone


def _city_districts(city_codes: list[str]) -> list[Area]:
    """A city admin's areas: every district whose code starts with the city's 4 digits (one city)."""
    codes = {c.strip() for c in city_codes}
    if len(codes) != 1 or not re.fullmatch(rf"\d{{{roles.CITY_CODE_LENGTH}}}", next(iter(codes))):
        raise ValidationFailed({"areas": "市管理员请填写一个市的 4 位代码（如 4104）"})
    areas = list(db.session.scalars(select(Area).where(
        Area.level == "district", Area.code.startswith(next(iter(codes)))).order_by(Area.code)))
    if not areas:
        raise ValidationFailed({"areas": "这个市还没有区县"})
    return areas


def create_user(actor: Actor, *, username: str, name: str, role: str, area_codes: list[str],
                title: str = "", phone: str = "", password: str | None = None,
                is_demo: bool = False) -> tuple[User, str]:
    """New account; returns it and its password (temporary unless given, and then must be changed).
    actor.user None is the command line (set-up and demo data), which may create any account."""
    if actor.user is not None and not actor.is_role(*roles.ADMINS):
        raise Forbidden()
    username = (username or "").strip()
    pw = password or temporary_password()
    with unit_of_work():
        errors, phone = _check_user_fields(username, name, role, phone, actor)
        if password is not None and (problem := password_problem(password, username)):
            errors["password"] = problem
        if errors:
            raise ValidationFailed(errors)
        if actor.user is not None:
            areas = _areas_for(actor, role, area_codes)
        elif role == roles.CITY_ADMIN:
            areas = _city_districts(area_codes)
        else:
            areas = list(db.session.scalars(select(Area).where(Area.code.in_(area_codes),
                                                               Area.level == ROLE_LEVEL[role])))
            if len(areas) != len(set(area_codes)) or not areas:
                raise ValidationFailed({"areas": "区域代码不存在或级别不对"})
        user = User(username=username, name=name.strip(), role=role, title=(title or "").strip(),
                    phone=phone, must_change_password=not is_demo, is_demo=is_demo, areas=areas)
        user.set_password(pw)
        db.session.add(user)
        db.session.flush()
        record_event(actor, "user.create", user, summary=f"{username} {roles.LABELS[role]}",
                     after={"username": username, "name": user.name, "role": role,
                            "areas": [a.code for a in areas]})
    return user, pw


def reset_password(actor: Actor, user_id: int) -> str:
    """A new temporary password the user must change at next login; old sessions end."""
    pw = temporary_password()
    with unit_of_work():
        user = get_manageable_user(actor, user_id)
        if user.id == actor.user_id:
            raise Forbidden("不能重置自己的密码，请在“我的”中修改")
        user.set_password(pw)
        user.must_change_password = True
        user.session_version += 1
        sessions.end_user_sessions(user.id, sessions.PASSWORD_RESET)
        record_event(actor, "user.reset_password", user, summary=user.username)
    return pw


def update_user(actor: Actor, user_id: int, *, name: str, title: str, phone: str, active: bool,
                area_codes: list[str]) -> User:
    with unit_of_work():
        user = get_manageable_user(actor, user_id)
        errors = {}
        if not (name or "").strip():
            errors["name"] = "请填写姓名"
        try:
            phone = normalize_phone(phone)
        except InvalidPhone as e:
            errors["phone"] = str(e)
        if user.id == actor.user_id and not active:
            errors["active"] = "不能停用自己的账号"
        if errors:
            raise ValidationFailed(errors)
        # The form lists only the areas the editor can see: those it cannot see are not its to
        # drop, and stay (saving a form unchanged changes nothing).
        visible = set(db.session.scalars(select(Area.id).where(Area.id.in_(visible_area_ids(actor.user)))))
        unseen = [a for a in user.areas if a.id not in visible]
        areas = _areas_for(actor, user.role, area_codes) if area_codes or not unseen else []
        areas = areas + [a for a in unseen if a not in areas]
        fields = ["name", "title", "phone", "active"]
        before = snapshot(user, fields) | {"areas": [a.code for a in user.areas]}
        user.name, user.title, user.phone, user.active = name.strip(), (title or "").strip(), phone, bool(active)
        user.areas = areas
        if not active:
            user.session_version += 1
            sessions.end_user_sessions(user.id, sessions.DEACTIVATED)
        b, a = diff(before, snapshot(user, fields) | {"areas": [a.code for a in areas]})
        record_event(actor, "user.update", user, summary=user.username, before=b, after=a)
    return user
