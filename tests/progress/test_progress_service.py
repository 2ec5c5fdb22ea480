"""Progress figures for a known world: expected payers by the eligibility rules, paid, coverage,
amounts, new enrollees, voids, ranking, the daily series, as of any day; and a coordinator's own."""
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.progress.conftest import days_ago, move_receipt, move_void, recount_counters
from webapp.extensions import db
from webapp.models import Person
from webapp.rules.eligibility import BLOCK, medical_findings, pension_findings
from webapp.services import progress, worklist
from webapp.services.errors import Forbidden, NotFound, ValidationFailed
from webapp.timeutil import today_local


def by_code(rows):
    return {f.code: f for f in rows}


def test_district_figures_for_a_known_world(world, known):
    r = progress.progress_report(world.actor("dadmin"))
    v = by_code(r.villages)
    v1, v2, v3 = v[world.V1], v[world.V2], v[world.V3]
    assert (v1.expected_pension, v1.expected_medical) == (2, 4)       # a, e | a, b, c, e
    assert (v1.covered_pension, v1.covered_medical) == (2, 2)
    assert (v1.paid_pension, v1.paid_medical) == (2, 2)
    assert (v1.pension_fen, v1.medical_fen) == (20000 + 30000, 2 * 25000)
    assert v1.new_enrollees == 1 and v1.voids == 0
    assert (v2.expected_pension, v2.expected_medical, v2.covered_pension, v2.covered_medical) == (2, 2, 0, 1)
    assert (v2.medical_fen, v2.gov_fen, v2.voids) == (25000, 15000, 1)      # f voided; g 低保
    assert (v3.expected_pension, v3.expected_medical, v3.total_fen) == (1, 1, 0)
    assert [f.code for f in r.villages] == [world.V1, world.V2, world.V3]   # 4/6, 1/4, 0/2
    assert [f.rank for f in r.villages] == [1, 2, 3]
    assert v1.pct() == "66.7%" and v2.pct("medical_rate") == "50.0%" and v3.pct() == "0.0%"
    t = by_code(r.townships)
    assert [f.code for f in r.townships] == [world.T1, world.T2]
    assert (t[world.T1].covered_pension + t[world.T1].covered_medical,
            t[world.T1].expected_pension + t[world.T1].expected_medical) == (5, 10)
    assert r.total.total_fen == 50000 + 50000 + 25000
    assert r.total.voids == 1 and r.total.new_enrollees == 1
    assert r.ranking is r.townships


def test_township_admin_sees_only_their_township(world, known):
    r = progress.progress_report(world.actor("tadmin1"))
    assert r.area.code == world.T1 and r.townships == []
    assert {f.code for f in r.villages} == {world.V1, world.V2}
    assert r.ranking is r.villages
    assert r.total.expected_pension == 4 and r.total.voids == 1
    assert [c for c, _ in r.choices] == [world.T1]
    with pytest.raises(NotFound):
        progress.progress_report(world.actor("tadmin1"), area_code=world.T2)
    with pytest.raises(NotFound):
        progress.progress_report(world.actor("tadmin1"), area_code=world.DISTRICT)
    with pytest.raises(Forbidden):
        progress.progress_report(world.actor("coord1"))


def test_district_admin_can_narrow_to_one_township(world, known):
    r = progress.progress_report(world.actor("dadmin"), area_code=world.T2)
    assert r.townships == [] and [f.code for f in r.villages] == [world.V3]
    assert [c for c, _ in progress.progress_report(world.actor("dadmin")).choices] == [
        world.DISTRICT, world.T2, world.T1]


def test_figures_as_of_a_past_day(world, known):
    move_receipt(known.receipts["a"], days_ago(3))
    move_receipt(known.receipts["f"], days_ago(5))
    move_void(known.receipts["f"], days_ago(2))
    admin = world.actor("dadmin")

    four = by_code(progress.progress_report(admin, day=days_ago(4)).villages)
    assert four[world.V1].total_fen == 0                  # a paid three days ago, b and e today
    assert four[world.V2].covered_pension == 1 and four[world.V2].voids == 0   # f still live then
    three = by_code(progress.progress_report(admin, day=days_ago(3)).villages)
    assert three[world.V1].pension_fen == 20000 and three[world.V1].medical_fen == 25000
    two = by_code(progress.progress_report(admin, day=days_ago(2)).villages)
    assert two[world.V2].covered_pension == 0 and two[world.V2].voids == 1


def test_people_registered_after_the_day_are_not_expected_yet(world, known):
    from sqlalchemy import update
    db.session.execute(update(Person).where(Person.id == known.h.id).values(
        created_at=db.session.get(Person, known.h.id).created_at + timedelta(days=3)))
    recount_counters()
    r = progress.progress_report(world.actor("dadmin"))
    assert by_code(r.villages)[world.V3].expected_pension == 0


