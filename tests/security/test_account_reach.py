"""Part 6 of issue 11: an account reaching beyond one township (villages of two townships) is
managed (password reset, edit, deactivate) by the district admin only; saving an account's form
unchanged never drops villages the editor cannot see."""
import re
from html import unescape

import pytest
from sqlalchemy import select

from tests.factories import World
from webapp.extensions import db
from webapp.models import AuditEvent, User
from webapp.services import accounts, areas
from webapp.services.actor import SYSTEM
from webapp.services.errors import Forbidden, NotFound, ValidationFailed


def make_user(username, role, codes):
    user, _ = accounts.create_user(SYSTEM, username=username, name=f"{username}姓名", role=role,
                                   area_codes=codes, password=World.PASSWORD, is_demo=True)
    return user.id


@pytest.fixture
def spanning(world):
    """A coordinator of 曹镇村 (曹镇乡) and 马庄社区 (马庄街道)."""
    return make_user("coordx", "coordinator", [World.V1, World.V3])


def fresh(user_id) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def form_as_shown(html: str) -> dict:
    """What the browser would send back for the page's account form, touched by nobody."""
    form = html[html.index('<form method="post"'):]
    form = form[:form.index("</form>")]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = (re.search(r'type="([^"]+)"', tag) or [None, "text"])[1]
        value = unescape((re.search(r'value="([^"]*)"', tag) or [None, ""])[1])
        if kind == "checkbox":
            if " checked" in tag:
                data[name[1]] = value or "y"
        elif kind != "submit":
            data[name[1]] = value
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        options = re.findall(r"<option[^>]*>", body)
        data[name] = [re.search(r'value="([^"]*)"', o)[1] for o in options if re.search(r"\sselected", o)]
    return data


def resets_of(user_id):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.reset_password",
                                                       AuditEvent.object_id == str(user_id))).all()


@pytest.mark.parametrize("admin", ["tadmin1", "tadmin2"])
def test_township_admin_cannot_reset_an_account_beyond_its_township(world, login, spanning, admin):
    client = login(admin)
    resp = client.post(f"/admin/users/{spanning}/reset-password", follow_redirects=True)
    assert accounts.BEYOND_TOWNSHIP in resp.get_data(as_text=True)
    assert fresh(spanning).check_password(World.PASSWORD)      # the owner's password still works
    assert not fresh(spanning).must_change_password and not resets_of(spanning)
    with pytest.raises(Forbidden):
        accounts.reset_password(world.actor(admin), spanning)


@pytest.mark.parametrize("admin", ["tadmin1", "tadmin2"])
def test_township_admin_cannot_open_edit_or_deactivate_an_account_beyond_its_township(world, login, spanning,
                                                                                      admin):
    client = login(admin)
    page = client.get(f"/admin/users/{spanning}")
    assert page.status_code == 403 and accounts.BEYOND_TOWNSHIP in page.get_data(as_text=True)
    resp = client.post(f"/admin/users/{spanning}", data={"name": "改名", "areas": [World.V1]})  # active off
    assert resp.status_code == 403
    user = fresh(spanning)
    assert user.active and user.name == "coordx姓名"
    assert sorted(a.code for a in user.areas) == sorted([World.V1, World.V3])
    with pytest.raises(Forbidden):
        accounts.update_user(world.actor(admin), spanning, name="x", title="", phone="", active=False,
                             area_codes=[World.V1])
    # The list still shows the account (it works in the admin's villages), without a way in.
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "coordx" in listing and f"/admin/users/{spanning}" not in listing


def test_district_admin_manages_the_account_and_saving_unchanged_keeps_both_villages(world, login, spanning):
    client = login("dadmin")
    page = client.get(f"/admin/users/{spanning}").get_data(as_text=True)
    data = form_as_shown(page)
    assert sorted(data["areas"]) == sorted([World.V1, World.V3])
    assert client.post(f"/admin/users/{spanning}", data=data).status_code == 302
    assert sorted(a.code for a in fresh(spanning).areas) == sorted([World.V1, World.V3])
    resp = client.post(f"/admin/users/{spanning}/reset-password")
    assert resp.status_code == 200 and "临时密码" in resp.get_data(as_text=True)
    assert fresh(spanning).must_change_password and len(resets_of(spanning)) == 1


