"""Amounts are fixed once money is taken (issue 12, part 5). The finding: a change from 250 to 280
in mid-campaign saved silently and one year's rosters mixed both."""
import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Area, AuditEvent, Campaign, PriceVersion
from webapp.services import campaigns, exports, roster
from webapp.services.errors import ValidationFailed


def _medical(world, yuan: str):
    data = campaigns.input_from(db.session.get(Campaign, world.campaign.id))
    data.medical_yuan["resident"] = yuan
    return data


def test_before_the_first_receipt_amounts_change_freely(world):
    c = campaigns.update_campaign(world.actor("dadmin"), world.campaign.id, _medical(world, "280"))
    assert c.price_version == 1 and c.policy().medical_fen["resident"] == 28000


def test_after_the_first_receipt_a_new_amount_is_refused_without_a_confirmed_reason(world):
    first = world.pay("coord1", (world.person(), "medical"))
    with pytest.raises(ValidationFailed) as e:
        campaigns.update_campaign(world.actor("dadmin"), world.campaign.id, _medical(world, "280"))
    assert "价格版本" in e.value.errors["price_reason"]
    db.session.rollback()
    assert db.session.get(Campaign, world.campaign.id).policy().medical_fen["resident"] == 25000

    c = campaigns.update_campaign(world.actor("dadmin"), world.campaign.id, _medical(world, "280"),
                                  price_reason="省医保局调整个人缴费标准")
    assert c.price_version == 2
    versions = db.session.scalars(select(PriceVersion).order_by(PriceVersion.version)).all()
    assert [(v.version, v.settings["medical"]["resident"]) for v in versions] == [(1, 25000), (2, 28000)]
    assert versions[1].reason == "省医保局调整个人缴费标准"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "campaign.price_version"))

    second = world.pay("coord1", (world.person(), "medical"))
    assert (first.price_version, first.total_fen) == (1, 25000)
    assert (second.price_version, second.total_fen) == (2, 28000)

    village = db.session.scalar(select(Area).where(Area.code == world.V1))
    sheet = exports.payment_sheet("medical", world.campaign.id, village, exports.ExportFilter())
    assert exports.ANNEXES["medical"].headers[-1] == exports.PRICE_VERSION
    assert sorted(row[-1] for row in sheet.rows) == ["第1版", "第2版"]
    d = roster.roster_dict(None, roster.live_rows(world.campaign, village), campaign=world.campaign,
                           village=village)
    assert "第1版" in d["price_note"] and "第2版" in d["price_note"] and "省医保局调整个人缴费标准" in d["price_note"]


def test_dates_alone_change_without_a_new_version(world):
    world.pay("coord1", (world.person(), "medical"))
    data = campaigns.input_from(db.session.get(Campaign, world.campaign.id))
    data.name = "改个名称"
    c = campaigns.update_campaign(world.actor("dadmin"), world.campaign.id, data)
    assert c.price_version == 1


def test_the_campaign_page_asks_for_the_reason_and_lists_the_versions(world, login):
    import re
    world.pay("coord1", (world.person(), "medical"))
    client = login("dadmin")
    page = client.get("/admin/campaign").get_data(as_text=True)
    assert "当前收据按第 1 版价格开具" in page
    form = {m.group(1): m.group(2) for m in re.finditer(r'name="([a-z_]+)"[^>]*value="([^"]*)"', page)}
    form["tiers_text"] = re.search(r'<textarea[^>]*name="tiers_text"[^>]*>\s*([^<]*)</textarea>', page)[1]
    form["medical_resident"] = "280"
    resp = client.post("/admin/campaign", data=form)
    assert resp.status_code == 422 and "确认启用第 2 版价格版本" in resp.get_data(as_text=True)
    form["price_reason"] = "省医保局调整个人缴费标准"
    assert client.post("/admin/campaign", data=form).status_code == 302
    page = client.get("/admin/campaign").get_data(as_text=True)
    assert "当前收据按第 2 版价格开具" in page and "省医保局调整个人缴费标准" in page
