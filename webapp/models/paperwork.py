"""Tables of the paper trail after the door: hand-overs (上解), batches sent to the 人社局 and what
came back, bookings (汇总缴款书), and import jobs.

Money is append-only here too. A hand-over's total is fixed when it is made; its confirmation is
its own row; a bureau batch's serial number (批量征集流水号) and booking (汇总缴款书) are set once
and never changed; each result from the bureau is a row, and a resubmission after a rejection is
another row. Receipts and payments themselves are never touched: batches point at them.
"""
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import now_utc
from .core import Area, Campaign, Payment, Receipt, User

__all__ = ["Handover", "HandoverReceipt", "HandoverConfirmation", "BureauBatch", "BureauBatchPayment",
           "BureauResult", "BureauResubmission", "ImportJob"]


class Handover(db.Model):
    """上解: a coordinator hands the cash of some receipts over, with the bank deposit slip."""
    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    receipt_count: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(Integer)        # the receipts' cash, fixed when made
    bank_slip_no: Mapped[str] = mapped_column(String(64))   # 银行缴款单号
    note: Mapped[str] = mapped_column(String(200), default="")

    campaign: Mapped[Campaign] = relationship()
    village: Mapped[Area] = relationship()
    created_by: Mapped[User] = relationship()
    confirmation: Mapped["HandoverConfirmation | None"] = relationship(back_populates="handover", uselist=False)
    receipts: Mapped[list[Receipt]] = relationship(secondary="handover_receipts", order_by="Receipt.id",
                                                   viewonly=True)

    __table_args__ = (CheckConstraint("total_fen >= 0 AND receipt_count > 0", name="totals"),)


class HandoverReceipt(db.Model):
    """Which receipts a hand-over holds. A receipt is handed over at most once."""
    __tablename__ = "handover_receipts"
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"), index=True)


class HandoverConfirmation(db.Model):
    """The township (or district) confirms what it received; a difference carries a note."""
    __tablename__ = "handover_confirmations"
    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"), unique=True)
    received_fen: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200), default="")
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    handover: Mapped[Handover] = relationship(back_populates="confirmation")
    confirmed_by: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint("received_fen >= 0", name="received_nonnegative"),)

    @property
    def difference_fen(self) -> int:
        return self.received_fen - self.handover.total_fen


class BureauBatch(db.Model):
    """A 附件2/3 spreadsheet sent to the 人社局 for one collection unit and one insurance."""
    __tablename__ = "bureau_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    row_count: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(Integer)
    # 批量征集流水号 from the 人社局: set once.
    serial_no: Mapped[str | None] = mapped_column(String(64), unique=True)
    serial_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    serial_at: Mapped[datetime | None] = mapped_column(DateTime)
    # 汇总缴款书 from the tax office, and the day the money was booked (入库): set once. One
    # voucher may cover several batches, so it is not unique.
    voucher_no: Mapped[str | None] = mapped_column(String(64))
    booked_on: Mapped[date | None] = mapped_column(Date)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    booked_at: Mapped[datetime | None] = mapped_column(DateTime)

    village: Mapped[Area] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    __table_args__ = (CheckConstraint("kind IN ('pension', 'medical')", name="kind"),)


class BureauBatchPayment(db.Model):
    __tablename__ = "bureau_batch_payments"
    batch_id: Mapped[int] = mapped_column(ForeignKey("bureau_batches.id"), primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), primary_key=True, index=True)


class BureauResult(db.Model):
    """One line of the bureau's result file: this payment was accepted, or rejected and why."""
    __tablename__ = "bureau_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("bureau_batches.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    accepted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    batch: Mapped[BureauBatch] = relationship()
    payment: Mapped[Payment] = relationship()
    resubmission: Mapped["BureauResubmission | None"] = relationship(back_populates="result", uselist=False)

    __table_args__ = (UniqueConstraint("batch_id", "payment_id"),)


class BureauResubmission(db.Model):
    """The coordinator fixed what the bureau rejected: the payment may go into a new batch."""
    __tablename__ = "bureau_resubmissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("bureau_results.id"), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    result: Mapped[BureauResult] = relationship(back_populates="resubmission")


class ImportJob(db.Model):
    """An uploaded list: checked (with its problems), then imported or not. Not money."""
    __tablename__ = "import_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))          # plan / gov
    filename: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_size: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="checked")  # checked / done
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    imported_count: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list] = mapped_column(JSON, default=list)   # [[row, message], ...] (first ones)
    notes: Mapped[list] = mapped_column(JSON, default=list)      # [[message, count, [rows]], ...]
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    created_by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint("status IN ('checked', 'done')", name="status"),)
