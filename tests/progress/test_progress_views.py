"""The dashboard, the 通报 PDF and the home-page figures, through the test client."""
from datetime import timedelta

import pytest

from tests.progress.conftest import days_ago, move_receipt, pdf_text
from webapp.timeutil import today_local


def test_coordinators_and_strangers_cannot_see_the_dashboard(client, world, login, known):
    assert client.get("/progress/").status_code == 302
    client = login("coord1")
    assert client.get("/progress/").status_code == 403
    assert client.get(f"/progress/{world.T1}/report.pdf").status_code == 403


def test_township_admin_dashboard_shows_own_villages_only(world, login, known):
    client = login("tadmin1")
    resp = client.get("/progress/")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "曹镇村" in body and "大营村" in body and "马庄社区" not in body
    assert 'id="township-table"' not in body and 'id="village-table"' in body
    assert "66.7%" in body and "<svg" in body
    assert client.get(f"/progress/?area={known and world.T2}").status_code == 404
    assert client.get(f"/progress/?area={world.DISTRICT}").status_code == 404


def test_district_dashboard_ranks_townships_and_villages(world, login, known):
    body = login("dadmin").get("/progress/").get_data(as_text=True)
    assert 'id="township-table"' in body and "马庄社区" in body
    township_table = body[body.index('id="township-table"'):body.index('id="village-table"')]
    assert township_table.index("曹镇乡") < township_table.index("马庄街道")
    narrowed = login("dadmin").get(f"/progress/?area={world.T2}").get_data(as_text=True)
    assert "马庄社区" in narrowed and "曹镇村" not in narrowed


def test_dashboard_for_a_past_day(world, login, known):
    move_receipt(known.receipts["a"], days_ago(3))
    client = login("dadmin")
    body = client.get(f"/progress/?day={days_ago(3).isoformat()}").get_data(as_text=True)
    assert f'value="{days_ago(3).isoformat()}"' in body
    assert "¥450.00" in body                         # only a's payment existed by then


@pytest.mark.parametrize("day, message", [("2026-13-40", "不是有效的日期"), ("tomorrow", "不是有效的日期")])
def test_a_bad_day_is_explained_next_to_the_field(world, login, known, day, message):
    resp = login("dadmin").get(f"/progress/?day={day}")
    assert resp.status_code == 422 and message in resp.get_data(as_text=True)


def test_a_future_day_is_explained_next_to_the_field(world, login, known):
    day = (today_local() + timedelta(days=2)).isoformat()
    resp = login("dadmin").get(f"/progress/?day={day}")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "日期不能晚于今天" in body and 'class="field has-error"' in body


def test_pages_never_carry_inline_styles(world, login, known):
    for username, url in [("dadmin", "/progress/"), ("dadmin", "/admin/"), ("coord1", "/")]:
        body = login(username).get(url).get_data(as_text=True)
        assert "style=" not in body, url


def test_report_pdf_for_a_chosen_day(world, login, known, tmp_path):
    move_receipt(known.receipts["a"], days_ago(3))
    client = login("dadmin")
    resp = client.get(f"/progress/{world.DISTRICT}/report.pdf?day={days_ago(3).isoformat()}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = pdf_text(resp.data, tmp_path)
    d = days_ago(3)
    assert "征缴进度通报" in text and f"{d.year}年{d.month}月{d.day}日" in text
    assert "曹镇乡" in text and "马庄街道" in text and "曹镇村" in text
    assert "累计收缴450.00元" in text
    assert "第1页共2页" in text and "第2页共2页" in text
    assert "甲一" not in text                          # a report of figures, no names
    township = login("tadmin1").get(f"/progress/{world.T1}/report.pdf")
    assert township.status_code == 200 and "马庄社区" not in pdf_text(township.data, tmp_path)
    assert login("tadmin1").get(f"/progress/{world.T2}/report.pdf").status_code == 404
    assert login("tadmin1").get(f"/progress/{world.DISTRICT}/report.pdf").status_code == 404
    assert login("tadmin1").get(f"/progress/{world.T1}/report.pdf?day=bad").status_code == 422
    assert f'/progress/{world.T1}/report.pdf?day=' in login("tadmin1").get("/progress/").get_data(as_text=True)


def test_coordinator_home_shows_own_progress(world, login, known):
    body = login("coord1").get("/").get_data(as_text=True)
    assert 'id="my-progress"' in body and "我的进度" in body
    assert 'id="households-left">2<' in body
    assert "3 / 5" in body                              # households done of total, in the bar


def test_admin_home_shows_progress_and_links(world, login, known):
    body = login("tadmin1").get("/admin/").get_data(as_text=True)
    assert 'id="home-progress"' in body and "/progress/" in body and "/rosters" in body
    assert "¥1,250.00" in body and "4 张收据" in body and "作废 1 张" in body   # a, b, e, g; f voided
    assert login("coord1").get("/admin/").status_code == 403
