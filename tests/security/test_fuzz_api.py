"""Schemathesis against the app's own OpenAPI document, in-process (WSGI), as a logged-in
coordinator over the `world`: no answer is a 5xx, and every answer has a documented status code,
content type, headers and a body that matches its documented schema."""
from datetime import date

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from webapp.views.api_doc import OPENAPI

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@pytest.fixture
def real_values(world):
    """Ids and codes of the coordinator's own objects (and a foreign one), so that fuzzed path
    parameters reach real households and villages, not only 404."""
    own = world.person(world.V1, name="张三", birth=date(1980, 1, 1))
    world.person(world.V1, name="李四", birth=date(2000, 1, 1), household=own.household_id)
    paid = world.person(world.V1, name="王五", birth=date(1950, 1, 1))
    world.pay("coord1", (paid, "medical"))
    foreign = world.person(world.V3, name="赵六")
    households = [own.household_id, paid.household_id, foreign.household_id]
    return {"code": [world.V1, world.V2, world.V3], "village": [world.V1, world.V3],
            "household_id": households, "person_id": [own.id, own.id + 1, paid.id, foreign.id],
            "id_number": [own.id_number, foreign.id_number] + [world.id_number() for _ in range(20)],
            "name": ["新人", "欧阳·娜娜", "Ayşe"], "relation": ["户主", "子女", "配偶"],
            "phone": ["13800138000", ""], "tier": sorted(t.amount_fen for t in world.campaign.tiers)}


# The document the app serves is this very object (tests/offline/test_openapi.py checks it);
# loading it at import lets schemathesis parametrize one test per operation
# while each test still gets its own app, database and world from the ordinary fixtures.
schema = schemathesis.openapi.from_dict(OPENAPI)


@schema.parametrize()
@schema.given(data=st.data())
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_answers_as_documented(case, data, app, login, real_values):
    client = login("coord1")
    # The document's security scheme is the `session` cookie, so schemathesis generates one (and
    # deletes the client's afterwards): always send the logged-in coordinator's real one.
    session = client.get_cookie("session").value
    for name in case.path_parameters or {}:
        if name in real_values and data.draw(st.booleans(), label=f"real {name}"):
            case.path_parameters[name] = data.draw(st.sampled_from(real_values[name]), label=name)
    # Half the time the body names real people, villages, fresh valid ID numbers and tiers, so
    # that fuzzed requests also get past validation: payments recorded, people registered, found.
    body = case.body if isinstance(case.body, dict) else {}
    if body and data.draw(st.booleans(), label="real body"):
        lines = [line for line in body.get("lines") or [] if isinstance(line, dict)]
        for item in [body] + lines:
            for name in set(item) & set(real_values):
                item[name] = data.draw(st.sampled_from(real_values[name]), label=name)
        for line in lines:
            line.pop("amount_fen", None)
            if line.get("kind") == "pension":
                line["amount_fen"] = data.draw(st.sampled_from(real_values["tier"]), label="tier")
        body.pop("expected_total_fen", None)
    # Schemathesis sends requests' default Accept-Encoding (gzip, br, zstd), which Flask-Compress
    # honours, but its WSGI transport does not decompress: ask for the plain body.
    response = case.call(session=client, app=app, headers={"Accept-Encoding": "identity"},
                           cookies={"session": session})
    case.validate_response(response, checks=CHECKS)

