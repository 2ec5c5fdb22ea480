"""The worklist pages in SQL: the right households on each page, in order (户号, then id), with
page boundaries, filters and counts that agree with the per-person states the page shows."""
import random
from datetime import date, timedelta

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Area, Household, Person
from webapp.services import payments, worklist

DIGITS = "甲乙丙丁戊己庚辛壬癸"


def make_village(world, n_households=47, seed=5):
    """Households with 1-3 members of every kind: too old or young for pension, students,
    employee-insured, the pension window's boundary days; some paid in full, some in part, one
    payment voided. Household numbers are shuffled so the page order is not the creation order."""
    rng = random.Random(seed)
    policy = world.campaign.policy()
    births = [date(1950, 1, 1), date(1975, 6, 1), date(2015, 1, 1), date(2000, 3, 3),
              policy.pension_born_from, policy.pension_born_from - timedelta(days=1),
              policy.pension_born_until, policy.pension_born_until + timedelta(days=1)]
    numbers = [f"{n:04d}" for n in rng.sample(range(1, 9999), n_households)]
    numbers[3] = numbers[4]   # two households with one 户号: the id decides
    for i in range(n_households):
        head = None
        for k in range(rng.choice((1, 2, 3))):
            flags = {f: rng.random() < 0.15 for f in ("is_student", "employee_pension", "employee_medical")}
            name = "户" + DIGITS[i // 10 % 10] + DIGITS[i % 10] + "员子孙"[k]
            p = world.person(name=name, birth=rng.choice(births), household=head, **flags)
            head = head or p.household_id
            sheet = worklist.household_sheet(world.actor("coord1"), p.household_id, world.campaign)
            member = next(m for m in sheet.members if m.person.id == p.id)
            lines = [(p, kind) for kind, state in (("medical", member.medical), ("pension", member.pension))
                     if state.expected and rng.random() < 0.6]
            lines = [(q, kind, 20000) if kind == "pension" else (q, kind) for q, kind in lines]
            if lines:
                r = world.pay("coord1", *lines)
                if rng.random() < 0.1:
                    payments.void_receipt(world.actor("coord1"), r.number, "收错")
        db.session.get(Household, head).number = numbers[i]
    db.session.commit()


def village_id(code):
    return db.session.scalar(select(Area.id).where(Area.code == code))


def expected_order(world, done_filter=None):
    """Every household of the village in page order, computed the slow way (all in Python)."""
    hh = db.session.scalars(select(Household).join(Person, Person.household_id == Household.id)
                            .where(Household.village_id == village_id(world.V1)).distinct()
                            .order_by(Household.number, Household.id)).all()
    states = worklist.household_states(hh, world.campaign)
    return [s.household.id for s in states if done_filter is None or s.done == done_filter]


def test_pages_return_the_right_households_in_order(world):
    make_village(world)
    actor = world.actor("coord1")
    for status, done in (("all", None), ("unpaid", False), ("paid", True)):
        want = expected_order(world, done)
        assert want, status
        got, page, pages = [], 1, None
        while True:
            wl = worklist.village_worklist(actor, world.V1, world.campaign, status=status, page=page, per_page=10)
            pages = wl.pages
            assert wl.page == page and wl.total == len(want)
            assert len(wl.households) == (10 if page < pages else len(want) - 10 * (pages - 1))
            got += [h.household.id for h in wl.households]
            if page == pages:
                break
            page += 1
        assert got == want, status
        assert pages == -(-len(want) // 10)
        # Each page shows what the status says.
        if done is not None:
            wl = worklist.village_worklist(actor, world.V1, world.campaign, status=status, page=1, per_page=50)
            assert all(h.done == done for h in wl.households)


def test_counts_and_boundaries(world):
    make_village(world, n_households=21, seed=9)
    actor = world.actor("coord1")
    wl = worklist.village_worklist(actor, world.V1, world.campaign, status="all", page=1, per_page=20)
    n_paid = len(expected_order(world, True))
    assert wl.counts == {"all": 21, "paid": n_paid, "unpaid": 21 - n_paid}
    assert wl.pages == 2 and len(wl.households) == 20
    last = worklist.village_worklist(actor, world.V1, world.campaign, status="all", page=2, per_page=20)
    assert [h.household.id for h in last.households] == expected_order(world)[20:]
    # Beyond the last page: the last page; before the first: the first.
    assert worklist.village_worklist(actor, world.V1, world.campaign, status="all", page=99,
                                     per_page=20).page == 2
    assert [h.household.id for h in worklist.village_worklist(
        actor, world.V1, world.campaign, status="all", page=0, per_page=20).households] == expected_order(world)[:20]
    # A village with no households: one empty page.
    empty = worklist.village_worklist(world.actor("coord2"), world.V2, world.campaign, status="unpaid")
    assert (empty.pages, empty.total, empty.households, empty.counts) == (1, 0, [], {"all": 0, "paid": 0, "unpaid": 0})


def test_sql_status_agrees_with_the_rules_person_by_person(world):
    """owes_something (SQL) and member_state (rules.eligibility) must select the same people."""
    make_village(world, n_households=40, seed=11)
    owing = set(db.session.scalars(select(Person.id).where(worklist.owes_something(world.campaign))))
    hh = db.session.scalars(select(Household)).all()
    for state in worklist.household_states(hh, world.campaign):
        for m in state.members:
            assert (m.person.id in owing) == (not m.done), (m.person.name, m.person.birth_date)
