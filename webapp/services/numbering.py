"""The next sequence number of a paper series (rules/numbers.py formats it).

Hand-overs and bureau batches are never deleted (a correction is a new row), so the next number of
a series is the count of its rows + 1, read inside the caller's write transaction
(services.tx.unit_of_work: SQLite's BEGIN IMMEDIATE, and the unique index on `number` turns a
race on PostgreSQL into a Conflict). Receipts take theirs from receipt_counters instead
(services/payments.py): the hot path, one UPDATE … RETURNING rather than a COUNT."""
from sqlalchemy import func, select

from ..extensions import db
from ..models import Area
from ..rules import numbers


def next_in_series(model, **same) -> int:
    """1 + how many rows of `model` share these column values (campaign_id=…, village_id=…)."""
    where = [getattr(model, column) == value for column, value in same.items()]
    return db.session.scalar(select(func.count(model.id)).where(*where)) + 1


def needs_whole_code(series: numbers.Series, model, year: int, village_id: int, village_code: str) -> bool:
    """Whether this village's numbers of `series` must carry its whole 12-digit code
    (rules/numbers.py): when another village in the installation ends in the same six digits (a
    second district), or another village already printed numbers with them (a 区划代码 corrected
    since). Otherwise the short form, so a one-district installation prints what it always did.
    Asked in the read phase of the caller; the unique index on `number` still has the last word."""
    tail = numbers.short_code(village_code)
    twin = select(Area.id).where(Area.level == "village", Area.id != village_id,
                                 Area.code.endswith(tail, autoescape=True)).limit(1)
    if db.session.scalar(twin) is not None:
        return True
    start = series.start(year, village_code)
    # A range on the unique index (no LIKE, whose index use differs between SQLite and PostgreSQL).
    taken = select(model.id).where(model.number >= start, model.number < start[:-1] + ".",
                                   model.village_id != village_id).limit(1)
    return db.session.scalar(taken) is not None
