from datetime import date

import pytest

from webapp.rules.eligibility import (
    BLOCK,
    WARN,
    GovRule,
    PersonFacts,
    Policy,
    default_pension_window,
    gov_share,
    line_amount,
    medical_findings,
    pension_findings,
    person_findings,
)

TODAY = date(2018, 10, 20)
BORN_FROM, BORN_UNTIL = default_pension_window(2018)
POLICY = Policy(
    pension_born_from=BORN_FROM, pension_born_until=BORN_UNTIL,
    pension_tiers={20000: 4000, 30000: 4500, 50000: 6000},
    medical_fen={"resident": 25000, "student": 22000},
    gov_rules=(GovRule("tekun", "medical", True, 0), GovRule("dibao", "medical", False, 15000),
               GovRule("disabled", "pension", False, 20000), GovRule("dibao", "pension", False, 10000)),
)


def codes(findings, level=BLOCK):
    return {f.code for f in findings if f.level == level}


def test_window_for_2018_matches_the_plan():
    assert BORN_FROM == date(1958, 1, 1)   # 含1958年1月1日后出生
    assert BORN_UNTIL == date(2002, 12, 31)


@pytest.mark.parametrize("birth, blocked", [
    (date(1957, 12, 31), "too_old"), (date(1958, 1, 1), None), (date(2002, 12, 31), None),
    (date(2003, 1, 1), "too_young"),
])
def test_pension_age_rule_at_the_edges(birth, blocked):
    found = codes(pension_findings(PersonFacts(birth_date=birth), POLICY, TODAY))
    assert found == ({blocked} if blocked else set())


def test_students_and_employee_insured_are_blocked_for_pension():
    assert "student" in codes(pension_findings(PersonFacts(date(1999, 1, 1), is_student=True), POLICY, TODAY))
    assert "employee_pension" in codes(
        pension_findings(PersonFacts(date(1980, 1, 1), employee_pension=True), POLICY, TODAY))


def test_employee_medical_blocks_medical_only():
    person = PersonFacts(date(1980, 1, 1), employee_medical=True)
    assert codes(medical_findings(person, POLICY)) == {"employee_medical"}
    assert codes(pension_findings(person, POLICY, TODAY)) == set()


def test_late_starters_get_a_warning_not_a_block():
    findings = pension_findings(PersonFacts(date(1968, 1, 1)), POLICY, TODAY)
    assert codes(findings) == set() and "short_years" in codes(findings, WARN)


def test_new_enrollee_and_missing_phone_warn():
    assert codes(person_findings(PersonFacts(date(1980, 1, 1), new_enrollee=True, has_phone=False)), WARN) == {
        "new_enrollee", "no_phone"}


def test_medical_amount_by_category():
    assert line_amount("medical", PersonFacts(date(1980, 1, 1)), POLICY).self_fen == 25000
    assert line_amount("medical", PersonFacts(date(2000, 1, 1), is_student=True), POLICY).self_fen == 22000


def test_government_pays_in_full_or_up_to_its_amount():
    tekun = PersonFacts(date(1980, 1, 1), groups=frozenset({"tekun"}))
    assert line_amount("medical", tekun, POLICY).self_fen == 0
    dibao = PersonFacts(date(1980, 1, 1), groups=frozenset({"dibao"}))
    amt = line_amount("medical", dibao, POLICY)
    assert (amt.amount_fen, amt.gov_fen, amt.self_fen) == (25000, 15000, 10000)


def test_the_most_generous_group_wins_and_never_exceeds_the_line():
    both = frozenset({"dibao", "disabled"})
    assert gov_share("pension", 30000, both, POLICY.gov_rules) == 20000
    assert gov_share("pension", 20000, both, POLICY.gov_rules) == 20000
    assert gov_share("pension", 50000, frozenset(), POLICY.gov_rules) == 0


def test_unknown_tier_is_refused():
    with pytest.raises(ValueError):
        line_amount("pension", PersonFacts(date(1980, 1, 1)), POLICY, 12345)
