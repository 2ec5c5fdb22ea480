"""Issue 11 part 10: names on public surfaces. Masking knows compound surnames from a maintained
list (webapp/rules/data/compound_surnames.txt, from the 百家姓); a district setting chooses full
(the default) or masked names on the public roster, page and PDF alike, audited."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import World
from tests.offline.conftest import payment_body
from tests.progress.conftest import pdf_text
from webapp.extensions import db
from webapp.models import Area, AuditEvent
from webapp.rules.masking import COMPOUND_SURNAMES_FILE, compound_surnames, mask_name, split_name
from webapp.services import privacy, roster
from webapp.services.errors import Forbidden
from webapp.timeutil import today_local


@pytest.mark.parametrize("name,masked", [
    ("欧阳娜娜", "欧阳*娜"), ("欧阳娜", "欧阳*"), ("司马相如", "司马*如"), ("诸葛孔明", "诸葛*明"),
    ("上官婉儿", "上官*儿"), ("第五伦", "第五*"),
    ("张三", "张*"), ("李小明", "李*明"), ("张", "张"), ("", ""),
    ("欧阳", "欧*"),            # a two-character name is surname + given name, whatever the pair
    ("年爱华", "年*华"),         # 年 and 爱 are two single surnames side by side in the 百家姓
    ("欧小阳", "欧*阳"),
])
def test_masking_keeps_compound_surnames_whole(name, masked):
    assert mask_name(name) == masked


def test_the_compound_surname_list_is_a_maintained_file_with_its_source():
    text = COMPOUND_SURNAMES_FILE.read_text(encoding="utf-8")
    assert "百家姓" in text.split("\n", 3)[0] + text.split("\n", 3)[1]      # says where it comes from
    names = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert len(names) == len(set(names)) >= 60
    assert all(len(n) == 2 for n in names)
    assert {"欧阳", "司马", "诸葛", "上官", "皇甫", "慕容", "令狐", "东方", "第五"} <= compound_surnames()
    assert not {"年爱", "仉督", "言福"} & compound_surnames()
    assert split_name("欧阳娜娜") == ("欧阳", "娜娜")


def test_verification_page_masks_a_compound_surname(world, login, client):
    p = world.person(World.V1, name="欧阳娜娜")
    data = login("coord1").post("/api/v1/payments", json=payment_body((p, "medical"), payer_name="欧阳娜娜")).get_json()
    client.post("/logout")
    page = client.get(data["verify_url"][len("http://lx.test"):]).get_data(as_text=True)
    assert "欧阳*娜" in page and "欧**娜" not in page and "欧阳娜娜" not in page


# --- the district's choice for the roster ------------------------------------------------------

@pytest.fixture
def posted(world):
    people = [world.person(World.V1, name=n, birth=date(1980, 1, 1)) for n in ("欧阳娜娜", "张三", "李小明")]
    for p in people:
        world.pay("coord1", (p, "medical"))
    roster.publish_roster(world.actor("dadmin"), World.V1, posting_start=today_local(),
                          posting_end=today_local() + timedelta(days=6), office_phone="0375-2612345")
    return people


def district() -> Area:
    db.session.expire_all()
    return db.session.scalar(select(Area).where(Area.code == World.DISTRICT))


def test_full_names_by_default(world, client, posted):
    assert district().roster_names == "full"
    page = client.get(f"/gongshi/{World.V1}").get_data(as_text=True)
    assert all(p.name in page for p in posted)


def test_district_admin_switches_the_roster_to_masked_names_page_and_pdf(world, login, client, posted, tmp_path):
    admin = login("dadmin")
    form = admin.get("/admin/privacy").get_data(as_text=True)
    assert "公示名单上的姓名" in form and 'value="masked"' in form
    resp = admin.post("/admin/privacy", data={"district": World.DISTRICT, "roster_names": "masked"})
    assert resp.status_code == 302 and district().roster_names == "masked"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "district.roster_names"))
    assert event.before == {"roster_names": "full"} and event.after == {"roster_names": "masked"}
    assert event.user_id == world.users["dadmin"].id

    pdf = pdf_text(admin.get(f"/rosters/{World.V1}/{world.campaign.year}/v1.pdf").data, tmp_path)
    draft = pdf_text(admin.get(f"/rosters/{World.V1}/draft.pdf").data, tmp_path)
    client.post("/logout")
    page = client.get(f"/gongshi/{World.V1}").get_data(as_text=True)
    for text in (page, pdf, draft):
        assert "欧阳*娜" in text and "张*" in text and "李*明" in text
        for p in posted:
            assert p.name not in text and p.phone not in text and "测试街" not in text
            assert p.id_masked in text and p.id_number not in text
    # Searching by a full name tells nothing; the masked form is what can be searched.
    found = client.get(f"/gongshi/{World.V1}?q=欧阳娜娜").get_data(as_text=True)
    assert "：0 条" in found and "欧阳*娜" not in found
    found = client.get(f"/gongshi/{World.V1}?q=欧阳").get_data(as_text=True)
    assert "：1 条" in found and "欧阳*娜" in found and "张*" not in found

    # And back: the stored rows kept the full names.
    login("dadmin").post("/admin/privacy", data={"district": World.DISTRICT, "roster_names": "full"})
    client.post("/logout")
    assert "欧阳娜娜" in client.get(f"/gongshi/{World.V1}").get_data(as_text=True)


def test_only_the_district_admin_chooses(world, login, posted):
    assert login("tadmin1").get("/admin/privacy").status_code == 403
    assert login("tadmin1").post("/admin/privacy", data={"district": World.DISTRICT,
                                                         "roster_names": "masked"}).status_code == 403
    with pytest.raises(Forbidden):
        privacy.set_roster_names(world.actor("tadmin1"), World.DISTRICT, "masked")
    assert district().roster_names == "full"
    resp = login("dadmin").post("/admin/privacy", data={"district": World.DISTRICT, "roster_names": "nobody"})
    assert resp.status_code == 422 and district().roster_names == "full"
