"""Issue 11 part 8: the malformed inputs fuzzing found answered 500. Each is now a 400/404/422
with a Chinese message (tests/security/test_fuzz_limits.py keeps looking for the class)."""
import re
import uuid

import pytest

from tests.factories import World
from tests.offline.conftest import CHINESE

BIG = [2**63, 2**64, -(2**63) - 1, 10**400]


def api_error(resp, status):
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert CHINESE.search(body["error"])
    return body


@pytest.mark.parametrize("path", ["/api/v1/payments", "/api/v1/people", "/api/v1/people/lookup"])
@pytest.mark.parametrize("doc", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_deeply_nested_json_is_refused_not_a_crash(world, login, path, doc):
    resp = login("coord1").post(path, data=doc, content_type="application/json")
    assert api_error(resp, 422)["errors"] == {"body": "请求内容应为 JSON 对象"}


def test_deeply_nested_json_login_is_refused(world, client):
    resp = client.post("/login", data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert resp.status_code in (400, 422) and "出错了" not in resp.get_data(as_text=True)


@pytest.mark.parametrize("value", BIG)
def test_api_ids_beyond_the_database_integer_are_field_errors(world, login, value):
    client = login("coord1")
    p = world.person()
    pay = {"client_id": str(uuid.uuid4()), "lines": [{"person_id": value, "kind": "medical"}]}
    assert api_error(client.post("/api/v1/payments", json=pay), 422)["errors"] == {
        "lines[0].person_id": "数值超出范围"}
    pay = {"client_id": str(uuid.uuid4()), "household_id": value, "lines": [{"person_id": p.id, "kind": "medical"}]}
    assert api_error(client.post("/api/v1/payments", json=pay), 422)["errors"] == {"household_id": "数值超出范围"}
    person = {"name": "新人", "id_number": world.id_number(), "address": "x", "village": World.V1,
              "household_id": value}
    assert api_error(client.post("/api/v1/people", json=person), 422)["errors"] == {"household_id": "数值超出范围"}


@pytest.mark.parametrize("value", BIG[:2])
def test_ids_beyond_the_database_integer_in_urls_name_nothing(world, login, value):
    client = login("coord1")
    api_error(client.get(f"/api/v1/households/{value}"), 404)
    assert client.get(f"/households/{value}").status_code == 404
    assert client.get(f"/register?household={value}").status_code in (200, 404)
    assert client.get(f"/api/v1/villages/{World.V1}/worklist?page={value}&per_page={value}").status_code == 200
    client = login("dadmin")
    assert client.get(f"/admin/users/{value}").status_code == 404
    assert client.get(f"/admin/audit?page={value}").status_code == 200


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+08:00", "0001-01-01T00:00:00+14:00",
                                    "9999-12-31T23:59:59-08:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59",
                                    "1999-12-31T23:59:59", "2100-01-01T00:00:01"])
def test_recorded_at_at_the_datetime_limits_is_a_field_error(world, login, moment):
    p = world.person()
    body = {"client_id": str(uuid.uuid4()), "lines": [{"person_id": p.id, "kind": "medical"}], "recorded_at": moment}
    resp = login("coord1").post("/api/v1/payments", json=body)
    assert api_error(resp, 422)["errors"] == {"recorded_at": "时间超出范围"}


def test_recorded_at_within_the_range_but_not_believable_is_a_chinese_field_error(world, login):
    """Parsable, but no phone took money in 2000: refused (services.sync.taken_at), not a 500."""
    p = world.person()
    body = {"client_id": str(uuid.uuid4()), "lines": [{"person_id": p.id, "kind": "medical"}],
            "recorded_at": "2000-01-01T00:00:00+00:00"}
    message = api_error(login("coord1").post("/api/v1/payments", json=body), 422)["errors"]["recorded_at"]
    assert "手机时间" in message


def campaign_form(client) -> dict:
    page = client.get("/admin/campaign").get_data(as_text=True)
    data = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and ('type="checkbox"' not in tag or " checked" in tag):
            data[name[1]] = value[1] if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = text.strip()
    return data


def error_next_to(html: str, name: str) -> str:
    """The error text shown with the field `name` (the field macro puts it after the input)."""
    at = html.index(f'name="{name}"')
    found = re.search(r'class="[^"]*err[^"]*"[^>]*>([^<]+)<', html[at:at + 3000])
    assert found, html[at:at + 800]
    return found[1]


@pytest.mark.parametrize("field", ["coverage_year", "pension_min_age", "pension_max_age"])
def test_a_400_digit_number_on_the_campaign_form_is_a_chinese_field_error(world, login, field):
    client = login("dadmin")
    data = campaign_form(client)
    for value, words in [("9" * 400, "数字太大"), ("-" + "9" * 400, "数字太大"), ("12abc", "请填写整数")]:
        resp = client.post("/admin/campaign", data=dict(data, **{field: value}))
        assert resp.status_code == 422
        assert error_next_to(resp.get_data(as_text=True), field) == words


@pytest.mark.parametrize("field,value", [("tiers_text", "9" * 400 + " 40"), ("medical_resident", "9" * 400),
                                         ("gov_dibao_pension_yuan", "9" * 400)])
def test_a_400_digit_amount_on_the_campaign_form_is_a_chinese_field_error(world, login, field, value):
    client = login("dadmin")
    data = campaign_form(client)
    assert field in data
    resp = client.post("/admin/campaign", data=dict(data, **{field: value}))
    assert resp.status_code == 422
    assert CHINESE.search(error_next_to(resp.get_data(as_text=True), field))


@pytest.mark.parametrize("value,words", [("0001-01-01", "日期超出范围（1900–2100 年）"),
                                         ("9999-12-31", "日期超出范围（1900–2100 年）"),
                                         ("2018-02-30", "日期不对，请按 年-月-日 填写，如 2018-11-01")])
def test_dates_on_forms_outside_the_calendar_we_use_are_chinese_field_errors(world, login, value, words):
    client = login("dadmin")
    resp = client.post("/admin/campaign", data=dict(campaign_form(client), collection_end=value))
    assert resp.status_code == 422
    assert error_next_to(resp.get_data(as_text=True), "collection_end") == words
    assert client.get(f"/admin/audit?day_from={value}&day_to={value}").status_code == 200
