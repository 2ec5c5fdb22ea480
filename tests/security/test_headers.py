"""Security headers on every page, and pages the Content-Security-Policy does not break: no inline
script, no style="" attribute or <style> block, no on*= handler, no javascript: URL (the CSP would
silently block each, and the page would stop working). Every HTML page each role can open, the
public pages, error pages, and each form's answer to an empty submission."""
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.security.conftest import ROLES, html_pages
from tests.security.test_fuzz_forms import discover
from webapp.services import receipt_pdf
from webapp.services.site import Site


def csp_directives(header: str) -> dict:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = [w.lower() for w in words[1:]]
    return out


def assert_security_headers(resp, where):
    h = resp.headers
    assert h.get("X-Content-Type-Options") == "nosniff", where
    assert h.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin",
                                        "strict-origin-when-cross-origin"), where
    csp = csp_directives(h.get("Content-Security-Policy", ""))
    assert csp, ("no Content-Security-Policy", where)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src and "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, where
    assert "*" not in script_src and "data:" not in script_src, where
    style_src = csp.get("style-src", csp.get("default-src"))
    assert style_src and "'unsafe-inline'" not in style_src, where
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert csp.get("object-src") == ["'none'"], where


class _InlineFinder(HTMLParser):
    """What the CSP blocks: inline script, inline style, handler attributes, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self._script_tag = None
        self._script_body = ""

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "style":
                self.problems.append(f'<{tag} style="{value}">')
            elif name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.problems.append(f"<{tag} {name}={value}>")
        if tag == "style":
            self.problems.append("<style> block")
        if tag == "script":
            a = dict(attrs)
            if not a.get("src") and a.get("type") not in ("application/json", "application/ld+json"):
                self.problems.append("<script> without src")
            self._script_tag, self._script_body = a, ""

    def handle_data(self, data):
        if self._script_tag is not None:
            self._script_body += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script_tag is not None:
            if self._script_tag.get("src") and self._script_body.strip():
                self.problems.append("<script src> with an inline body")
            self._script_tag = None


def inline_problems(html: str) -> list:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.problems


def assert_page_works_under_csp(resp, where):
    assert_security_headers(resp, where)
    assert resp.mimetype == "text/html", where
    problems = inline_problems(resp.get_data(as_text=True))
    assert not problems, (where, problems[:10])


def test_the_finder_finds_what_the_csp_blocks():
    assert inline_problems('<script>alert(1)</script><p style="color:red" onclick="x()">'
                           '<a href="javascript:x()">x</a><style>p{}</style>') == [
        "<script> without src", '<p style="color:red">', "<p onclick=...>", "<a href=javascript:x()>",
        "<style> block"]
    assert inline_problems('<script src="/static/js/app.js" defer></script><svg><rect fill="#07c160"/></svg>') == []


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_page_has_the_headers_and_no_inline_code(app, scene, login_as, role):
    client = login_as(role)
    pages = 0
    for url, resp in html_pages(app, client, role, scene):
        assert_page_works_under_csp(resp, url)
        pages += 1
    assert pages >= (3 if role is None else 20)


@pytest.mark.parametrize("role", list(ROLES))
def test_form_answers_have_no_inline_code(app, scene, login_as, role):
    """A form sent back with its errors (or the next step) is a page of its own."""
    client = login_as(role)
    checked = 0
    for form in discover(app, client, role, scene):
        if form.method == "POST" and urlsplit(form.action).path != "/logout":
            resp = client.post(form.action, data={})
            if resp.mimetype == "text/html":
                assert_page_works_under_csp(resp, form.action)
                checked += 1
    assert checked > 0, "no form answer was checked: the walk found no POST form"


def test_public_pages(app, client, scene):
    r = scene["receipts"]["paid"]
    urls = ["/login", "/offline", urlsplit(receipt_pdf.verification_url(Site.of(app), r.number)).path,
            "/v/2018-200001-00001/AAAAAAAAAAAAAAAAAAAAAA", f"/gongshi/{scene['str'][0]}",
            f"/gongshi/{scene['str'][0]}?q=张"]
    for url in urls:
        resp = client.get(url)
        assert resp.status_code in (200, 404), url
        assert_page_works_under_csp(resp, url)


def test_error_pages(app, client, login_as, scene):
    assert_page_works_under_csp(client.get("/no-such-page"), "404")
    client = login_as("coordinator")
    resp = client.get("/admin/users")
    assert resp.status_code == 403
    assert_page_works_under_csp(resp, "403")
    resp = client.get("/logout")
    assert resp.status_code == 405
    assert_page_works_under_csp(resp, "405")


def test_other_answers_carry_the_headers_too(app, client, login_as, scene):
    """JSON, PDF, the service worker and the manifest: nosniff and the CSP, whatever the type."""
    client = login_as("coordinator")
    for url in ["/api/v1/me", "/api/v1/openapi.json", "/sw.js", "/manifest.webmanifest", "/healthz",
                f"/receipts/{scene['receipts']['paid'].number}/pdf/58mm"]:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert_security_headers(resp, url)
