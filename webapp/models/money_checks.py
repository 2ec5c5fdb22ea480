"""Where our figures meet the outside world's, and what a person decided when they disagree.
Append-only like the rest of the money tables:

- `Voucher`: a 汇总缴款书 as the tax office issued it, number and amount. Batches point at it by
  number (`BureauBatch.voucher_no`); one voucher may book several batches.
- `VoucherExplanation`: why a voucher's amount differs from the money it booked. A difference is
  listed in reconciliation until it has one.
- `LateResultDecision`: a bureau result recorded after its batch was booked is not booked by
  itself; a district admin decides whether that voucher covers it.
- `HandoverMakeup`: money that was short at a hand-over's confirmation and was made up later.
"""
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import now_utc
from .core import User

__all__ = ["Voucher", "VoucherExplanation", "LateResultDecision", "HandoverMakeup"]


class Voucher(db.Model):
    __tablename__ = "vouchers"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    booked_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    recorded_by: Mapped[User] = relationship()
    explanations: Mapped[list["VoucherExplanation"]] = relationship(order_by="VoucherExplanation.id")

    __table_args__ = (CheckConstraint("amount_fen >= 0", name="amount_nonnegative"),)


class VoucherExplanation(db.Model):
    __tablename__ = "voucher_explanations"
    id: Mapped[int] = mapped_column(primary_key=True)
    voucher_id: Mapped[int] = mapped_column(ForeignKey("vouchers.id"), index=True)
    note: Mapped[str] = mapped_column(String(200))
    difference_fen: Mapped[int] = mapped_column(Integer)    # the difference it explained, as it was then
    explained_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    explained_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    explained_by: Mapped[User] = relationship()


class LateResultDecision(db.Model):
    __tablename__ = "late_result_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("bureau_results.id"), unique=True)
    book: Mapped[bool] = mapped_column(Boolean)     # True: the batch's voucher covers it
    note: Mapped[str] = mapped_column(String(200), default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    decided_by: Mapped[User] = relationship()


class HandoverMakeup(db.Model):
    __tablename__ = "handover_makeups"
    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200), default="")
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    received_by: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)
