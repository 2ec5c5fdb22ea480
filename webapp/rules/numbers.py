"""The numbers printed on paper, defined once: receipts, hand-overs (上解) and bureau batches (报送).

Every number has the same shape, so a clerk reads any of them the same way:

    {prefix}{campaign year}-{last 6 digits of the village code}-{mark}{sequence, zero-padded}

    receipt   2018-200001-00042     (per campaign and village)
    hand-over SJ2018-200001-001     (per campaign and village)
    batch     RS2018-200001-P01     (per campaign, village and insurance: P pension, M medical)

Six digits name the village inside one district. When an installation holds a second district
whose village ends in the same six digits (410402200001 beside 410411200001), both villages print
their whole 12-digit code instead (2018-410402200001-00001): services/numbering.py decides, and
numbers issued before keep the shape they were printed with.

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

    def format(self, year: int, village_code: str, seq: int, mark: str = "", *, whole_code: bool = False) -> str:
        if mark not in self.marks:
            raise ValueError(f"{self.name}: no sub-series {mark!r}")
        if seq < 1:
            raise ValueError(f"{self.name}: sequences start at 1, not {seq}")
        return f"{self.start(year, village_code, whole_code=whole_code)}{mark}{seq:0{self.width}d}"

    def start(self, year: int, village_code: str, *, whole_code: bool = False) -> str:
        """What every number of this series, year and village begins with: "SJ2018-200001-"."""
        return f"{self.prefix}{year}-{village_code if whole_code else short_code(village_code)}-"

    @property
    def pattern(self) -> re.Pattern:
        marks = "|".join(re.escape(m) for m in self.marks)
        return re.compile(rf"{re.escape(self.prefix)}(\d{{4}})-(\d{{12}}|\d{{6}})-({marks})(\d{{{self.width},}})")

    def parse(self, number: str) -> tuple[int, str, str, int] | None:
        """(year, village code tail, mark, sequence), or None when it is not of this series."""
        m = self.pattern.fullmatch(number or "")
        return (int(m[1]), m[2], m[3], int(m[4])) if m else None


def short_code(village_code: str) -> str:
    """The six digits that name a village inside its district: 410411200001 -> 200001."""
    return village_code[-6:]


RECEIPT = Series("receipt", "", 5)
HANDOVER = Series("handover", "SJ", 3)
BUREAU_BATCH = Series("bureau_batch", "RS", 2, marks=("P", "M"))

# A bureau batch's letter for each insurance.
BATCH_MARK = {PENSION: "P", MEDICAL: "M"}


def receipt_number(year: int, village_code: str, seq: int, *, whole_code: bool = False) -> str:
    return RECEIPT.format(year, village_code, seq, whole_code=whole_code)


def handover_number(year: int, village_code: str, seq: int, *, whole_code: bool = False) -> str:
    return HANDOVER.format(year, village_code, seq, whole_code=whole_code)


def batch_number(year: int, village_code: str, kind: str, seq: int, *, whole_code: bool = False) -> str:
    return BUREAU_BATCH.format(year, village_code, seq, BATCH_MARK[kind], whole_code=whole_code)
