"""Progress counters: the dashboard's and the admin home's figures, kept up to date in the same
transaction as every change that moves them (services/counters.py), so a report reads rows per
village and day instead of counting a district's people.

Every value is summed over the rows of a day range: a report "as of the end of day D" adds the
rows with day <= D (and, for payment lines and receipts, void_day > D). `OPEN_DAY` stands for
"not voided" (a key column cannot be NULL). Counts may be negative on a row (a new enrollee's
coverage ending is a -1 on the day it ended); the sums never are.
"""
from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

__all__ = ["ProgressPeople", "ProgressLines", "ProgressReceipts", "OPEN_DAY"]

OPEN_DAY = date(9999, 12, 31)


class ProgressPeople(db.Model):
    """Per campaign, village and China-local day: the people registered that day who are expected
    to pay each insurance (today's rules of the campaign, today's facts of the person), and the
    change that day in the number of new enrollees (新参保) holding a live payment."""
    __tablename__ = "progress_people"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    expected_pension: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    expected_medical: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    new_enrollees: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ProgressLines(db.Model):
    """Payment lines per campaign, village of the person, insurance, day paid, day voided
    (OPEN_DAY: live) and whether the person is expected to pay it (`covered`, 0/1)."""
    __tablename__ = "progress_lines"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    paid_day: Mapped[date] = mapped_column(Date, primary_key=True)
    void_day: Mapped[date] = mapped_column(Date, primary_key=True)
    covered: Mapped[int] = mapped_column(Integer, primary_key=True)
    lines: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    gov_fen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ProgressReceipts(db.Model):
    """Receipts per campaign, village of the receipt, day issued and day voided (OPEN_DAY: live),
    with their whole amounts (government-paid parts included)."""
    __tablename__ = "progress_receipts"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    paid_day: Mapped[date] = mapped_column(Date, primary_key=True)
    void_day: Mapped[date] = mapped_column(Date, primary_key=True)
    receipts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
