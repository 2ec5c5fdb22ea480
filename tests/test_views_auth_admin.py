import re

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditEvent, User


def text(resp):
    return resp.get_data(as_text=True)


def test_login_form_and_wrong_password(world, client):
    page = text(client.get("/login"))
    assert 'name="username"' in page and 'name="password"' in page
    resp = client.post("/login", data={"username": "coord1", "password": "nope"})
    assert resp.status_code == 200 and "用户名或密码不对" in text(resp)
    resp = client.post("/login", data={"username": "coord1", "password": world.PASSWORD})
    assert resp.status_code == 302


def test_login_refuses_to_redirect_offsite(world, client):
    resp = client.post("/login?next=//evil.example/x", data={"username": "coord1", "password": world.PASSWORD})
    assert resp.location == "/"


def test_admin_created_account_must_change_password_first(world, login, client):
    admin = login("tadmin1")
    resp = admin.post("/admin/users/new", data={"username": "newbie", "name": "新人", "role": "coordinator",
                                                "areas": [world.V1], "title": "村官", "phone": ""})
    password = re.search(r'id="temp-password">([^<]+)<', text(resp)).group(1)
    client.post("/logout")
    resp = client.post("/login", data={"username": "newbie", "password": password})
    assert resp.location.endswith("/password")
    assert client.get(f"/villages/{world.V1}").location.endswith("/password")
    resp = client.post("/password", data={"current": password, "new": "Mine2018x", "confirm": "Mine2018x"})
    assert resp.status_code == 302
    assert client.get(f"/villages/{world.V1}").status_code == 200


def test_reset_password_logs_the_user_out_everywhere(world, login, app):
    coord = app.test_client()
    coord.post("/login", data={"username": "coord1", "password": world.PASSWORD})
    assert coord.get("/").status_code == 200
    admin = login("tadmin1")
    resp = admin.post(f"/admin/users/{world.users['coord1'].id}/reset-password")
    assert "临时密码" in text(resp)
    assert "/login" in coord.get("/").location


def test_campaign_form_edits_and_reports_errors_by_field(world, login):
    client = login("dadmin")
    page = text(client.get("/admin/campaign"))
    assert "200 40" in page
    form = {m.group(1): m.group(2) for m in re.finditer(r'name="([a-z_]+)"[^>]*value="([^"]*)"', page)}
    form["tiers_text"] = "200 40\n300 abc"
    resp = client.post("/admin/campaign", data=form)
    assert resp.status_code == 422 and "第 2 行的金额不是数字" in text(resp)
    form["tiers_text"] = "200 40\n300 45"
    form["medical_resident"] = "280"
    resp = client.post("/admin/campaign", data=form)
    assert resp.status_code == 302
    assert "280" in text(client.get("/admin/campaign"))


def test_audit_log_filters(world, login):
    world.person()
    client = login("dadmin")
    page = text(client.get("/admin/audit?action=user.create"))
    assert "新建账号" in page and "登录" not in page.split("<tbody>")[1]
    assert client.get("/admin/audit?day_from=notadate").status_code == 200


def test_area_management(world, login):
    client = login("dadmin")
    resp = client.post("/admin/areas/new", data={"parent": world.T1, "code": "41041120000X", "name": "新村",
                                                 "kind": "village", "point_kind": "village_clinic"})
    assert resp.status_code == 422 and "12 位数字" in text(resp)
    resp = client.post("/admin/areas/new", data={"parent": world.T1, "code": "410411200009", "name": "新村",
                                                 "kind": "village", "point_kind": "village_clinic",
                                                 "office_phone": ""})
    assert resp.status_code == 302
    assert "湛河区曹镇乡新村卫生室" in text(client.get("/admin/areas"))   # a 村卫生室, not a 村民委员会


def test_every_change_names_who_and_where_from(world, login):
    client = login("coord1")
    p = world.person()
    client.post(f"/people/{p.id}/edit", data={"relation": "户主", "address": "新址", "phone": ""},
                environ_base={"REMOTE_ADDR": "10.1.2.3"})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.update"))
    assert event.ip == "10.1.2.3" and event.user_id == db.session.scalar(
        select(User.id).where(User.username == "coord1"))


def test_security_headers(world, client):
    resp = client.get("/login")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
