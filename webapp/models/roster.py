"""Published rosters (公示): immutable snapshots with versions.

A roster version is written once, when the district admin publishes it, and never changed: its
rows are copied here as plain data (name, masked ID, amounts, date paid), so the public page and
the printed copy never read the live people or payment tables, and a later payment or void cannot
change what is posted on the notice board. Publishing again makes version N+1; older versions stay
readable (the QR code on an old printout still opens the copy it was printed from).
"""
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import now_utc
from .core import Area, Campaign, User

__all__ = ["RosterVersion", "RosterRow"]


class RosterVersion(db.Model):
    __tablename__ = "roster_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)          # 1, 2, ... per campaign and village
    published_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # What the printed header says, copied at publication (a later rename of the village or the
    # campaign does not rewrite a posted roster).
    title: Mapped[str] = mapped_column(String(128))
    campaign_name: Mapped[str] = mapped_column(String(128))
    coverage_year: Mapped[int] = mapped_column(Integer)
    unit_name: Mapped[str] = mapped_column(String(128))    # 代征单位 (village full name)
    village_code: Mapped[str] = mapped_column(String(12))
    posting_start: Mapped[date] = mapped_column(Date)       # 公示期
    posting_end: Mapped[date] = mapped_column(Date)
    office_phone: Mapped[str] = mapped_column(String(32))   # for objections (异议)
    row_count: Mapped[int] = mapped_column(Integer)
    pension_total_fen: Mapped[int] = mapped_column(Integer)
    medical_total_fen: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(Integer)
    # sha256 of the rows alone: tells whether the live data still matches this version.
    rows_hash: Mapped[str] = mapped_column(String(64))

    campaign: Mapped[Campaign] = relationship()
    village: Mapped[Area] = relationship()
    published_by: Mapped[User | None] = relationship()
    rows: Mapped[list["RosterRow"]] = relationship(back_populates="roster", order_by="RosterRow.seq",
                                                   cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("campaign_id", "village_id", "version"),)


class RosterRow(db.Model):
    """One payer on a published roster: only what the notice board may show (no phone, no address,
    no reason for a government-paid part)."""
    __tablename__ = "roster_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("roster_versions.id"))
    seq: Mapped[int] = mapped_column(Integer)              # 序号
    name: Mapped[str] = mapped_column(String(32))
    id_masked: Mapped[str] = mapped_column(String(18))
    pension_fen: Mapped[int | None] = mapped_column(Integer)
    medical_fen: Mapped[int | None] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[date] = mapped_column(Date)            # China-local date of the last payment

    roster: Mapped[RosterVersion] = relationship(back_populates="rows")

    __table_args__ = (UniqueConstraint("roster_id", "seq"),)
