"""The roster pages: the public online copy (no login, masked only, 404 until published) and the
admins' overview, detail and publish form."""
from datetime import timedelta

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import RosterVersion
from webapp.services import payments, roster
from webapp.timeutil import today_local


def publish_form(**kw):
    return {"posting_start": today_local().isoformat(),
            "posting_end": (today_local() + timedelta(days=6)).isoformat(), "office_phone": "0375-2612345"} | kw


def test_unpublished_roster_is_not_public(client, world, known):
    assert client.get(f"/gongshi/{world.V1}").status_code == 404
    assert client.get(f"/gongshi/{world.V1}/{world.campaign.year}/v1").status_code == 404
    assert client.get("/gongshi/410411999999").status_code == 404


def test_public_page_shows_masked_rows_without_login(client, world, login, known):
    login("dadmin").post(f"/rosters/{world.V1}/publish", data=publish_form())
    client.post("/logout")
    resp = client.get(f"/gongshi/{world.V1}")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "public" in resp.headers["Cache-Control"]
    for p in (known.a, known.b, known.e):
        assert p.name in body and p.id_masked in body and p.id_number not in body
    assert known.c.name not in body
    assert "13800138000" not in body and "测试街" not in body and "低保" not in body
    assert "第 1 版" in body and "0375-2612345" in body and "湛河区曹镇乡曹镇村村民委员会" in body
    assert "style=" not in body
    same = client.get(f"/gongshi/{world.V1}/{world.campaign.year}/v1").get_data(as_text=True)
    assert known.a.id_masked in same
    assert known.e.name in client.get(f"/gongshi/{world.V1}?q=戊").get_data(as_text=True)
    assert known.a.name not in client.get(f"/gongshi/{world.V1}?q=戊").get_data(as_text=True)


def test_an_old_version_says_a_newer_one_exists(client, world, login, known):
    admin = login("dadmin")
    admin.post(f"/rosters/{world.V1}/publish", data=publish_form())
    payments.void_receipt(world.actor("coord1"), known.receipts["b"].number, "收错了")
    admin.post(f"/rosters/{world.V1}/publish", data=publish_form())
    old = client.get(f"/gongshi/{world.V1}/{world.campaign.year}/v1").get_data(as_text=True)
    assert 'id="newer-version"' in old and known.b.name in old       # v1 still says what it said
    new = client.get(f"/gongshi/{world.V1}").get_data(as_text=True)
    assert "第 2 版" in new and 'id="newer-version"' not in new and known.b.name not in new


def test_publish_through_the_page(world, login, known):
    client = login("dadmin")
    page = client.get(f"/rosters/{world.V1}").get_data(as_text=True)
    assert 'id="publish-form"' in page and "尚未发布" in page
    resp = client.post(f"/rosters/{world.V1}/publish", data=publish_form())
    assert resp.status_code == 302
    page = client.get(resp.location).get_data(as_text=True)
    assert "已发布第 1 版" in page and 'id="roster-versions"' in page and 'id="roster-unchanged"' in page
    again = client.post(f"/rosters/{world.V1}/publish", data=publish_form())
    assert again.status_code == 302 and "无需重新发布" in client.get(again.location).get_data(as_text=True)
    world.pay("coord1", (known.c, "medical"))
    page = client.get(f"/rosters/{world.V1}").get_data(as_text=True)
    assert 'id="roster-changed"' in page and "新增 1 人" in page and known.c.name in page
    overview = client.get("/rosters").get_data(as_text=True)
    assert "发布后有新的缴费或作废" in overview


def test_publish_errors_go_next_to_their_fields(world, login, known):
    client = login("dadmin")
    resp = client.post(f"/rosters/{world.V1}/publish", data=publish_form(posting_end="2000-01-01",
                                                                          office_phone="abc"))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "结束日期不能早于开始日期" in body and "手机号" in body
    resp = client.post(f"/rosters/{world.V1}/publish", data=publish_form(posting_start="not a date"))
    assert resp.status_code == 422 and "不是有效的日期" in resp.get_data(as_text=True)
    resp = client.post(f"/rosters/{world.V3}/publish", data=publish_form())
    assert resp.status_code == 422 and "还没有人缴费" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(RosterVersion.id))) == 0


def test_who_may_do_what(client, world, login, known):
    assert client.get("/rosters").status_code == 302                # login first
    coord = login("coord1")
    assert coord.get("/rosters").status_code == 403
    assert coord.post(f"/rosters/{world.V1}/publish", data=publish_form()).status_code == 403
    township = login("tadmin1")
    page = township.get(f"/rosters/{world.V1}").get_data(as_text=True)
    assert 'id="publish-form"' not in page
    assert township.post(f"/rosters/{world.V1}/publish", data=publish_form()).status_code == 403
    assert township.get(f"/rosters/{world.V3}").status_code == 404
    listing = township.get("/rosters").get_data(as_text=True)
    assert "曹镇村" in listing and "马庄社区" not in listing
    assert db.session.scalar(select(func.count(RosterVersion.id))) == 0


def test_coordinator_home_links_the_published_roster(world, login, known):
    assert "公示名单（打印张贴）" not in login("coord1").get("/").get_data(as_text=True)
    roster.publish_roster(world.actor("dadmin"), world.V1, posting_start=today_local(),
                          posting_end=today_local() + timedelta(days=6), office_phone="0375-2612345")
    body = login("coord1").get("/").get_data(as_text=True)
    assert "公示名单（打印张贴）" in body and f"/rosters/{world.V1}/{world.campaign.year}/v1.pdf" in body
    assert "公示名单（打印张贴）" not in login("coord2").get("/").get_data(as_text=True)
