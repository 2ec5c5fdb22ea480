"""A campaign's price versions (issue 12, part 5): once money is taken, its amounts, tiers and
government shares change only as a new version the district admin confirms with a reason.

A row per version, written when the first change after the first receipt is confirmed (version 1,
the amounts collected until then, and the new one); each holds what its amounts were. Receipts
record the version they were priced by (Receipt.price_version); nothing here is edited afterwards.
"""
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import now_utc
from .core import User

__all__ = ["PriceVersion"]


class PriceVersion(db.Model):
    __tablename__ = "campaign_price_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    # The amounts of this version, as the campaign's audit event describes them (fen).
    settings: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    created_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("campaign_id", "version", name="uq_price_version"),)
