"""冲红: correcting a receipt after its cash was handed over. Three append-only rows, never edited:

- `ReceiptCorrection`: a township admin proposes it, with a reason;
- `CorrectionDecision`: a second person (the district admin, or another township admin where the
  district allows it) approves or declines it. Approval also writes the receipt's `ReceiptVoid`
  (reason "冲红：…"), so the person is free to pay again exactly as after a void, and every sum
  that skips voided payments skips it too;
- `Refund`: who gave how much back to whom, and on which day.
"""
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import now_utc
from .core import Receipt, ReceiptVoid, User

__all__ = ["ReceiptCorrection", "CorrectionDecision", "Refund"]


class ReceiptCorrection(db.Model):
    __tablename__ = "receipt_corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), index=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    # What the payer is owed back: the cash on the receipt (the government's part was never cash).
    refund_fen: Mapped[int] = mapped_column(Integer)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    receipt: Mapped[Receipt] = relationship()
    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    decision: Mapped["CorrectionDecision | None"] = relationship(back_populates="correction", uselist=False)
    refund: Mapped["Refund | None"] = relationship(back_populates="correction", uselist=False)

    __table_args__ = (CheckConstraint("refund_fen >= 0", name="refund_nonnegative"),)

    @property
    def state(self) -> str:
        """proposed / declined / approved / refunded."""
        if self.decision is None:
            return "proposed"
        if not self.decision.approved:
            return "declined"
        return "refunded" if self.refund is not None else "approved"


class CorrectionDecision(db.Model):
    __tablename__ = "correction_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    correction_id: Mapped[int] = mapped_column(ForeignKey("receipt_corrections.id"), unique=True)
    approved: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")
    void_id: Mapped[int | None] = mapped_column(ForeignKey("receipt_voids.id"), unique=True)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    correction: Mapped[ReceiptCorrection] = relationship(back_populates="decision")
    void: Mapped[ReceiptVoid | None] = relationship()
    decided_by: Mapped[User] = relationship()


class Refund(db.Model):
    __tablename__ = "refunds"
    id: Mapped[int] = mapped_column(primary_key=True)
    correction_id: Mapped[int] = mapped_column(ForeignKey("receipt_corrections.id"), unique=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    paid_to: Mapped[str] = mapped_column(String(32))          # who received the money back
    given_by: Mapped[str] = mapped_column(String(32))         # who handed it back
    given_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    correction: Mapped[ReceiptCorrection] = relationship(back_populates="refund")
    recorded_by: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint("amount_fen > 0", name="amount_positive"),)
