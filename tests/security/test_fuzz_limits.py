"""The class of input that made the app answer 500 (issue 11 part 8): values at the machine's
limits. Numbers of 10, 19, 20, 310, 400 digits (past int32, int64, a float, SQLite's and
PostgreSQL's integers), datetimes at year 1 and 9999 with offsets that push them out of range,
JSON nested far past Python's recursion limit, NaN and Infinity. Every API operation in the
OpenAPI document and every field of every form the app shows gets them, one field at a time
with the others left valid, so a crash cannot hide behind an earlier validation error.
Never a 5xx; an API refusal is 400/404/409/422 with a Chinese message."""
import json
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, example, given, settings

from tests.factories import World
from tests.offline.conftest import CHINESE
from tests.security.conftest import ROLES
from tests.security.test_fuzz_forms import discover, submit
from webapp.timeutil import now_utc
from webapp.views.api_doc import OPENAPI

# Lengths of a run of 9s that cross a limit: int32, int64, float (1.8e308), and Python's
# 4300-digit int/str conversion limit.
LIMIT_DIGITS = [10, 19, 20, 310, 400, 4301]
LIMIT_MOMENTS = ["0001-01-01", "0001-01-01T00:00:00", "0001-01-01T00:00:00+08:00", "0001-01-01T00:00:00+14:00",
                 "9999-12-31", "9999-12-31T23:59:59", "9999-12-31T23:59:59.999999-08:00", "10000-01-01",
                 "0000-00-00", "1969-12-31T23:59:59Z"]
NUMBERS = st.builds(lambda sign, n, tail: sign + "9" * n + tail, st.sampled_from(["", "-", "+"]),
                    st.sampled_from(LIMIT_DIGITS) | st.integers(1, 500), st.sampled_from(["", ".5", "e309"]))
MOMENTS = st.sampled_from(LIMIT_MOMENTS) | st.builds(
    lambda dt, minutes: dt.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat(),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
    st.integers(-1439, 1439))
TEXT = NUMBERS | MOMENTS
DEPTHS = st.sampled_from([1000, 100_000]) | st.integers(1, 5000)


def nested(depth: int, kind: str) -> str:
    return "[" * depth + "]" * depth if kind == "list" else '{"a":' * depth + "1" + "}" * depth


# A raw JSON fragment put where one value of a valid body was.
FRAGMENTS = st.one_of(
    NUMBERS.filter(lambda s: not s.startswith("+")).map(lambda s: s),   # JSON numbers, however large
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e309", "-0", "true", "null", "[]", "{}"]),
    MOMENTS.map(json.dumps),
    st.builds(nested, DEPTHS, st.sampled_from(["list", "dict"])),
)

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.filter_too_much])


def valid_bodies(world) -> dict:
    """A body each POST operation of the document accepts, to put the limits into one at a time."""
    p = world.person(world.V1)
    return {
        "/payments": {"client_id": "0b9d2a8e-52c6-4e51-9d6e-2c33a2f3c1aa", "payer_name": "张三",
                      "expected_total_fen": 25000, "recorded_at": now_utc().isoformat() + "Z",
                      "household_id": p.household_id, "method": "cash",
                      "lines": [{"person_id": p.id, "kind": "medical"},
                                {"id_number": world.id_number(), "kind": "pension", "amount_fen": 20000,
                                 "name": "新人", "address": "曹镇村1号"}]},
        "/people": {"name": "新人", "id_number": world.id_number(), "address": "曹镇村1号", "village": world.V1,
                    "household_id": p.household_id, "phone": "13800138000", "relation": "子女",
                    "flags": {"disabled": True}},
        "/people/lookup": {"id_number": p.id_number},
    }


