"""The coordinator's worklist: per village, households and who has paid what, who has not;
and the household sheet used at the door to pick tiers and see warnings."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Campaign, Household, Payment, Person
from ..rules.categories import MEDICAL, PENSION
from ..rules.eligibility import (
    BLOCK,
    Finding,
    gov_note,
    line_amount,
    medical_findings,
    pension_birth_window,
    pension_findings,
    person_findings,
)
from ..rules.idnumber import age_on
from ..rules.pricing import capitals_table, pension_prices, price_table, reachable_totals
from ..timeutil import today_local
from .actor import Actor
from .payments import live_payments
from .people import get_household
from .scope import get_village

FILTERS = {"unpaid": "未缴清", "paid": "已缴清", "all": "全部"}


@dataclass
class LineState:
    kind: str
    expected: bool                  # this person should pay this insurance this campaign
    paid: Payment | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def block_message(self) -> str:
        return "；".join(f.message for f in self.findings if f.level == BLOCK)


@dataclass
class MemberState:
    person: Person
    age: int
    pension: LineState
    medical: LineState
    warnings: list[Finding]
    medical_fen: int = 0
    medical_gov_fen: int = 0
    notes: list[str] = field(default_factory=list)   # government-paid parts (coordinator only)
    # How the government pays pension for this person (the API's fields, for clients that price).
    pension_gov_full: bool = False
    pension_gov_cap_fen: int = 0
    # tier -> LineAmount, priced here so the page looks amounts up (rules/pricing.py).
    pension_prices: dict = field(default_factory=dict)

    @property
    def pension_price_table(self) -> dict:
        return price_table(self.pension_prices)

    def open_line_amounts(self) -> list[list[int]]:
        """The self amounts each unpaid line could add to the household's total."""
        out = []
        if self.pension.expected and not self.pension.paid and self.pension_prices:
            out.append(sorted({p["self_fen"] for p in self.pension_prices.values()}))
        if self.medical.expected and not self.medical.paid:
            out.append([self.medical_fen - self.medical_gov_fen])
        return out

    @property
    def done(self) -> bool:
        return all(not s.expected or s.paid for s in (self.pension, self.medical))


@dataclass
class HouseholdState:
    household: Household
    members: list[MemberState]

    @property
    def done(self) -> bool:
        return all(m.done for m in self.members)

    @property
    def capitals(self) -> dict:
        """Every total the page can show -> its capitals, for the confirm step and the slip."""
        return capitals_table(reachable_totals([o for m in self.members for o in m.open_line_amounts()]))

    @property
    def unpaid_count(self) -> int:
        return sum(1 for m in self.members for s in (m.pension, m.medical) if s.expected and not s.paid)


def member_state(person: Person, campaign: Campaign, policy, paid: dict, today: date) -> MemberState:
    facts = person.facts()
    pf = pension_findings(facts, policy, today)
    mf = medical_findings(facts, policy)
    pension = LineState(PENSION, expected=not any(f.level == BLOCK for f in pf),
                        paid=paid.get((person.id, PENSION)), findings=pf)
    medical = LineState(MEDICAL, expected=not any(f.level == BLOCK for f in mf),
                        paid=paid.get((person.id, MEDICAL)), findings=mf)
    m = MemberState(person=person, age=age_on(person.birth_date, today), pension=pension,
                    medical=medical, warnings=person_findings(facts))
    if medical.expected:
        amt = line_amount(MEDICAL, facts, policy)
        m.medical_fen, m.medical_gov_fen = amt.amount_fen, amt.gov_fen
        if note := gov_note(MEDICAL, facts, policy, amt.amount_fen):
            m.notes.append(f"医疗 {note}")
    rules = [r for r in policy.gov_rules if r.kind == PENSION and r.group in facts.groups]
    m.pension_gov_full = any(r.full for r in rules)
    m.pension_gov_cap_fen = max((r.amount_fen for r in rules), default=0)
    if pension.expected and policy.pension_tiers:
        lowest = min(policy.pension_tiers)
        if note := gov_note(PENSION, facts, policy, lowest):
            m.notes.append(f"养老 {note}")
    return m


def household_states(households: list[Household], campaign: Campaign, today: date | None = None):
    today = today or today_local()
    policy = campaign.policy()
    ids = [p.id for h in households for p in h.members]
    paid = live_payments(campaign.id, ids)
    return [HouseholdState(h, [member_state(p, campaign, policy, paid, today) for p in h.members])
            for h in households]


def household_sheet(actor: Actor, household_id: int, campaign: Campaign) -> HouseholdState:
    hh = get_household(actor, household_id)
    sheet = household_states([hh], campaign)[0]
    # The door's page prices every tier up front (the worklists, many households, need none).
    policy = campaign.policy()
    for m in sheet.members:
        if m.pension.expected:
            m.pension_prices = pension_prices(m.person.facts(), policy)
    return sheet


@dataclass
class Worklist:
    village: object
    households: list[HouseholdState]
    page: int
    pages: int
    total: int
    counts: dict   # filter -> number of households


def owes_something(campaign: Campaign):
    """SQL: this person (Person row) still has a line to pay this campaign, i.e. one that
    member_state would show as expected and unpaid. The blocks are those of rules.eligibility
    (pension: outside the birth window, student, employee pension; medical: employee medical);
    tests/test_worklist_paging.py checks the two agree person by person."""
    born_from, born_until = pension_birth_window(campaign.policy())

    def live(kind):
        return exists().where(Payment.campaign_id == campaign.id, Payment.person_id == Person.id,
                              Payment.kind == kind, Payment.void_id.is_(None))

    pension_due = and_(Person.birth_date >= born_from, Person.birth_date <= born_until,
                       not_(Person.is_student), not_(Person.employee_pension), ~live(PENSION))
    medical_due = and_(not_(Person.employee_medical), ~live(MEDICAL))
    return or_(pension_due, medical_due)


def village_worklist(actor: Actor, village_code: str, campaign: Campaign, status: str = "unpaid",
                     page: int = 1, per_page: int = 20) -> Worklist:
    """Households of a village, filtered by payment status, a page at a time.

    Status, counts and the page are worked out in SQL (a household is unpaid while one of its
    members owes a line, see owes_something); only the page's households are loaded and their
    members' states computed, so a 2,000-person village costs about what a small one does."""
    village = get_village(actor, village_code)
    status = status if status in FILTERS else "unpaid"
    unpaid = exists().where(Person.household_id == Household.id, owes_something(campaign))
    in_village = Household.village_id == village.id
    total = db.session.scalar(select(func.count(Household.id)).where(in_village))
    n_unpaid = db.session.scalar(select(func.count(Household.id)).where(in_village, unpaid))
    counts = {"all": total, "paid": total - n_unpaid, "unpaid": n_unpaid}
    stmt = select(Household).where(in_village)
    if status == "paid":
        stmt = stmt.where(~unpaid)
    elif status == "unpaid":
        stmt = stmt.where(unpaid)
    matching = counts[status]
    pages = max(1, -(-matching // per_page))
    page = min(max(1, page), pages)
    households = db.session.scalars(
        stmt.options(selectinload(Household.members)).order_by(Household.number, Household.id)
        .offset((page - 1) * per_page).limit(per_page)).all()
    return Worklist(village=village, households=household_states(households, campaign),
                    page=page, pages=pages, total=matching, counts=counts)
