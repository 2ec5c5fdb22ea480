"""Two campaigns: this year's (`world.campaign`, collecting today) with payments, a hand-over,
a bureau batch and a published roster, and the next year's created after it."""
from datetime import date, timedelta

import pytest

from webapp.extensions import db
from webapp.models import Campaign
from webapp.services import bureau, campaigns, handover, roster
from webapp.services.actor import SYSTEM
from webapp.timeutil import today_local


@pytest.fixture
def last_year(world):
    """`world.campaign`'s figures: 2 receipts in V1, handed over, confirmed, batched, roster v1."""
    a = world.person(name="张三", birth=date(1980, 5, 17))
    b = world.person(name="李四", birth=date(1975, 3, 2), male=False)
    r1 = world.pay("coord1", (a, "pension", 20000), (a, "medical"))
    r2 = world.pay("coord1", (b, "medical"))
    total = r1.total_fen + r2.total_fen
    h = handover.create_handover(world.actor("coord1"), world.V1, [r1.number, r2.number],
                                 bank_slip_no="YH-1", amount_yuan=f"{total / 100:.2f}")
    handover.confirm_handover(world.actor("tadmin1"), h.id, received_yuan=f"{total / 100:.2f}")
    batch = bureau.create_batch(world.actor("tadmin1"), world.V1, "medical")
    today = today_local()
    version = roster.publish_roster(world.actor("dadmin"), world.V1, posting_start=today,
                                    posting_end=today + timedelta(days=7), office_phone="0375-1234567")
    return {"people": (a, b), "receipts": (r1, r2), "total": total, "handover": h, "batch": batch,
            "roster": version}


def next_year_input(world) -> campaigns.CampaignInput:
    """The year after world.campaign, collecting after its summary ends (no overlap)."""
    c = db.session.get(Campaign, world.campaign.id)
    data = campaigns.next_year_input(c)
    start = c.summary_end + timedelta(days=5)
    data.mobilisation_start, data.mobilisation_end = start, start + timedelta(days=5)
    data.collection_start, data.collection_end = start + timedelta(days=6), start + timedelta(days=30)
    data.summary_start, data.summary_end = start + timedelta(days=31), start + timedelta(days=60)
    return data


@pytest.fixture
def next_year(world, last_year):
    """The plan's dates for the next year: collecting next October, after this year's summary."""
    return campaigns.create_campaign(SYSTEM, campaigns.default_input(world.campaign.year + 1))


@pytest.fixture
def previous(world):
    """Last year's campaign (the plan's dates, over before today: in its summary phase) with one
    receipt by coord1 in V1, paid while it was collecting."""
    from webapp.services import payments
    c = campaigns.create_campaign(SYSTEM, campaigns.default_input(world.campaign.year - 1))
    a = world.person(name="赵老", birth=date(1970, 2, 3))
    receipt, _ = payments.record_payment(world.actor("coord1"), [payments.LineRequest(a.id, "medical")],
                                         today=c.collection_start + timedelta(days=3))
    return {"campaign": c, "receipt": receipt, "person": a}
