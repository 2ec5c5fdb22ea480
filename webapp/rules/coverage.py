"""Which year a contribution covers, per insurance (DOMAIN.md, "Year after year").

A pension contribution collected in autumn belongs to that year; a medical one buys the next
year's cover: a 2026 collection pays pension 2026 and medical 2027. The campaign keeps the
medical year (Campaign.coverage_year, 待遇享受年度, the collection year or the next); the pension
year is always the collection year. Receipts, rosters, exports and titles ask here.
"""
from .categories import KINDS, MEDICAL, PENSION


def coverage_year(kind: str, campaign_year: int, medical_year: int) -> int:
    if kind == PENSION:
        return campaign_year
    if kind == MEDICAL:
        return medical_year
    raise ValueError(kind)


def year_text(kind: str, campaign_year: int, medical_year: int) -> str:
    """"2026 年度", as a line of a receipt or a roster shows it."""
    return f"{coverage_year(kind, campaign_year, medical_year)} 年度"


def coverage_label(campaign_year: int, medical_year: int, kinds=(PENSION, MEDICAL)) -> str:
    """"养老保险 2026 年度，医疗保险 2027 年度" (only the kinds given, in that order)."""
    return "，".join(f"{KINDS[k]}保险 {year_text(k, campaign_year, medical_year)}"
                     for k in (PENSION, MEDICAL) if k in kinds)


def title_kinds(campaign_year: int, medical_year: int) -> str:
    """"城乡居民基本养老保险（2026 年度）、基本医疗保险（2027 年度）", for document titles."""
    return (f"城乡居民基本养老保险（{year_text(PENSION, campaign_year, medical_year)}）、"
            f"基本医疗保险（{year_text(MEDICAL, campaign_year, medical_year)}）")
