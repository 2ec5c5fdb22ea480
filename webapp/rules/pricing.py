"""What the household page may show, priced by the server once: the phone's JavaScript looks
amounts up in these tables and never applies a pricing rule (or writes Chinese capitals) itself.

The tables go into the page (data attributes), so the offline outbox prices from the copy the
service worker kept: no network needed, and no second copy of the formula to drift.
"""
from .categories import PENSION
from .eligibility import LineAmount, PersonFacts, Policy, line_amount, tier_open
from .money import fen_to_capitals, fen_to_yuan_str

# A household's possible totals stay small (tiers are whole hundreds of yuan); this bounds the
# table for a pathological one. Past it the page shows no capitals before the receipt, which has them.
MAX_TOTALS = 4096


def pension_prices(person: PersonFacts, policy: Policy) -> dict[int, dict]:
    """tier (fen) -> what the payer pays (self_fen), what the government pays for this person
    (gov_fen, 代缴) and the subsidy it adds to the account (subsidy_fen), for every tier."""
    out = {}
    for tier in sorted(policy.pension_tiers):
        if not tier_open(tier, person, policy):
            continue   # kept for groups this person is not in: no price, and the payment refuses it
        a: LineAmount = line_amount(PENSION, person, policy, tier)
        out[tier] = {"self_fen": a.self_fen, "gov_fen": a.gov_fen, "subsidy_fen": policy.pension_tiers[tier]}
    return out


def price_table(prices: dict[int, dict]) -> dict[str, dict]:
    """The same, keyed as the page's JSON and the select's values: {"20000": {…}, …}."""
    return {str(tier): dict(p) for tier, p in prices.items()}


def reachable_totals(lines: list[list[int]]) -> set[int] | None:
    """Every total the coordinator can reach, each line being left out or one of its self
    amounts. None when there would be more than MAX_TOTALS."""
    totals = {0}
    for options in lines:
        totals = {t + o for t in totals for o in (0, *options)}
        if len(totals) > MAX_TOTALS:
            return None
    return totals


def capitals_table(totals: set[int] | None) -> dict[str, str]:
    """total (fen, as text) -> the capitals the receipt will print (cn2an, rmb)."""
    return {str(t): fen_to_capitals(t) for t in sorted(totals or ())}


def _yuan(fen: int) -> str:
    return fen_to_yuan_str(fen).removesuffix(".00")


def tier_label(tier_fen: int, subsidy_fen: int = 0, kept_for: str = "") -> str:
    """Where the tier is chosen: "300 元档（政府补贴 45 元）", "200 元档（政府补贴 40 元，限低保、特困/五保）"."""
    notes = [f"政府补贴 {_yuan(subsidy_fen)} 元"] * bool(subsidy_fen) + [f"限{kept_for}"] * bool(kept_for)
    return f"{_yuan(tier_fen)} 元档" + (f"（{'，'.join(notes)}）" if notes else "")


def subsidy_text(subsidy_fen: int | None) -> str:
    """On the receipt's pension line: what 多缴多得 adds to the payer's own account."""
    return f"政府补贴 {_yuan(subsidy_fen)} 元，计入个人账户" if subsidy_fen else ""


def tiers_summary(tiers: dict[int, int]) -> str:
    """The campaign's tiers with their subsidies: "200 元（补贴 40 元）、300 元（补贴 45 元）"."""
    return "、".join(f"{_yuan(t)} 元" + (f"（补贴 {_yuan(s)} 元）" if s else "") for t, s in sorted(tiers.items()))
