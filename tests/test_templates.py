"""Explicit wiring of the templates (issue 14, part 4): no include that silently renders nothing,
no template global that runs a query; the pages a view renders name only what it passed."""
from pathlib import Path

import jinja2
import pytest
from jinja2 import StrictUndefined, nodes

TEMPLATES = Path(__file__).resolve().parent.parent / "webapp" / "templates"
ALL = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))


def _parse(app, name):
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    return app.jinja_env.parse(source)


@pytest.mark.parametrize("name", ALL)
def test_every_include_names_a_template_that_exists(app, name):
    """A typo in an include, extends or import fails here (and when the page renders), it does
    not render nothing."""
    tree = _parse(app, name)
    for node in tree.find_all((nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)):
        assert not getattr(node, "ignore_missing", False), f"{name}: include … ignore missing"
        if isinstance(node.template, nodes.Const):
            target = node.template.value
            assert (TEMPLATES / target).is_file(), f"{name} pulls in {target}, which does not exist"


def test_a_missing_include_fails_to_render(app):
    with app.app_context(), pytest.raises(jinja2.TemplateNotFound):
        app.jinja_env.from_string('{% include "progress/_no_such_partial.html" %}').render()


def test_no_blueprint_registers_a_template_global(app):
    """Template globals are the constants and helpers of webapp/web.py: none runs a query."""
    from webapp import web
    from webapp.rules import roles
    expected = {"asset", "KINDS", "ROLES", "roles", "SEX", "GOV_GROUPS", "PAYMENT_METHODS", "PERSON_FLAGS",
                "CORRECTION_STATES", "rendered_ms"}
    jinja_builtins = set(jinja2.Environment().globals) | {"url_for", "get_flashed_messages", "config",
                                                          "request", "session", "g", "csrf_token",
                                                          "csrf_meta_tag"}   # Flask-WTF/csrf extension
    extra = set(app.jinja_env.globals) - jinja_builtins - expected
    assert not extra, f"template globals registered outside webapp/web.py: {sorted(extra)}"
    assert app.jinja_env.globals["roles"] is roles and web


@pytest.fixture
def strict(app):
    before = app.jinja_env.undefined
    app.jinja_env.undefined = StrictUndefined
    yield
    app.jinja_env.undefined = before


def test_home_and_receipt_pages_render_with_strict_undefined(strict, world, login, client):
    """The pages whose partials used to fetch their own data: every name they use is passed by
    their view (a name the view forgot is an error, not an empty block)."""
    person = world.person()
    receipt = world.pay("coord1", (person, "medical"))
    from webapp.extensions import db
    db.session.commit()
    login("coord1")
    for url in ["/", f"/receipts/{receipt.number}"]:
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.get_data(as_text=True)[:300])
    page = client.get("/").get_data(as_text=True)
    assert 'id="my-progress"' in page and 'id="paperwork-links"' in page
    assert 'id="receipt-trail"' in client.get(f"/receipts/{receipt.number}").get_data(as_text=True)
    login("tadmin1")
    resp = client.get("/admin/")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert 'id="home-progress"' in page
