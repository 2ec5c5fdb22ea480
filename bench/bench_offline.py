"""Offline-first figures, in headless Chromium against the app on a local port (demo data:
2,000 residents, CSRF and compression on, as in production):

- first_load_kb: everything a coordinator page makes the browser download on its first visit
  (cold cache, logged in): the page, CSS, scripts, manifest, icon, the service worker and what it
  caches at install. Counted at the server as bytes on the wire (headers + compressed bodies);
  the largest of the home page, a village's worklist and a household page.
- slow4g_usable_s: the same first visit of a household page on DevTools' "Slow 4G" profile
  (562.5 ms latency, 1.44 Mbit/s down): until the page is usable (the outbox scripts have run, the form
  takes payments), from navigation start.
- lcp_slow4g_s, lcp_slow4g_elder_s: Largest Contentful Paint (the browser's own
  PerformanceObserver entry, as Lighthouse reads it) of the same cold first visit on Slow 4G, the
  largest of home, worklist and household; normally and in 长辈模式 (set in localStorage before
  the page loads, as the switch leaves it).
- sync_500_s: 500 payments queued in the phone's outbox while offline, from the moment the
  network returns until all 500 are recorded on the server.
"""
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

USER, PASSWORD = "xieguan", "Demo2018"
SLOW_4G = {"offline": False, "latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


class ByteCounter:
    """WSGI middleware: bytes the server sends (status line, headers, body as encoded)."""

    def __init__(self, app):
        self.app, self.total, self.log, self.lock = app, 0, [], threading.Lock()

    def __call__(self, environ, start_response):
        head = {}

        def start(status, headers, exc_info=None):
            head["n"] = len(status) + 11 + sum(len(k) + len(v) + 4 for k, v in headers) + 2
            return start_response(status, headers, exc_info)

        body, it = 0, self.app(environ, start)
        try:
            for chunk in it:
                body += len(chunk)
                yield chunk
        finally:
            if hasattr(it, "close"):
                it.close()   # Flask's teardown runs here
        with self.lock:
            self.total += head.get("n", 0) + body
            self.log.append((environ["PATH_INFO"], head.get("n", 0) + body))

    def reset(self):
        with self.lock:
            self.total, self.log = 0, []


def _app(tmp: Path):
    from webapp import create_app
    return create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}", "INSTANCE_PATH": str(tmp / "instance"),
        "CHECK_PDF_ENGINE_AT_STARTUP": False, "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    })


def _seed(app) -> dict:
    """Demo district, plus 500 unpaid residents in the coordinator's first village."""
    import random
    from datetime import date

    from webapp.extensions import db
    from webapp.models import Area, Household, Person
    from webapp.services import demo
    from webapp.services.people import PersonInput, build_person, check_person_input
    from webapp.services.tx import unit_of_work

    with app.app_context():
        db.create_all()
        demo.seed_demo(password=PASSWORD, n_people=2000)
        village = db.session.scalar(select(Area).where(Area.code == "410411200001"))
        rng, ids, numbers = random.Random(500), [], set()
        while len(numbers) < 500:
            birth = date(1960 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28))
            numbers.add(demo.make_id_number(rng, birth, rng.random() < 0.5))
        with unit_of_work():
            for i, number in enumerate(sorted(numbers)):
                data = PersonInput(name=f"待收{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{'子丑寅卯辰巳午未申酉'[i // 10 % 10]}",
                                   id_number=number, address=f"测试路{i}号")
                errors, clean = check_person_input(data, village)
                assert not errors, errors
                ids.append(build_person(data, village, clean).id)
        biggest = db.session.scalar(select(Household.id).join(Person).where(Household.village_id == village.id)
                                    .group_by(Household.id).order_by(func.count(Person.id).desc()).limit(1))
        return {"village": village.code, "household": biggest, "people": ids}


def _log_in(context, base):
    import re
    html = context.request.get(f"{base}/login").text()
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    resp = context.request.post(f"{base}/login", form={"username": USER, "password": PASSWORD, "csrf_token": token},
                                max_redirects=0)
    assert resp.status == 302, resp.status


def _ready_ms(page, timeout=30) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate("() => document.documentElement.dataset.lxReady || ''")
        if value:
            return float(value)
        time.sleep(0.02)
    raise TimeoutError("page never became usable")