def slots(value, at="$"):
    """Every place in a JSON value a fragment can stand: the value itself and everything inside."""
    yield at
    if isinstance(value, dict):
        for k, v in value.items():
            yield from slots(v, f"{at}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from slots(v, f"{at}[{i}]")


def with_fragment(body, slot: str, fragment: str) -> str:
    """The body as JSON text with the value at `slot` replaced by the raw fragment."""
    marker = "\x01FRAGMENT\x01"
    if slot == "$":
        return fragment
    copy = json.loads(json.dumps(body))
    parts = re.findall(r"\.([^.\[]+)|\[(\d+)\]", slot[1:])
    target = copy
    for key, index in parts[:-1]:
        target = target[key] if key else target[int(index)]
    key, index = parts[-1]
    target[key if key else int(index)] = marker
    return json.dumps(copy, ensure_ascii=False).replace(json.dumps(marker), fragment)


def assert_refused_well(resp, where):
    assert resp.status_code < 500, (resp.status_code, where)
    if resp.status_code >= 400:
        assert resp.status_code in (400, 401, 403, 404, 409, 422), (resp.status_code, where)
        assert CHINESE.search(resp.get_json()["error"]), (resp.get_json(), where)


def post_operations():
    return [path for path, ops in OPENAPI["paths"].items() if "post" in ops]


def test_every_post_operation_has_a_valid_body_to_fuzz(world):
    assert set(valid_bodies(world)) == set(post_operations())


@pytest.mark.parametrize("path", post_operations())
def test_api_bodies_with_values_at_the_limits(world, login, path):
    client = login("coord1")
    body = valid_bodies(world)[path]
    places = list(slots(body))

    @settings(max_examples=6 * len(places), **SETTINGS)
    @given(slot=st.sampled_from(places), fragment=FRAGMENTS)
    def fuzz(slot, fragment):
        resp = client.post(f"/api/v1{path}", data=with_fragment(body, slot, fragment),
                           content_type="application/json")
        assert_refused_well(resp, (path, slot, fragment[:60]))

    # The limits themselves, in every place: the class is found whatever hypothesis draws.
    for slot in places:
        for fragment in [str(2**63), "9" * 400, nested(100_000, "list"), '"0001-01-01T00:00:00+08:00"',
                         '"9999-12-31T23:59:59-08:00"']:
            fuzz = example(slot=slot, fragment=fragment)(fuzz)
    fuzz()


def test_api_urls_with_values_at_the_limits(world, login):
    client = login("coord1")
    gets = [(path, op.get("parameters", [])) for path, ops in OPENAPI["paths"].items()
            for method, op in ops.items() if method == "get"]

    @settings(max_examples=40 * len(gets), **SETTINGS)
    @given(which=st.sampled_from(gets), value=TEXT)
    @example(which=("/households/{household_id}", []), value=str(2**63))
    def fuzz(which, value):
        path, params = which
        url = re.sub(r"\{[^}]+\}", quote(value, safe=""), path)
        query = "&".join(f"{p['name']}={quote(value)}" for p in params if p["in"] == "query")
        resp = client.get(f"/api/v1{url}" + (f"?{query}" if query else ""))
        assert_refused_well(resp, (url, query[:80]))

    fuzz()


def form_values(form) -> dict:
    """What the page would send untouched: each field's own value, a select's first option."""
    values = {}
    for f in form.fields:
        if f.type == "file":
            continue
        value = f.value or (f.options[0] if f.options else "")
        if f.type == "checkbox" and not f.value:
            continue
        values.setdefault(f.name, []).append(value)
    return values


def fuzz_fields(client, form, role):
    names = sorted({f.name for f in form.fields if f.type != "file"} - {"csrf_token"})
    if not names:
        return

    @settings(max_examples=4 * len(names) + 4, **SETTINGS)
    @given(name=st.sampled_from(names), value=TEXT)
    def fuzz(name, value):
        values = dict(form_values(form), **{name: [value]})
        resp = submit(client, form, values)
        assert resp.status_code < 500, (resp.status_code, form.method, form.action, name, value[:60])
        if resp.request.path == "/login" or resp.status_code == 401:
            client.post("/login", data={"username": ROLES[role], "password": World.PASSWORD})

    # The limits themselves, in every field: the class is found whatever hypothesis draws.
    for name in names:
        for value in ["9" * 400, str(2**63), "0001-01-01", "9999-12-31", "10000-01-01"]:
            fuzz = example(name=name, value=value)(fuzz)
    fuzz()


@pytest.mark.parametrize("role", list(ROLES))
def test_every_form_field_with_values_at_the_limits(app, scene, login_as, role):
    client = login_as(role)
    # Not the forms that end the session or change the password (they would log the walk out).
    forms = [f for f in discover(app, client, role, scene) if not re.search(r"/(logout|password)", f.action)]
    assert len(forms) > 3
    for form in forms:
        fuzz_fields(client, form, role)
