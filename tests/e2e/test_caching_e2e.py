"""The first visit of a signed-in page in Chromium: the service worker's install caches the shell
without downloading again what the page has just loaded (issue 16, part 5)."""
import threading
from collections import Counter

import playwright.sync_api as sync_api
import pytest

from tests.e2e.browser import PHONE, launch, serve

pytestmark = pytest.mark.e2e


class PathLog:
    """WSGI middleware: every path the server is asked for, as the browser asked for it."""

    def __init__(self, app):
        self.app, self.paths, self.lock = app, [], threading.Lock()

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            with self.lock:
                self.paths.append((environ["PATH_INFO"], int(status.split()[0])))
            return start_response(status, headers, exc_info)
        return self.app(environ, start)


def test_the_worker_install_does_not_refetch_what_the_page_loaded(app, world):
    world.person(world.V1)
    log = PathLog(app.wsgi_app)
    app.wsgi_app = log
    with serve(app) as url, sync_api.sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport=PHONE, base_url=url, locale="zh-CN")
        page = context.new_page()
        page.goto("/login")
        page.fill("[name=username]", "coord1")
        page.fill("[name=password]", world.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.evaluate("() => navigator.serviceWorker.ready")
        # Installed: the shell cache holds the five shell files and the offline page.
        page.wait_for_function("""async () => {
            const keys = (await caches.keys()).filter(k => k.startsWith('lx-shell-'));
            return keys.length && (await (await caches.open(keys[0])).keys()).length >= 6;
        }""")
        browser.close()
    # Downloaded (200) at most once each. Chromium revalidates the scripts a brand-new worker
    # imports whatever their caching (js/outbox/store.js and send.js: a 304, headers only); nothing
    # else is asked again.
    statics = Counter(p for p, status in log.paths if p.startswith("/static/") and status == 200)
    assert "/static/js/outbox/send.js" in statics and "/static/css/app.css" in statics, log.paths
    assert {p: n for p, n in statics.items() if n > 1} == {}, log.paths
    asked_again = [p for p, status in log.paths if p.startswith("/static/") and status != 200]
    assert set(asked_again) <= {"/static/js/outbox/store.js", "/static/js/outbox/send.js"}, log.paths
