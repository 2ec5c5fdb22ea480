"""Helpers for the offline/API tests: OpenAPI response checks, payment bodies, CSRF login."""
import json
import re
import uuid

import pytest
from flask import g
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.factories import World
from webapp.views.api_doc import OPENAPI

_REGISTRY = Registry().with_resource("urn:lx-api", Resource.from_contents(OPENAPI, default_specification=DRAFT202012))
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def response_schema(path: str, method: str, status: int) -> dict:
    op = OPENAPI["paths"][path][method.lower()]
    schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
    # Refs in the document are relative to its root; point them at the registered document.
    return json.loads(json.dumps(schema).replace('"#/components/', '"urn:lx-api#/components/'))


def assert_documented(resp, path: str, method: str = "get", status: int | None = None):
    """The answer has the documented status and its body matches the documented schema."""
    status = status or resp.status_code
    assert resp.status_code == status, resp.get_data(as_text=True)[:800]
    assert resp.mimetype == "application/json"
    validator = Draft202012Validator(response_schema(path, method, status), registry=_REGISTRY,
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(resp.get_json()), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    return resp.get_json()


def payment_body(*lines, **extra) -> dict:
    """payment_body((person, 'medical'), (person, 'pension', 20000), payer_name='x')."""
    out = []
    for person, kind, *tier in lines:
        line = {"person_id": person.id, "kind": kind}
        if tier:
            line["amount_fen"] = tier[0]
        out.append(line)
    return {"client_id": str(uuid.uuid4()), "lines": out, **extra}


@pytest.fixture
def coord(login):
    return login("coord1")


def csrf_of(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def page_token(client, url="/") -> str:
    """The CSRF token a page carries. The `app` fixture keeps one app context for the whole test,
    so `g` outlives a request; Flask-WTF caches the token in `g`: drop it, as a new request would."""
    g.pop("csrf_token", None)
    return csrf_of(client.get(url).get_data(as_text=True))


@pytest.fixture
def csrf_login(client):
    """Log in through the real form with CSRF on; returns the page's token."""
    def do(username, password=World.PASSWORD):
        token = page_token(client, "/login")
        resp = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return page_token(client)
    return do
