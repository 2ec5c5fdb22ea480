"""The city admin (市管理员): sees the progress of its city's districts, one row each, and drills
down into one; does nothing else; figures equal the recount. A district admin cannot see the
city page; a district of another city is invisible."""
from datetime import date

import pytest

from tests.progress.test_counters import assert_counted_equals_recount
from webapp.extensions import db
from webapp.models import User
from webapp.services import accounts, areas, payments, progress
from webapp.services.actor import SYSTEM, Actor
from webapp.services.errors import Forbidden, NotFound, ValidationFailed


@pytest.fixture
def city(world):
    """World's 湛河区 (410411) plus 新华区 (410402) of the same city, 平顶山市 (4104), and 中原区
    (410102) of 郑州市; a coordinator in each new district's village; the city admin of 4104.
    (Village codes end differently: receipt numbers carry only the last 6 digits of the code.)"""
    for d, name, full, t, v in (("410402", "新华区", "平顶山市新华区", "410402002", "410402002003"),
                                ("410102", "中原区", "郑州市中原区", "410102004", "410102004005")):
        areas.create_area(SYSTEM, parent_code=None, code=d, name=name, full_name=full)
        areas.create_area(SYSTEM, parent_code=d, code=t, name=f"{name}一街道", kind="subdistrict")
        areas.create_area(SYSTEM, parent_code=t, code=v, name=f"{name}一社区", kind="community",
                          point_kind="community_station")
        world.users[f"coord{d}"], _ = accounts.create_user(
            SYSTEM, username=f"coord{d}", name="协管员", role="coordinator", area_codes=[v],
            password=world.PASSWORD, is_demo=True)
    world.users["cadmin"], _ = accounts.create_user(
        SYSTEM, username="cadmin", name="市局", role="city_admin", area_codes=["4104"],
        password=world.PASSWORD, is_demo=True)
    p = world.person
    a, b = p(world.V1, birth=date(1980, 1, 1)), p(world.V3, birth=date(1970, 1, 1), new_enrollee=True)
    c, z = p("410402002003", birth=date(1985, 1, 1)), p("410102004005", birth=date(1985, 1, 1))
    world.pay("coord1", (a, "pension", 20000), (a, "medical"))
    world.pay("coord3", (b, "medical"))
    r = world.pay("coord410402", (c, "pension", 30000), (c, "medical"))
    payments.void_receipt(world.actor("coord410402"), r.number, "录错")
    world.pay("coord410402", (c, "medical"))
    world.pay("coord410102", (z, "medical"))
    return world


def _rows(report):
    return {f.code: f.as_dict() for f in [report.total, *report.districts]}


def test_the_city_admin_is_attached_to_its_citys_districts_only(city):
    user = db.session.scalar(db.select(User).where(User.username == "cadmin"))
    assert [a.code for a in user.areas] == ["410402", "410411"]


def test_city_figures_one_row_per_district_equal_the_recount_and_the_districts_dashboards(city):
    admin = city.actor("cadmin")
    r = progress.city_report(admin)
    assert r.code == "4104" and r.name == "平顶山市"
    assert {f.code for f in r.districts} == {"410402", "410411"}
    assert _rows(r) == _rows(progress.city_report(admin, recount=True))
    zhanhe = {f.code: f for f in r.districts}["410411"]
    district = progress.progress_report(city.actor("dadmin")).total
    assert {k: v for k, v in zhanhe.as_dict().items() if k not in ("code", "name", "rank")} == \
        {k: v for k, v in district.as_dict().items() if k not in ("code", "name", "rank")}
    xinhua = {f.code: f for f in r.districts}["410402"]
    assert (xinhua.paid_pension, xinhua.paid_medical, xinhua.voids, xinhua.medical_fen) == (0, 1, 1, 25000)
    assert r.total.paid_medical == 3 and r.total.new_enrollees == 1
    # Drill-down: a district of the city, and one of its townships, from the same counters.
    down = progress.progress_report(admin, area_code="410411")
    assert down.total.as_dict() | {"rank": 0} == district.as_dict() | {"rank": 0}
    assert progress.progress_report(admin, area_code=city.T1).villages
    assert_counted_equals_recount(city)


def test_access_rules(city):
    admin = city.actor("cadmin")
    with pytest.raises(NotFound):
        progress.city_report(admin, "4101")                      # another city
    with pytest.raises(NotFound):
        progress.progress_report(admin, area_code="410102")      # a district of another city
    with pytest.raises(Forbidden):
        progress.city_report(city.actor("dadmin"))
    with pytest.raises(Forbidden):
        progress.home_summary(admin)                             # the admin home is a district's
    with pytest.raises(ValidationFailed):                        # only the command line makes one
        accounts.create_user(city.actor("dadmin"), username="cadmin2", name="x", role="city_admin",
                             area_codes=["410411"])
    cadmin = city.users["cadmin"].id
    with pytest.raises(NotFound):                                # nor reset its password
        accounts.reset_password(city.actor("dadmin"), cadmin)
    for codes in (["41"], ["4104", "4101"], ["9999"]):
        with pytest.raises(ValidationFailed):
            accounts.create_user(SYSTEM, username="cadmin3", name="x", role="city_admin", area_codes=codes)


def test_city_pages(city, client, login):
    login("cadmin")
    assert client.get("/").headers["Location"].endswith("/progress/city")
    page = client.get("/progress/city").get_data(as_text=True)
    assert "平顶山市" in page and "湛河区" in page and "新华区" in page and "中原区" not in page
    assert 'href="/progress/?area=410411' in page
    assert client.get("/progress/city?day=bad").status_code == 422
    assert client.get("/progress/?area=410411").status_code == 200
    assert client.get("/progress/?area=410102").status_code == 404
    assert client.get("/progress/410411/report.pdf").status_code == 200
    # Read-only: no admin pages, no collection, no settings.
    for url in ("/admin/", "/admin/users", "/admin/campaign", "/villages/" + city.V1):
        assert client.get(url).status_code in (403, 404), url
    login("dadmin")
    assert client.get("/progress/city").status_code == 403


def test_create_user_command_makes_a_city_admin(city, runner):
    result = runner.invoke(args=["create-user", "--role", "city_admin", "--username", "shi",
                                 "--name", "市局", "--area", "4104"])
    assert result.exit_code == 0 and result.output.startswith("city_admin\tshi\t")
    user = db.session.scalar(db.select(User).where(User.username == "shi"))
    assert {a.code for a in user.areas} == {"410411", "410402"}
    assert progress.city_report(Actor(user, "127.0.0.1")).code == "4104"
