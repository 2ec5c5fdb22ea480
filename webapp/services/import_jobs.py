"""What the import pages show around a job: the user's past jobs, and village names for the codes a
job's summary counts. Read-only; the imports themselves are in services/imports.py."""
from sqlalchemy import select

from ..extensions import db
from ..models import Area, ImportJob
from .actor import Actor
from .scope import visible_area_ids


def recent_jobs(actor: Actor, kind: str | None = None, limit: int = 30) -> list[ImportJob]:
    """The actor's own import jobs, newest first (a job holds the uploader's problem list, so it is
    shown to the uploader only, as services.imports.get_job does)."""
    q = select(ImportJob).where(ImportJob.created_by_id == actor.user_id).order_by(ImportJob.id.desc()).limit(limit)
    if kind:
        q = q.where(ImportJob.kind == kind)
    return db.session.scalars(q).all()


def village_names(actor: Actor, codes) -> dict[str, str]:
    """{code: "乡 村"} for the codes the actor may see; others are left out (shown as codes)."""
    codes = [c for c in codes if c]
    if not codes:
        return {}
    rows = db.session.scalars(select(Area).where(Area.code.in_(codes), Area.id.in_(visible_area_ids(actor.user))))
    return {a.code: (f"{a.parent.name} " if a.parent else "") + a.name for a in rows}