def test_daily_series_from_collection_start_to_the_day(world, known):
    move_receipt(known.receipts["a"], days_ago(3))
    r = progress.progress_report(world.actor("dadmin"))
    assert r.daily[0].day == world.campaign.collection_start and r.daily[-1].day == today_local()
    days = {d.day: d for d in r.daily}
    assert (days[days_ago(3)].lines, days[days_ago(3)].fen) == (2, 45000)          # a: pension and medical
    assert (days[today_local()].lines, days[today_local()].fen) == (3, 25000 + 30000 + 25000)  # b, e, g; f voided
    assert sum(d.fen for d in r.daily) == r.total.total_fen
    assert r.on_day.fen == 80000
    assert progress.progress_report(world.actor("dadmin"), day=world.campaign.collection_start
                                    - timedelta(days=1)).daily == []


def test_a_payment_late_in_the_evening_counts_on_that_china_day(world, known):
    move_receipt(known.receipts["b"], days_ago(1), hour=23)   # 23:xx Beijing is 15:xx UTC
    days = {d.day: d for d in progress.progress_report(world.actor("dadmin")).daily}
    assert days[days_ago(1)].fen == 25000


def test_a_future_day_is_refused(world, known):
    with pytest.raises(ValidationFailed) as e:
        progress.progress_report(world.actor("dadmin"), day=today_local() + timedelta(days=1))
    assert "day" in e.value.errors


def test_sql_expected_matches_the_eligibility_rules(world):
    """The SQL twin and rules.eligibility agree, at the birth-date boundaries and for every flag."""
    c = world.campaign
    rng = random.Random(5)
    births = [c.pension_born_from, c.pension_born_from - timedelta(days=1), c.pension_born_until,
              c.pension_born_until + timedelta(days=1), date(1980, 6, 1), date(1950, 6, 1), date(2015, 1, 1)]
    for i in range(30):
        flags = {f: rng.random() < 0.3 for f in ("is_student", "employee_pension", "employee_medical")}
        world.person(world.V1 if i % 2 else world.V3, birth=births[i % len(births)], **flags)
    policy = c.policy()
    people = db.session.scalars(select(Person)).all()
    expect_p = sum(not any(f.level == BLOCK for f in pension_findings(p.facts(), policy, today_local()))
                   for p in people)
    expect_m = sum(not any(f.level == BLOCK for f in medical_findings(p.facts(), policy)) for p in people)
    total = progress.progress_report(world.actor("dadmin")).total
    assert (total.expected_pension, total.expected_medical) == (expect_p, expect_m)
    assert 0 < expect_p < len(people) and 0 < expect_m < len(people)


def test_coordinator_progress_today_campaign_and_households_left(world, known):
    mine = progress.coordinator_progress(world.actor("coord1"))
    # coord1 issued a (200 + 250), b (250), e (300) today.
    assert (mine.today_receipts, mine.today_people, mine.today_fen) == (3, 3, 100000)
    assert (mine.campaign_receipts, mine.campaign_people, mine.campaign_fen) == (3, 3, 100000)
    # V1 households: a done, b done, c (student, medical unpaid), d nothing expected, e medical unpaid.
    assert (mine.households_left, mine.households_total, mine.households_done) == (2, 5, 3)
    wl = worklist.village_worklist(world.actor("coord1"), world.V1, world.campaign, status="unpaid")
    assert wl.counts["unpaid"] == mine.households_left and wl.counts["all"] == mine.households_total

    move_receipt(known.receipts["a"], days_ago(2))
    mine = progress.coordinator_progress(world.actor("coord1"))
    assert (mine.today_receipts, mine.today_fen, mine.campaign_fen) == (2, 55000, 100000)


def test_coordinator_progress_leaves_out_voided_receipts(world, known):
    mine = progress.coordinator_progress(world.actor("coord2"))
    assert (mine.campaign_receipts, mine.campaign_people, mine.campaign_fen) == (1, 1, 10000)  # g: 250 - 150
    assert (mine.households_left, mine.households_total) == (2, 2)   # f must pay again; g's pension is unpaid


def test_only_coordinators_have_own_progress(world):
    with pytest.raises(Forbidden):
        progress.coordinator_progress(world.actor("tadmin1"))


def test_home_summary_reads_receipts_only(world, known):
    move_receipt(known.receipts["a"], days_ago(3))
    s = progress.home_summary(world.actor("tadmin1"))
    assert (s.area.code, s.today_receipts, s.today_fen) == (world.T1, 3, 25000 + 30000 + 25000)  # b, e, g (whole)
    assert (s.campaign_fen, s.voids) == (125000, 1)
    assert dict(s.daily)[days_ago(3)] == 45000 and s.daily[-1] == (today_local(), 80000)
    assert len(s.daily) == progress.HOME_DAYS
    assert progress.home_summary(world.actor("tadmin2")).campaign_fen == 0
    with pytest.raises(Forbidden):
        progress.home_summary(world.actor("coord1"))
