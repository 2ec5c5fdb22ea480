"""Audit events: who did what, when, from where, before and after.

`record_event` adds the event to the caller's transaction, so an audited change and its audit
row are committed together or not at all.
"""
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select

from ..extensions import db
from ..models import AuditEvent, User
from ..rules import roles
from ..timeutil import local_day_start_utc, now_utc
from .actor import Actor
from .errors import Forbidden

ACTION_LABELS = {
    "login": "登录", "login_failed": "登录失败", "logout": "退出",
    "password.change": "修改密码", "user.create": "新建账号", "user.update": "修改账号",
    "user.reset_password": "重置密码",
    "area.create": "新建区域", "area.update": "修改区域",
    "campaign.create": "新建征缴期", "campaign.update": "修改征缴参数",
    "person.register": "登记参保人", "person.update": "修改参保人", "person.rename": "改名",
    "payment.record": "收费", "receipt.void": "作废收据",
    "id_number.view": "查看完整身份证号",
    "roster.publish": "发布公示名单",
}


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return value


def record_event(actor: Actor, action: str, obj=None, summary: str = "", before=None, after=None,
                 object_type: str | None = None, object_id=None) -> None:
    # A plain INSERT in the caller's transaction: no ORM object to track and flush, which matters
    # on the payment path, where it runs while the write lock is held.
    db.session.execute(_INSERT, dict(
        at=now_utc(), user_id=actor.user_id, ip=(actor.ip or "")[:64], action=action,
        object_type=object_type or (type(obj).__name__.lower() if obj is not None else ""),
        object_id=str(object_id if object_id is not None else getattr(obj, "id", "") or ""),
        summary=summary[:255], before=_plain(before), after=_plain(after)))


_INSERT = insert(AuditEvent.__table__)  # built once: it runs inside every audited write


def snapshot(obj, fields) -> dict:
    return {f: _plain(getattr(obj, f)) for f in fields}


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Keep only what changed, so the audit log reads as a list of changes."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def search_events(actor: Actor, *, user: str = "", action: str = "", object_type: str = "",
                  object_id: str = "", day_from: date | None = None, day_to: date | None = None,
                  page: int = 1, per_page: int = 50):
    """District admins browse the audit log."""
    if not actor.is_role(roles.DISTRICT_ADMIN):
        raise Forbidden()
    q = select(AuditEvent).order_by(AuditEvent.id.desc())
    if user:
        q = q.join(User, AuditEvent.user_id == User.id).where(User.username == user)
    if action:
        q = q.where(AuditEvent.action == action)
    if object_type:
        q = q.where(AuditEvent.object_type == object_type)
    if object_id:
        q = q.where(AuditEvent.object_id == object_id)
    if day_from:
        q = q.where(AuditEvent.at >= local_day_start_utc(day_from))
    if day_to:
        q = q.where(AuditEvent.at < local_day_start_utc(day_to + timedelta(days=1)))
    return db.paginate(q, page=page, per_page=per_page, error_out=False)
