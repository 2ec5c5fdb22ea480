"""Who may call the API: logged-in session, the right role, the right villages."""


from tests.factories import World
from tests.offline.conftest import assert_documented, payment_body
from webapp.services import accounts
from webapp.services.actor import SYSTEM


def test_anonymous_gets_401_json_not_a_login_page(world, client):
    p = world.person()
    for resp in (client.get(f"/api/v1/villages/{World.V1}/worklist"), client.get("/api/v1/me"),
                 client.post("/api/v1/payments", json=payment_body((p, "medical")))):
        assert resp.status_code == 401
        assert resp.get_json() == {"error": "请先登录", "code": "login_required"}


def test_worklist_of_a_village_outside_scope_is_404(world, login):
    c = login("coord1")
    resp = c.get(f"/api/v1/villages/{World.V2}/worklist")
    assert assert_documented(resp, "/villages/{code}/worklist", "get", 404)["code"] == "not_found"
    c = login("tadmin1")
    assert c.get(f"/api/v1/villages/{World.V2}/worklist").status_code == 200
    assert c.get(f"/api/v1/villages/{World.V3}/worklist").status_code == 404


def test_an_account_that_must_change_its_password_can_do_nothing(world, client):
    user, password = accounts.create_user(SYSTEM, username="fresh", name="新人", role="coordinator",
                                          area_codes=[World.V1])
    client.post("/login", data={"username": "fresh", "password": password})
    resp = client.get("/api/v1/me")
    assert resp.status_code == 403 and "修改初始密码" in resp.get_json()["error"]


def test_unknown_api_route_answers_json(world, login):
    resp = login("coord1").get("/api/v1/nothing-here")
    assert resp.status_code == 404 and resp.is_json


