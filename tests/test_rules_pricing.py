"""rules/pricing.py: the tables the household page looks amounts up in (the JavaScript prices
nothing itself, tests/e2e/test_prices.py)."""
from datetime import date

from webapp.rules.eligibility import GovRule, PersonFacts, Policy, line_amount
from webapp.rules.money import fen_to_capitals
from webapp.rules.pricing import MAX_TOTALS, capitals_table, pension_prices, price_table, reachable_totals

POLICY = Policy(pension_born_from=date(1958, 1, 1), pension_born_until=date(2002, 12, 31),
                pension_tiers={20000: 4000, 30000: 4500, 50000: 6000},
                medical_fen={"resident": 25000, "student": 25000},
                gov_rules=(GovRule("dibao", "pension", False, 10000), GovRule("tekun", "pension", True, 0)))


def facts(*groups):
    return PersonFacts(birth_date=date(1980, 1, 1), groups=frozenset(groups))


def test_every_tier_is_priced_as_a_payment_would_be():
    for groups in [(), ("dibao",), ("tekun",), ("dibao", "tekun")]:
        table = pension_prices(facts(*groups), POLICY)
        assert sorted(table) == sorted(POLICY.pension_tiers)
        for tier, p in table.items():
            a = line_amount("pension", facts(*groups), POLICY, tier)
            assert (p["self_fen"], p["gov_fen"]) == (a.self_fen, a.gov_fen)
            assert p["subsidy_fen"] == POLICY.pension_tiers[tier]


def test_a_capped_group_pays_the_rest_a_full_group_nothing():
    assert pension_prices(facts("dibao"), POLICY)[30000] == {"self_fen": 20000, "gov_fen": 10000, "subsidy_fen": 4500}
    assert pension_prices(facts("tekun"), POLICY)[30000]["self_fen"] == 0


def test_the_page_table_is_keyed_like_the_select():
    assert price_table(pension_prices(facts(), POLICY))["20000"]["self_fen"] == 20000


def test_reachable_totals_leave_each_line_out_or_take_one_amount():
    assert reachable_totals([[100, 200], [50]]) == {0, 50, 100, 150, 200, 250}
    assert reachable_totals([]) == {0}


def test_capitals_are_the_receipts():
    caps = capitals_table({0, 25000, 35000, 1010000})
    assert caps == {str(x): fen_to_capitals(x) for x in (0, 25000, 35000, 1010000)}
    assert caps["35000"] == "叁佰伍拾元整"


def test_a_pathological_household_gets_no_table_rather_than_a_huge_page():
    lines = [[j * 100 ** i for j in range(1, 15)] for i in range(6)]   # every sum distinct
    assert reachable_totals(lines) is None and capitals_table(None) == {}
    assert MAX_TOTALS >= 1000
