"""Issue 12 part 1: next year's campaign from this one, states, overlaps refused, the close."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.years.conftest import next_year_input
from webapp.extensions import db
from webapp.models import AuditEvent, Campaign
from webapp.services import campaigns, handover, payments, roster
from webapp.services.actor import SYSTEM
from webapp.services.errors import CampaignClosed, Conflict, Forbidden, ValidationFailed
from webapp.timeutil import today_local


def test_states_follow_the_dates_and_the_close(world):
    c = db.session.get(Campaign, world.campaign.id)
    assert campaigns.state_of(c, c.collection_start - timedelta(days=1)) == "准备"
    assert campaigns.state_of(c, c.collection_start) == "征收中"
    assert campaigns.state_of(c, c.collection_end) == "征收中"
    assert campaigns.state_of(c, c.collection_end + timedelta(days=1)) == "总结"
    assert campaigns.state_of(c, c.summary_end + timedelta(days=90)) == "总结"   # until closed
    c.extended_until = c.collection_end + timedelta(days=5)
    assert campaigns.state_of(c, c.collection_end + timedelta(days=5)) == "征收中"
    c.closed_at = c.collection_end
    assert campaigns.state_of(c, c.collection_start) == "已结束"


def test_next_year_copies_every_setting_a_year_later(world):
    data = campaigns.input_from(world.campaign)
    data.tiers_text = "150 30\n300 45"
    data.medical_yuan["resident"] = "280"
    data.gov_rules[("dibao", "medical")] = (False, "180")
    data.pension_max_age = 58
    c = campaigns.update_campaign(world.actor("dadmin"), world.campaign.id, data)
    nxt = campaigns.next_year_input(c)
    assert (nxt.year, nxt.coverage_year) == (c.year + 1, c.coverage_year + 1)
    assert str(c.year + 1) in nxt.name and str(c.year) not in nxt.name
    assert nxt.collection_start == c.collection_start.replace(year=c.collection_start.year + 1)
    assert nxt.pension_born_from == c.pension_born_from.replace(year=c.pension_born_from.year + 1)
    assert nxt.tiers_text == "150 30\n300 45" and nxt.medical_yuan["resident"] == "280"
    assert nxt.gov_rules[("dibao", "medical")] == (False, "180") and nxt.pension_max_age == 58
    assert nxt.extended_until is None


def test_29_february_moves_to_28_february(world):
    c = db.session.get(Campaign, world.campaign.id)
    c.pension_born_until = date(2024, 2, 29)
    assert campaigns.next_year_input(c).pension_born_until == date(2025, 2, 28)


def test_a_second_campaign_leaves_the_first_as_it_is(world):
    nxt = campaigns.create_campaign(world.actor("dadmin"), next_year_input(world))
    assert campaigns.collecting_campaign().id == world.campaign.id
    assert campaigns.default_campaign().id == world.campaign.id
    assert campaigns.state_of(nxt) == "准备"
    assert [c.year for c in campaigns.all_campaigns()] == [nxt.year, world.campaign.year]
    # Once this year's window is over the next one collects; this one is in its summary.
    c = db.session.get(Campaign, world.campaign.id)
    later = nxt.collection_start + timedelta(days=1)
    assert campaigns.collecting_campaign(later).id == nxt.id
    assert campaigns.state_of(c, later) == "总结"
    between = c.collection_end + timedelta(days=1)
    assert campaigns.collecting_campaign(between) is None
    assert campaigns.default_campaign(between).id == c.id          # newest in its summary


def test_overlapping_collection_windows_are_refused(world):
    data = next_year_input(world)
    data.collection_start = world.campaign.collection_end          # one day in common
    data.mobilisation_start = data.mobilisation_end = data.collection_start - timedelta(days=1)
    with pytest.raises(ValidationFailed) as e:
        campaigns.create_campaign(world.actor("dadmin"), data)
    message = e.value.errors["collection_start"]
    assert "重叠" in message and str(world.campaign.year) in message
    assert db.session.scalar(select(Campaign.id).where(Campaign.year == data.year)) is None


def test_an_extension_into_the_next_window_is_refused(world):
    nxt = campaigns.create_campaign(world.actor("dadmin"), next_year_input(world))
    data = campaigns.input_from(world.campaign)
    data.extended_until = nxt.collection_start
    with pytest.raises(ValidationFailed) as e:
        campaigns.update_campaign(world.actor("dadmin"), world.campaign.id, data)
    assert str(nxt.year) in e.value.errors["collection_start"]


def test_only_the_district_admin_creates_and_closes(world, previous):
    with pytest.raises(Forbidden):
        campaigns.create_campaign(world.actor("tadmin1"), next_year_input(world))
    with pytest.raises(Forbidden):
        campaigns.close_campaign(world.actor("tadmin1"), previous["campaign"].id)


def test_closing_is_audited_and_only_after_the_collection(world, previous):
    with pytest.raises(CampaignClosed):
        campaigns.close_campaign(world.actor("dadmin"), world.campaign.id)    # still collecting
    c = campaigns.close_campaign(world.actor("dadmin"), previous["campaign"].id)
    assert campaigns.state_of(c) == "已结束" and c.closed_by_id == world.user("dadmin").id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "campaign.close"))
    assert event.object_id == str(c.id) and event.user_id == world.user("dadmin").id
    with pytest.raises(CampaignClosed):
        campaigns.close_campaign(world.actor("dadmin"), c.id)


def test_a_closed_campaign_is_read_only(world, previous):
    c = campaigns.close_campaign(world.actor("dadmin"), previous["campaign"].id)
    with pytest.raises(CampaignClosed):
        campaigns.update_campaign(world.actor("dadmin"), c.id, campaigns.input_from(c))
    with pytest.raises(CampaignClosed):
        handover.create_handover(world.actor("coord1"), world.V1, [previous["receipt"].number],
                                 bank_slip_no="YH-9", amount_yuan="250", campaign=c)
    with pytest.raises(CampaignClosed):
        roster.publish_roster(world.actor("dadmin"), world.V1, posting_start=today_local(),
                              posting_end=today_local() + timedelta(days=7), office_phone="0375-1234567",
                              campaign=c)


def test_payments_go_to_the_collecting_campaign(world, previous):
    p = world.person()
    receipt = world.pay("coord1", (p, "medical"))
    assert receipt.campaign_id == world.campaign.id
    assert receipt.number.startswith(str(world.campaign.year))


def test_no_payment_into_a_campaign_in_its_summary(world, previous):
    p = world.person()
    summary_day = previous["campaign"].collection_end + timedelta(days=2)
    with pytest.raises(CampaignClosed) as e:
        payments.record_payment(world.actor("coord1"), [payments.LineRequest(p.id, "medical")], today=summary_day)
    assert "结束" in e.value.message


def test_last_years_receipt_cannot_be_voided(world, previous):
    with pytest.raises(Conflict) as e:
        payments.void_receipt(world.actor("coord1"), previous["receipt"].number, "录错了")
    assert str(previous["campaign"].year) in e.value.message


def test_the_first_campaign_is_created_by_the_system_too(app):
    c = campaigns.create_campaign(SYSTEM, campaigns.default_input(2018))
    assert campaigns.default_campaign().id == c.id


def test_a_closed_years_paperwork_is_read_only(world, last_year):
    """Hand-over confirmations, bureau serials and results, bookings and 冲红 of a closed year are refused."""
    from webapp.services import bureau, corrections
    c = db.session.get(Campaign, world.campaign.id)
    c.closed_at = c.collection_start          # as if closed (closing needs the summary state)
    db.session.commit()
    with pytest.raises(CampaignClosed):
        bureau.record_serial(world.actor("tadmin1"), last_year["batch"].id, "LS-1")
    with pytest.raises(CampaignClosed):
        bureau.record_booking(world.actor("dadmin"), last_year["batch"].id, "PZ-1", today_local(), "250")
    with pytest.raises(CampaignClosed):
        handover.record_makeup(world.actor("tadmin1"), last_year["handover"].id, amount_yuan="1")
    with pytest.raises(CampaignClosed):
        corrections.propose(world.actor("tadmin1"), last_year["receipts"][0].number, "档次选错了")
