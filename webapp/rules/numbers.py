"""The numbers printed on paper, defined once: receipts, hand-overs (上解) and bureau batches (报送).

Every number has the same shape, so a clerk reads any of them the same way:

    {prefix}{campaign year}-{last 6 digits of the village code}-{mark}{sequence, zero-padded}

    receipt   2018-200001-00042     (per campaign and village)
    hand-over SJ2018-200001-001     (per campaign and village)
    batch     RS2018-200001-P01     (per campaign, village and insurance: P pension, M medical)

The sequence itself comes from the service that issues the number (it needs the database);
this module only turns (series, year, village, sequence) into the text, and back.
"""
import re
from dataclasses import dataclass

from .categories import MEDICAL, PENSION


@dataclass(frozen=True)
class Series:
    name: str
    prefix: str
    width: int                 # digits the sequence is padded to (a longer one prints in full)
    marks: tuple = ("",)       # the letter before the sequence, one per sub-series

    def format(self, year: int, village_code: str, seq: int, mark: str = "") -> str:
        if mark not in self.marks:
            raise ValueError(f"{self.name}: no sub-series {mark!r}")
        if seq < 1:
            raise ValueError(f"{self.name}: sequences start at 1, not {seq}")
        return f"{self.prefix}{year}-{village_code[-6:]}-{mark}{seq:0{self.width}d}"

    @property
    def pattern(self) -> re.Pattern:
        marks = "|".join(re.escape(m) for m in self.marks)
        return re.compile(rf"{re.escape(self.prefix)}(\d{{4}})-(\d{{6}})-({marks})(\d{{{self.width},}})")

    def parse(self, number: str) -> tuple[int, str, str, int] | None:
        """(year, village code tail, mark, sequence), or None when it is not of this series."""
        m = self.pattern.fullmatch(number or "")
        return (int(m[1]), m[2], m[3], int(m[4])) if m else None


RECEIPT = Series("receipt", "", 5)
HANDOVER = Series("handover", "SJ", 3)
BUREAU_BATCH = Series("bureau_batch", "RS", 2, marks=("P", "M"))

# A bureau batch's letter for each insurance.
BATCH_MARK = {PENSION: "P", MEDICAL: "M"}


def receipt_number(year: int, village_code: str, seq: int) -> str:
    return RECEIPT.format(year, village_code, seq)


def handover_number(year: int, village_code: str, seq: int) -> str:
    return HANDOVER.format(year, village_code, seq)


def batch_number(year: int, village_code: str, kind: str, seq: int) -> str:
    return BUREAU_BATCH.format(year, village_code, seq, BATCH_MARK[kind])