def test_saving_an_account_form_keeps_villages_the_editor_cannot_see(world, login):
    """A village of another district is not in the district admin's form: it must stay."""
    areas.create_area(SYSTEM, parent_code=None, code="410422", name="叶县", full_name="平顶山市叶县")
    areas.create_area(SYSTEM, parent_code="410422", code="410422100", name="昆阳街道", kind="subdistrict")
    areas.create_area(SYSTEM, parent_code="410422100", code="410422100001", name="城关社区", kind="community",
                      point_kind="community_station")
    uid = make_user("coordy", "coordinator", [World.V1, "410422100001"])
    client = login("dadmin")
    data = form_as_shown(client.get(f"/admin/users/{uid}").get_data(as_text=True))
    assert data["areas"] == [World.V1]                        # the editor sees only its own
    assert client.post(f"/admin/users/{uid}", data=dict(data, title="新职务")).status_code == 302
    user = fresh(uid)
    assert user.title == "新职务"
    assert sorted(a.code for a in user.areas) == sorted([World.V1, "410422100001"])


def test_township_admin_still_manages_its_own_coordinators(world, login):
    client = login("tadmin1")
    uid = world.users["coord2"].id
    data = form_as_shown(client.get(f"/admin/users/{uid}").get_data(as_text=True))
    assert data["areas"] == [World.V2]
    assert client.post(f"/admin/users/{uid}", data=dict(data, areas=[World.V1, World.V2])).status_code == 302
    assert sorted(a.code for a in fresh(uid).areas) == [World.V1, World.V2]
    assert client.post(f"/admin/users/{uid}/reset-password").status_code == 200
    assert fresh(uid).must_change_password


def test_an_admin_of_two_townships_cannot_make_or_manage_an_account_spanning_them(world):
    tid = make_user("tadmin12", "township_admin", [World.T1, World.T2])
    actor = accounts.Actor(db.session.get(User, tid), "127.0.0.1")
    with pytest.raises(ValidationFailed) as e:
        accounts.create_user(actor, username="coordz", name="新人", role="coordinator",
                             area_codes=[World.V1, World.V3])
    assert "同一乡镇" in e.value.errors["areas"]
    with pytest.raises(ValidationFailed):
        accounts.update_user(actor, world.users["coord1"].id, name="coord1姓名", title="", phone="",
                             active=True, area_codes=[World.V1, World.V3])
    spanning = make_user("coordx", "coordinator", [World.V1, World.V3])
    assert not accounts.may_manage(actor, fresh(spanning))
    assert accounts.may_manage(actor, fresh(world.users["coord3"].id))


def test_a_district_admin_sees_and_manages_only_its_own_districts_accounts(world):
    """Several districts in one installation: another district's staff are not in the list and
    cannot be reset, edited or deactivated (the list used to hold every account)."""
    areas.create_area(SYSTEM, parent_code=None, code="410402", name="新华区", full_name="平顶山市新华区")
    areas.create_area(SYSTEM, parent_code="410402", code="410402001", name="中兴路街道", kind="subdistrict")
    areas.create_area(SYSTEM, parent_code="410402001", code="410402001001", name="中兴社区", kind="community",
                      point_kind="community_station")
    other_admin = make_user("xinhua", "district_admin", ["410402"])
    other_coord = make_user("xinhua1", "coordinator", ["410402001001"])
    ours = world.actor("dadmin")
    listed = {u.username for u in db.session.scalars(accounts.manageable_users(ours))}
    assert {"dadmin", "tadmin1", "coord1", "coord3"} <= listed
    assert not listed & {"xinhua", "xinhua1"}
    for user_id in (other_admin, other_coord):
        with pytest.raises(NotFound):
            accounts.get_manageable_user(ours, user_id)
    theirs = accounts.manageable_users(accounts_actor(other_admin))
    assert {u.username for u in db.session.scalars(theirs)} == {"xinhua", "xinhua1"}


def accounts_actor(user_id):
    from webapp.services.actor import Actor
    return Actor(db.session.get(User, user_id), "127.0.0.1")
