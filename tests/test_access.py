"""Access control over the whole URL map, for every role, without a list of routes to maintain.

- Anonymous: every route not marked @public redirects to the login page (or answers 401/403).
- A route restricted with roles_required answers 403 to the other roles.
- A coordinator and a township admin reaching for objects of another village or township (any
  id or code in the URL) get 403/404 and never that object's data; POSTs there change nothing.
New routes are covered as they appear; their parameters get the ids and codes of foreign objects.
"""
import re
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from webapp.extensions import db
from webapp.models import AuditEvent, Payment, Person, Receipt
from webapp.services import people

SECRET_NAME = "外村秘密"
SECRET_PHONE = "13912345678"


def body_text(resp) -> str:
    """What a response shows a person: the text of a PDF, the page otherwise."""
    if resp.mimetype == "application/pdf":
        import io

        from pypdf import PdfReader
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(resp.data)).pages)
    if resp.mimetype.startswith(("text/", "application/json", "application/javascript")):
        return resp.get_data(as_text=True)
    return resp.data.decode("utf-8", errors="replace")


def endpoints(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


@pytest.fixture
def setting(world):
    """Foreign objects in V3 (township T2), own objects in V1 (township T1)."""
    foreign = world.person(world.V3, name=SECRET_NAME, phone=SECRET_PHONE, birth=date(1970, 1, 1))
    foreign_receipt = world.pay("coord3", (foreign, "medical"))
    own = world.person(world.V1, name="本村人", birth=date(1971, 1, 1))
    own_receipt = world.pay("coord1", (own, "medical"))
    people.rename_person(world.actor("coord3"), foreign.id, SECRET_NAME + "乙", "更名测试")
    return {
        "foreign": {"int": [foreign.id, foreign.household_id, foreign_receipt.id, world.users["coord3"].id,
                            world.users["tadmin2"].id],
                    "str": [world.V3, world.T2, foreign_receipt.number, foreign_receipt.number + ".1.x"]},
        "own": {"int": [own.id, own.household_id, own_receipt.id, world.users["coord1"].id],
                "str": [world.V1, world.T1, own_receipt.number]},
        "secret_id_tail": foreign.id_number[-8:],
    }


def urls_for(rule, values):
    """Every way to fill the rule's parameters from the candidate values."""
    if not rule.arguments:
        return [rule.rule]
    out = []
    for arg in rule.arguments:
        pool = values["int"] if isinstance(rule._converters[arg], IntegerConverter) else values["str"]
        for v in pool:
            filled = re.sub(r"<(?:[^:>]+:)?" + arg + r">", str(v), rule.rule)
            if "<" not in filled:
                out.append(filled)
    return out


def data_changes():
    return (db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action.notin_(
                ["login", "login_failed", "logout"]))),
            db.session.scalar(select(func.count(Payment.id))), db.session.scalar(select(func.count(Receipt.id))),
            db.session.scalar(select(func.count(Person.id))))


def test_anonymous_reaches_only_public_routes(app, client, setting):
    for rule, view in endpoints(app):
        if getattr(view, "public", False):
            continue
        for url in urls_for(rule, setting["own"]):
            for method in rule.methods & {"GET", "POST"}:
                resp = client.open(url, method=method)
                assert resp.status_code in (302, 401, 403), (method, url, resp.status_code)
                if resp.status_code == 302:
                    assert "/login" in resp.location, (url, resp.location)


@pytest.mark.parametrize("username", ["coord1", "tadmin1", "dadmin"])
def test_roles_outside_a_route_get_403(app, world, login, setting, username):
    client = login(username)
    role = world.user(username).role
    for rule, view in endpoints(app):
        roles = getattr(view, "roles", None)
        if roles is None or role in roles or "GET" not in rule.methods:
            continue
        for url in urls_for(rule, setting["own"]):
            assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("username", ["coord1", "tadmin1"])
def test_foreign_objects_are_out_of_reach(app, world, login, setting, username):
    client = login(username)
    before = data_changes()
    for rule, view in endpoints(app):
        if getattr(view, "public", False) or not rule.arguments:
            continue
        for url in urls_for(rule, setting["foreign"]):
            for method in sorted(rule.methods & {"GET", "POST"}):
                resp = client.open(url, method=method)
                body = body_text(resp)
                assert resp.status_code != 500, (method, url)
                assert SECRET_NAME not in body and SECRET_PHONE not in body, (method, url)
                assert setting["secret_id_tail"] not in body, (method, url)
                if resp.status_code < 400:
                    # Only harmless outcomes: a redirect elsewhere, or a page that holds nothing foreign.
                    assert method == "GET" or resp.status_code == 302, (method, url, resp.status_code)
    db.session.rollback()
    assert data_changes() == before


@pytest.mark.parametrize("username", ["coord1", "tadmin1"])
def test_lists_never_show_other_areas(app, world, login, setting, username):
    client = login(username)
    for rule, view in endpoints(app):
        if rule.arguments or "GET" not in rule.methods or getattr(view, "public", False):
            continue
        queries = ("外村", "wcm", setting["secret_id_tail"][-4:])
        for url in [rule.rule] + [f"{rule.rule}?q={q}" for q in queries]:
            body = body_text(client.get(url))
            assert SECRET_NAME not in body, url


@pytest.mark.parametrize("username", ["coord1", "tadmin1", "dadmin"])
def test_every_page_of_ones_own_answers_without_error(app, world, login, setting, username):
    client = login(username)
    role = world.user(username).role
    for rule, view in endpoints(app):
        if "GET" not in rule.methods or role not in getattr(view, "roles", (role,)):
            continue
        for url in urls_for(rule, setting["own"]):
            assert client.get(url).status_code < 500, url
