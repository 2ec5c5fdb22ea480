"""Who may pay pension, at the edges (issue 12, part 6): one rule (rules/eligibility.py
pension_birth_window), the campaign's ages on its collection window. The findings: someone still
15 for the whole window was offered pension while a sibling born a month later was blocked, and a
60-year-old was offered tiers."""
from datetime import date, timedelta

import pytest

from webapp.rules.eligibility import (
    BLOCK,
    PersonFacts,
    Policy,
    age_birth_window,
    default_pension_window,
    pension_birth_window,
    pension_findings,
)
from webapp.rules.idnumber import age_on

FIRST, LAST = date(2026, 10, 11), date(2026, 11, 30)
POLICY = Policy(*default_pension_window(2026), pension_tiers={20000: 4000}, medical_fen={"resident": 25000},
                collection_window=(FIRST, LAST))


def blocked(birth: date) -> set:
    return {f.code for f in pension_findings(PersonFacts(birth), POLICY, FIRST) if f.level == BLOCK}


def test_still_15_for_the_whole_window_is_not_offered_pension_like_the_sibling_born_a_month_later():
    assert blocked(date(2010, 12, 15)) == {"too_young"}      # turns 16 after the window
    assert blocked(date(2011, 1, 15)) == {"too_young"}


def test_sixty_on_the_first_day_is_not_offered_tiers():
    assert blocked(date(1966, 1, 1)) == {"too_old"}          # 60 since 2026-01-01
    assert blocked(date(1966, 10, 12)) == set()              # 59 on the first day, 60 during it


@pytest.mark.parametrize("birth, codes", [
    (date(2010, 11, 30), set()),             # 16 on the last day of collection: the cut-off day
    (date(2010, 12, 1), {"too_young"}),      # the day after
    (date(2010, 11, 29), set()),             # the day before
    (date(1966, 10, 11), {"too_old"}),       # 60 on the first day
    (date(1966, 10, 12), set()),
])
def test_the_cut_off_days(birth, codes):
    assert blocked(birth) == codes


def test_29_february():
    # A collection ending on 29 February (an extension): born 2008-02-29 is 16 that day.
    assert age_birth_window(16, 59, date(2024, 1, 10), date(2024, 2, 29))[1] == date(2008, 2, 29)
    # Ending 2025-02-28: a 29 February 2009 child is 16 only on 1 March, so born 2009-02-28 at the latest.
    assert age_birth_window(16, 59, date(2025, 1, 10), date(2025, 2, 28))[1] == date(2009, 2, 28)


def test_the_window_agrees_with_age_on_for_every_birthday_of_four_years():
    """Brute force against idnumber.age_on: the birth window is exactly the ages' rule."""
    for first, last in [(FIRST, LAST), (date(2024, 2, 29), date(2025, 2, 28)), (date(2023, 3, 1), date(2024, 2, 29))]:
        born_from, born_until = age_birth_window(16, 59, first, last)
        for start in (date(last.year - 18, 1, 1), date(first.year - 62, 1, 1)):
            for n in range(4 * 366):
                b = start + timedelta(days=n)
                rule = age_on(b, last) >= 16 and age_on(b, first) <= 59
                assert (born_from <= b <= born_until) == rule, (b, first, last)


def test_the_campaigns_own_birth_dates_still_narrow_it():
    narrow = Policy(date(1970, 1, 1), date(2000, 1, 1), {20000: 4000}, {"resident": 25000},
                    collection_window=(FIRST, LAST))
    assert pension_birth_window(narrow) == (date(1970, 1, 1), date(2000, 1, 1))


def test_the_household_page_and_the_payment_follow_the_same_rule(world):
    from webapp.services.errors import ValidationFailed
    c = world.campaign
    teen = world.person(birth=_years_before(c.window_end, 16) + timedelta(days=1))   # 15 until after the window
    sixty = world.person(birth=_years_before(c.collection_start, 60))
    for p in (teen, sixty):
        with pytest.raises(ValidationFailed):
            world.pay("coord1", (p, "pension", 20000))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
