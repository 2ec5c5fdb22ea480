"""Small things a clerk trips over: default unit names, correcting an area code, the audit screen."""
import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Area, AuditEvent
from webapp.services import areas, audit
from webapp.services.errors import Forbidden, ValidationFailed


def area(code):
    return db.session.scalar(select(Area).where(Area.code == code))


def test_default_full_names_have_no_doubled_words(world):
    """Findings: "马庄社区社区卫生服务站"; a 村卫生室 named "…村民委员会"."""
    assert area(world.V3).full_name == "湛河区马庄街道马庄社区卫生服务站"
    assert area(world.V2).full_name == "湛河区曹镇乡大营村卫生室"           # point_kind village_clinic
    assert area(world.V1).full_name == "湛河区曹镇乡曹镇村村民委员会"        # the official form keeps 村村
    assert areas.default_full_name(None, "新华社区卫生服务站", "community", "community_station") == "新华社区卫生服务站"


def test_the_district_admin_corrects_an_area_code_with_audit(world, login):
    with pytest.raises(Forbidden):
        areas.change_code(world.actor("tadmin1"), world.V1, "410411200009", "录错")
    with pytest.raises(ValidationFailed) as e:
        areas.change_code(world.actor("dadmin"), world.V1, "410411001009", "")
    assert set(e.value.errors) == {"code", "reason"}          # must stay under its township; needs a reason
    with pytest.raises(ValidationFailed):
        areas.change_code(world.actor("dadmin"), world.V1, world.V2, "录错")       # taken
    client = login("dadmin")
    assert 'id="code-form"' in client.get(f"/admin/areas/{world.T1}").get_data(as_text=True)
    resp = client.post(f"/admin/areas/{world.T1}/code", data={"code": "410411201", "reason": "录入时输错"})
    assert resp.status_code == 302
    assert area("410411201").name == "曹镇乡"
    assert area("410411201001").name == "曹镇村" and area("410411201002").name == "大营村"   # children follow
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "area.code"))
    assert event.before == {"code": world.T1} and event.after["code"] == "410411201" and "录入时输错" in event.summary


def test_audit_screen_reads_as_chinese_with_years_and_is_wide_on_desktop(world, login):
    world.pay("coord1", (world.person(name="张三"), "medical"))
    client = login("dadmin")
    page = client.get("/admin/audit").get_data(as_text=True)
    body = page.split("<tbody>")[1]
    assert "收据 " in body and ">receipt " not in body                     # readable object names
    import re
    assert re.search(r"<td[^>]*>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</td>", body)  # the year is there
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert 'body[data-page="admin.audit_log"] main { max-width: 1400px; }' in css
    assert 'data-page="admin.audit_log"' in page
    assert "收据" in client.get("/admin/audit?object_type=收据").get_data(as_text=True).split("<tbody>")[1]


def test_audit_export_csv_and_xlsx(world, login):
    world.pay("coord1", (world.person(name="张三"), "medical"))
    client = login("dadmin")
    resp = client.get("/admin/audit.csv?action=payment.record")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["时间", "用户", "姓名", "操作"] and len(rows) == 2 and rows[1][3] == "收费"
    assert rows[1][0][:4].isdigit() and rows[1][4] == "收据"
    resp = client.get("/admin/audit.xlsx")
    ws = load_workbook(io.BytesIO(resp.data)).active
    assert ws["A1"].value == "时间" and ws.max_row > 2
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.export"))


def test_township_admins_see_their_own_townships_events(world, login):
    world.pay("coord1", (world.person(name="张三"), "medical"))                          # 曹镇乡
    world.pay("coord3", (world.person(world.V3, name="李四"), "medical"))                # 马庄街道
    events = audit.search_events(world.actor("tadmin1")).items
    users = {e.user.username for e in events if e.user}
    assert "coord1" in users and "coord3" not in users and "dadmin" not in users
    page = login("tadmin1").get("/admin/audit").get_data(as_text=True)
    assert "coord1" in page and "coord3" not in page.split("<tbody>")[1]
    with pytest.raises(Forbidden):
        audit.search_events(world.actor("coord1"))


def test_the_audit_page_survives_any_query(world, login):
    resp = login("dadmin").get("/admin/audit?fmt=xlsx&page=2&evil=1&action=payment.record")
    assert resp.status_code == 200
    assert "/admin/audit.csv?action=payment.record" in resp.get_data(as_text=True)
