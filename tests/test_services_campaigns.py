import pytest

from webapp.services import campaigns
from webapp.services.errors import Forbidden, ValidationFailed


def test_defaults_follow_the_2018_plan():
    data = campaigns.default_input(2018)
    assert (data.collection_start.isoformat(), data.collection_end.isoformat()) == ("2018-10-11", "2018-11-30")
    assert data.pension_born_from.isoformat() == "1958-01-01"
    assert campaigns.parse_tiers(data.tiers_text)[0] == (20000, 4000, frozenset())
    assert data.medical_yuan["resident"] == "250"


def test_tiers_text_errors_name_the_line():
    with pytest.raises(ValidationFailed) as e:
        campaigns.parse_tiers("200 40\n300\nabc 5\n200 10")
    msg = e.value.errors["tiers_text"]
    assert "第 2 行" in msg and "第 3 行" in msg and "第 4 行" in msg


def test_district_admin_edits_the_campaign_and_it_is_audited(world):
    data = campaigns.input_from(world.campaign)
    data.tiers_text = "100 30\n200 40"
    data.medical_yuan["student"] = "220"
    data.gov_rules[("dibao", "medical")] = (True, "0")
    c = campaigns.update_campaign(world.actor("dadmin"), world.campaign.id, data)
    policy = c.policy()
    assert policy.pension_tiers == {10000: 3000, 20000: 4000}
    assert policy.medical_fen["student"] == 22000
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import AuditEvent
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "campaign.update"))
    assert event.before["medical"]["student"] == 25000 and event.after["medical"]["student"] == 22000


def test_only_the_district_admin_edits(world):
    with pytest.raises(Forbidden):
        campaigns.update_campaign(world.actor("tadmin1"), world.campaign.id, campaigns.input_from(world.campaign))


def test_inconsistent_dates_are_refused(world):
    data = campaigns.input_from(world.campaign)
    data.collection_end = data.collection_start.replace(year=data.collection_start.year - 1)
    with pytest.raises(ValidationFailed) as e:
        campaigns.update_campaign(world.actor("dadmin"), world.campaign.id, data)
    assert "collection_end" in e.value.errors
