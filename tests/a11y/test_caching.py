"""Caching, as measured by the same walk as the accessibility figures (issue 16, part 5): static
files whose URL carries their content hash are immutable for a year; /sw.js answers 304 when it
has not changed; pages without an account do not download the outbox script."""
import re
from datetime import timedelta

from webapp.services import roster
from webapp.timeutil import today_local


def asset_url(app, name):
    with app.test_request_context():
        return app.jinja_env.globals["asset"](name)


def test_versioned_static_files_are_immutable_for_a_year(app, client):
    for name in ("css/app.css", "js/app.js", "js/outbox/send.js", "icons/icon-192.png"):
        resp = client.get(asset_url(app, name))
        assert resp.status_code == 200
        cc = resp.headers["Cache-Control"]
        assert "immutable" in cc and "max-age=31536000" in cc, (name, cc)


def test_unversioned_or_stale_static_urls_are_revalidated(app, client):
    # Their bytes may change under the same URL: never kept a year.
    for url in ("/static/css/app.css", "/static/css/app.css?v=0000000000"):
        cc = client.get(url).headers.get("Cache-Control", "")
        assert "immutable" not in cc and "max-age=31536000" not in cc, (url, cc)


def test_the_service_worker_has_a_validator_and_answers_304(client):
    first = client.get("/sw.js")
    assert first.status_code == 200 and first.headers.get("ETag")
    assert "no-cache" in first.headers["Cache-Control"]   # still checked on every navigation
    again = client.get("/sw.js", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/sw.js", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data


def scripts_of(html):
    return re.findall(r'<script[^>]*src="([^"]+)"', html)


def test_login_and_public_roster_do_not_load_the_outbox(app, client, world):
    world.pay("coord1", (world.person(world.V1), "medical"))
    roster.publish_roster(world.actor("dadmin"), world.V1, posting_start=today_local(),
                          posting_end=today_local() + timedelta(days=6), office_phone="0375-1234567")
    for url in ("/login", f"/gongshi/{world.V1}"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert not any("outbox" in s for s in scripts_of(resp.get_data(as_text=True))), url


def test_signed_in_pages_still_load_the_outbox(client, world, login):
    login("coord1")
    assert any("outbox" in s for s in scripts_of(client.get("/").get_data(as_text=True)))


def test_a_static_file_does_not_vary_on_the_session_cookie(app, client, world, login):
    # Vary: Cookie would make the copy cached before login useless after it.
    login("coord1")
    resp = client.get(asset_url(app, "css/app.css"))
    assert "cookie" not in resp.headers.get("Vary", "").lower()
    assert "Set-Cookie" not in resp.headers
