"""The next sequence number of a paper series (rules/numbers.py formats it).

Hand-overs and bureau batches are never deleted (a correction is a new row), so the next number of
a series is the count of its rows + 1, read inside the caller's write transaction
(services.tx.unit_of_work: SQLite's BEGIN IMMEDIATE, and the unique index on `number` turns a
race on PostgreSQL into a Conflict). Receipts take theirs from receipt_counters instead
(services/payments.py): the hot path, one UPDATE … RETURNING rather than a COUNT."""
from sqlalchemy import func, select

from ..extensions import db


def next_in_series(model, **same) -> int:
    """1 + how many rows of `model` share these column values (campaign_id=…, village_id=…)."""
    where = [getattr(model, column) == value for column, value in same.items()]
    return db.session.scalar(select(func.count(model.id)).where(*where)) + 1
