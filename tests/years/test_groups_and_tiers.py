"""Government-paid groups and tiers kept for them (issue 12, part 6): 建档立卡 is a group like 低保
(plan lists and 代缴 lists with it were refused), and a tier may be open only to some groups (the
lowest tier kept for 低保/特困/重度残疾)."""
import pytest

from tests.paperwork.util import csv_bytes
from webapp.extensions import db
from webapp.models import Campaign, Person
from webapp.rules.spreadsheet import parse_categories
from webapp.services import campaigns, imports
from webapp.services.errors import ValidationFailed


def test_jiandang_lika_is_a_category_of_plan_lists():
    assert parse_categories("建档立卡") == ({"is_poverty"}, [])
    assert parse_categories("建档立卡贫困户、低保") == ({"is_poverty", "is_dibao"}, [])


def test_a_jiandang_lika_list_marks_people(world):
    a = world.person(name="张三")
    imports.import_gov(world.actor("tadmin1"), "p.csv", csv_bytes([["姓名", "身份证号"], ["张三", a.id_number]]),
                       group="poverty")
    assert db.session.get(Person, a.id).is_poverty
    assert "poverty" in db.session.get(Person, a.id).facts().groups


def _keep_lowest_tier(world):
    data = campaigns.input_from(db.session.get(Campaign, world.campaign.id))
    lines = data.tiers_text.splitlines()
    lines[0] = lines[0] + " 低保 特困 重度残疾 建档立卡"
    data.tiers_text = "\n".join(lines)
    return campaigns.update_campaign(world.actor("dadmin"), world.campaign.id, data)


def test_the_lowest_tier_is_kept_for_the_groups(world):
    c = _keep_lowest_tier(world)
    assert c.policy().tier_groups == {20000: frozenset({"dibao", "tekun", "disabled", "poverty"})}
    assert campaigns.input_from(c).tiers_text.splitlines()[0] == "200 40 低保 特困/五保 重度残疾 建档立卡"
    ordinary, poor = world.person(), world.person(is_dibao=True)
    with pytest.raises(ValidationFailed) as e:
        world.pay("coord1", (ordinary, "pension", 20000))
    assert "仅限" in next(iter(e.value.errors.values()))
    world.pay("coord1", (poor, "pension", 20000))
    world.pay("coord1", (ordinary, "pension", 30000))


def test_the_household_page_marks_the_kept_tier(world, login):
    _keep_lowest_tier(world)
    p = world.person()
    page = login("coord1").get(f"/households/{p.household_id}").get_data(as_text=True)
    assert "限低保、特困/五保、重度残疾、建档立卡" in page


def test_an_unknown_group_word_on_a_tier_line_is_refused(world):
    data = campaigns.input_from(db.session.get(Campaign, world.campaign.id))
    data.tiers_text = "200 40 外星人\n300 45"
    with pytest.raises(ValidationFailed) as e:
        campaigns.update_campaign(world.actor("dadmin"), world.campaign.id, data)
    assert "外星人" in e.value.errors["tiers_text"]
