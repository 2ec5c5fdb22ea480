"""The OpenAPI document itself: served, well formed, and covering every route of the API."""
import re

import pytest
from jsonschema import Draft202012Validator

from webapp.views.api_doc import OPENAPI


def test_document_is_served_without_login(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["openapi"].startswith("3.1") and doc["servers"] == [{"url": "/api/v1"}]
    # The operations the phone relies on, with the answers it handles.
    assert {"201", "409", "422"} <= set(doc["paths"]["/payments"]["post"]["responses"])
    assert "get" in doc["paths"]["/me"]


@pytest.mark.parametrize("name", sorted(OPENAPI["components"]["schemas"]))
def test_every_schema_is_valid_json_schema(name):
    Draft202012Validator.check_schema(OPENAPI["components"]["schemas"][name])


def test_every_api_route_is_documented_and_nothing_else(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1"):])
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, ops in OPENAPI["paths"].items() for method in ops}
    assert routes == documented


def test_every_ref_points_at_a_schema():
    text = repr(OPENAPI)
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in OPENAPI["components"]["schemas"]


def test_every_post_documents_csrf_and_its_errors():
    for path, ops in OPENAPI["paths"].items():
        for method, op in ops.items():
            if method == "post":
                assert any(p["name"] == "X-CSRFToken" for p in op["parameters"]), path
                assert {"400", "401", "422"} <= set(op["responses"]), path
