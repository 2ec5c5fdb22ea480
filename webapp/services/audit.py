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
    "campaign.create": "新建征缴期", "campaign.update": "修改征缴参数", "campaign.close": "结束征缴期",
    "person.register": "登记参保人", "person.update": "修改参保人", "person.rename": "改名",
    "payment.record": "收费", "receipt.void": "作废收据",
    "id_number.view": "查看完整身份证号",
    "roster.publish": "发布公示名单", "area.code": "更正区划代码", "audit.export": "导出审计日志",
    "district.roster_names": "设置公示姓名显示",
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


# What the log calls an object (AuditEvent.object_type, the model's class name in lower case),
# in the words of the people who read it.
OBJECT_LABELS = {
    "receipt": "收据", "payment": "缴费", "person": "参保人", "household": "户", "user": "账号", "area": "区域",
    "campaign": "征缴期", "handover": "上解批次", "bureaubatch": "报送批次", "rosterversion": "公示名单",
    "importjob": "导入", "voucher": "汇总缴款书", "receiptcorrection": "冲红", "namechange": "改名",
    "usersession": "登录会话",
}

EXPORT_LIMIT = 100_000


def _scoped(actor: Actor):
    """District admins read the whole log; a township admin the events of the people of her
    township: its admins and the coordinators of its villages."""
    if actor.is_role(roles.DISTRICT_ADMIN):
        return select(AuditEvent)
    if actor.is_role(roles.TOWNSHIP_ADMIN):
        from ..models import Area, user_areas
        mine = select(user_areas.c.area_id).where(user_areas.c.user_id == actor.user_id)
        areas = select(Area.id).where(Area.id.in_(mine) | Area.parent_id.in_(mine))
        people = select(user_areas.c.user_id).where(user_areas.c.area_id.in_(areas))
        return select(AuditEvent).where(AuditEvent.user_id.in_(people))
    raise Forbidden()


def _query(actor: Actor, *, user: str = "", action: str = "", object_type: str = "", object_id: str = "",
           day_from: date | None = None, day_to: date | None = None, period: tuple | None = None):
    """`period`: (first day, last day or None) of the chosen campaign (campaigns.period_of)."""
    q = _scoped(actor).order_by(AuditEvent.id.desc())
    if period:
        q = q.where(AuditEvent.at >= local_day_start_utc(period[0]))
        if period[1]:
            q = q.where(AuditEvent.at < local_day_start_utc(period[1] + timedelta(days=1)))
    if user:
        q = q.join(User, AuditEvent.user_id == User.id).where(User.username == user)
    if action:
        q = q.where(AuditEvent.action == action)
    if object_type:
        # Typed as the screen shows it (收据) or as stored (receipt).
        raw = {v: k for k, v in OBJECT_LABELS.items()}.get(object_type.strip(), object_type.strip())
        q = q.where(AuditEvent.object_type == raw)
    if object_id:
        q = q.where(AuditEvent.object_id == object_id)
    if day_from:
        q = q.where(AuditEvent.at >= local_day_start_utc(day_from))
    if day_to:
        q = q.where(AuditEvent.at < local_day_start_utc(day_to + timedelta(days=1)))
    return q


def search_events(actor: Actor, *, page: int = 1, per_page: int = 50, **filters):
    """District admins browse the whole audit log, township admins their township's."""
    return db.paginate(_query(actor, **filters), page=page, per_page=per_page, error_out=False)


EXPORT_HEADERS = ("时间", "用户", "姓名", "操作", "对象", "对象编号", "说明", "来源", "变更前", "变更后")


def export_events(actor: Actor, fmt: str, **filters) -> tuple[bytes, int]:
    """The filtered log as a file (xlsx or csv), newest first; the export is itself an event."""
    import csv
    import io
    import json

    from ..rules.spreadsheet import FORMULA_STARTS, neutralize
    from ..timeutil import to_local
    from .errors import ValidationFailed
    from .tx import unit_of_work
    if fmt not in ("xlsx", "csv"):
        raise ValidationFailed({"fmt": "格式只能是 xlsx 或 csv"})
    labels = ACTION_LABELS
    with unit_of_work():
        events = db.session.scalars(_query(actor, **filters).limit(EXPORT_LIMIT)).all()
        rows = [[to_local(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.user.username if e.user else "系统",
                 e.user.name if e.user else "", labels.get(e.action, e.action),
                 OBJECT_LABELS.get(e.object_type, e.object_type), e.object_id, e.summary, e.ip,
                 json.dumps(e.before, ensure_ascii=False) if e.before else "",
                 json.dumps(e.after, ensure_ascii=False) if e.after else ""] for e in events]
        record_event(actor, "audit.export", object_type="audit", object_id="",
                     summary=f"导出审计日志 {len(rows)} 条（{fmt}）",
                     after={"format": fmt, "rows": len(rows)} | {k: v for k, v in filters.items() if v})
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(EXPORT_HEADERS)
        w.writerows([[neutralize(v) for v in r] for r in rows])
        return ("\ufeff" + out.getvalue()).encode("utf-8"), len(rows)
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "审计日志"
    ws.append(list(EXPORT_HEADERS))
    for r in rows:
        ws.append(r)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type, cell.quotePrefix = "s", True    # the value as it is, never a formula
    for col, width in zip("ABCDEFGHIJ", (20, 14, 10, 16, 10, 10, 50, 16, 40, 40), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), len(rows)