def _first_load(browser, base, counter, path) -> tuple[float, list]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    _log_in(context, base)
    page = context.new_page()
    counter.reset()
    page.goto(base + path, wait_until="load")
    _ready_ms(page)
    # The service worker installs after load and caches the shell: that counts too.
    page.evaluate("() => navigator.serviceWorker.ready")
    page.wait_for_timeout(1500)
    total, log = counter.total, list(counter.log)
    context.close()
    return total / 1024, log


def _slow_4g_usable(browser, base, path) -> float:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    _log_in(context, base)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    page.goto(base + path, wait_until="commit")
    ms = _ready_ms(page)
    context.close()
    return ms / 1000


LCP = """() => new Promise(resolve => new PerformanceObserver(list => {
    const entries = list.getEntries();
    resolve(entries[entries.length - 1].startTime);
}).observe({type: 'largest-contentful-paint', buffered: true}))"""


def _lcp_slow_4g(browser, base, path, elder: bool) -> float:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_init_script(f"localStorage.setItem('lx-elder-offered', '1'); "
                            f"localStorage.setItem('lx-elder', '{int(elder)}')")
    _log_in(context, base)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    page.goto(base + path, wait_until="load")
    page.wait_for_timeout(300)   # a paint after load would still count
    assert page.evaluate("() => document.documentElement.classList.contains('elder')") == elder
    ms = page.evaluate(LCP)
    context.close()
    return ms / 1000


def _sync_500(browser, base, app, people) -> float:
    from webapp.extensions import db
    from webapp.models import Receipt

    context = browser.new_context(viewport={"width": 390, "height": 844})
    _log_in(context, base)
    page = context.new_page()
    page.goto(f"{base}/receipts")
    _ready_ms(page)
    context.set_offline(True)
    page.evaluate("""async ids => {
        for (const id of ids) {
            await LXOutbox.enqueue({client_id: LXOutbox.uuid(), method: "cash", payer_name: "",
                                    lines: [{person_id: id, kind: "medical"}], recorded_at: new Date().toISOString()},
                                   {household_id: 0, village: "", household: "", payer: "", method: "现金",
                                    collector: "", lines: [], total_fen: 0, gov_total_fen: 0});
        }
    }""", people)
    queued = page.evaluate("() => LXOutbox.all().then(a => a.length)")
    assert queued == len(people), queued
    with app.app_context():
        before = db.session.scalar(select(func.count(Receipt.id)))
    t0 = time.perf_counter()
    context.set_offline(False)   # the 'online' event starts the outbox
    while page.evaluate("() => LXOutbox.all().then(a => a.length)"):
        assert time.perf_counter() - t0 < 300, "outbox did not drain"
        time.sleep(0.05)
    elapsed = time.perf_counter() - t0
    with app.app_context():
        after = db.session.scalar(select(func.count(Receipt.id)))
    assert after - before == len(people), (before, after)
    context.close()
    return elapsed


def run() -> dict:
    import logging

    from playwright.sync_api import sync_playwright

    from tests.offline.live import LiveServer

    with tempfile.TemporaryDirectory() as tmp:
        app = _app(Path(tmp))
        data = _seed(app)
        counter = ByteCounter(app.wsgi_app)
        app.wsgi_app = counter
        logging.getLogger("werkzeug").setLevel(logging.WARNING)   # one line per request is noise here
        live = LiveServer(app).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, headless=True)
                pages = {"home": "/", "worklist": f"/villages/{data['village']}",
                         "household": f"/households/{data['household']}"}
                loads = {}
                for name, path in pages.items():
                    kb, log = _first_load(browser, live.url, counter, path)
                    loads[name] = kb
                    print(f"   first load {name:10} {kb:6.1f} KB  " +
                          ", ".join(f"{p.rsplit('/', 1)[-1] or '/'} {n / 1024:.1f}" for p, n in log))
                usable = max(_slow_4g_usable(browser, live.url, path) for path in pages.values())
                lcp = {elder: max(_lcp_slow_4g(browser, live.url, path, elder) for path in pages.values())
                       for elder in (False, True)}
                sync = _sync_500(browser, live.url, app, data["people"])
                browser.close()
        finally:
            live.stop()
    return {"first_load_kb": max(loads.values()), "slow4g_usable_s": usable, "sync_500_s": sync,
            "lcp_slow4g_s": lcp[False], "lcp_slow4g_elder_s": lcp[True],
            "sync_500_per_s": 500 / sync}


if __name__ == "__main__":
    print(run())
