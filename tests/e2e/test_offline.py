"""Offline, in headless Chromium: payments taken with the network cut survive a reload and reach
the server exactly once when it comes back; the same without a service worker (WeChat's
browser); conflicts shown per item; logout warning; the outbox saved to and restored from a file.

"No network" is both: the browser told it is offline (navigator.onLine, the offline/online
events) and the server stopped (every request, the service worker's too, meets a refused
connection). CSRF is on, as in production.
"""
import json
import time
from datetime import date

import playwright.sync_api as playwright
import pytest
from sqlalchemy import select

from tests.e2e.browser import PHONE, launch
from tests.factories import World
from tests.offline.live import LiveServer
from webapp.extensions import db
from webapp.models import Payment, Person, Receipt
from webapp.rules.money import fen_to_capitals

pytestmark = pytest.mark.e2e

OUTBOX_EMPTY = "window.LXOutbox && LXOutbox.all().then(items => items.length === 0)"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def live(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def new_page(browser, live, **options):
    """A phone-sized page; its dialogs are recorded in page.dialogs and accepted unless
    page.dialogs["accept"] is set to False."""
    context = browser.new_context(viewport=PHONE, base_url=live.url, locale="zh-CN", **options)
    context.set_default_timeout(15000)
    page = context.new_page()
    page.dialogs = {"accept": True, "seen": []}

    def answer(dialog):
        page.dialogs["seen"].append(dialog.message)
        dialog.accept() if page.dialogs["accept"] else dialog.dismiss()

    page.on("dialog", answer)
    return context, page


def log_in(page, username="coord1"):
    page.goto("/login")
    page.fill("[name=username]", username)
    page.fill("[name=password]", World.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def wait_until(page, expression, timeout=15000):
    """Poll with page.evaluate: Playwright's wait_for_function evaluates strings, which the
    app's Content-Security-Policy (no unsafe-eval) rightly refuses."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        try:
            if page.evaluate(f"async () => Boolean(await ({expression}))"):
                return
        except playwright.Error:   # a navigation replaced the page under us: ask the new one
            pass
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def go_offline(context, live):
    context.set_offline(True)
    live.stop()


def go_online(context, live):
    live.start()
    context.set_offline(False)


def badge_shows(page, expected):
    """The badge on the 收据 tab, once it shows `expected` (it is redrawn a moment after a change)."""
    shown = "(b => b.hidden ? 0 : +b.textContent)(document.getElementById('outbox-count'))"
    wait_until(page, f"{shown} === {expected}")


def pay_on_household_page(page, household_id, tiers=None, uncheck=()):
    """Take a payment with the page's own form, confirm it; returns the saved notice's client_id."""
    page.goto(f"/households/{household_id}")
    wait_until(page, "document.documentElement.dataset.lxReady")
    for person_id, tier in (tiers or {}).items():
        page.select_option(f"#pension_{person_id}", str(tier))
    for person_id in uncheck:
        page.uncheck(f"#medical_{person_id}")
    page.click("#pay-form button[type=submit]")
    page.click("#lx-confirm")
    notice = page.wait_for_selector("#lx-saved")
    return notice.get_attribute("data-client-id")


def committed(query):
    db.session.rollback()   # see what the server committed, not an older snapshot
    return db.session.scalars(query).all()


@pytest.fixture
def village(world):
    """Three households in V1; the third has two members."""
    a = world.person(name="甲一", birth=date(1980, 3, 1))
    b = world.person(name="乙一", birth=date(1985, 3, 1))
    c = world.person(name="丙一", birth=date(1975, 3, 1))
    c2 = world.person(name="丙二", birth=date(2010, 3, 1), household=c.household_id)
    db.session.commit()
    return {"a": (a.id, a.household_id), "b": (b.id, b.household_id), "c": (c.id, c.household_id), "c2": c2.id}


def test_offline_record_three_reload_reconnect_exactly_three_receipts(browser, live, world, village):
    context, page = new_page(browser, live)
    log_in(page)
    wait_until(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    # Online, the coordinator opens the worklist, the three households and the receipts tab once.
    for url in [f"/villages/{World.V1}", "/receipts", "/me"] + [f"/households/{v[1]}" for v in
                                                                 (village["a"], village["b"], village["c"])]:
        page.goto(url)
    go_offline(context, live)

    (a, ha), (b, hb), (c, hc) = village["a"], village["b"], village["c"]
    ids = [pay_on_household_page(page, ha, tiers={a: 30000}),
           pay_on_household_page(page, hb),
           pay_on_household_page(page, hc, uncheck=[c])]
    slip = page.locator("article[data-slip]")
    assert "待同步" in slip.inner_text() and "¥250.00" in slip.inner_text()
    assert slip.locator("svg, img, canvas").count() == 0          # no QR code before the server has it
    badge_shows(page, 3)
    assert page.locator("#offline-banner").is_visible()

    page.reload()                                                    # offline: the saved page, the same outbox
    wait_until(page, "document.documentElement.dataset.lxReady")
    badge_shows(page, 3)
    page.goto(f"/households/{ha}")                                   # taken on this phone: not twice
    wait_until(page, "document.documentElement.dataset.lxReady")
    assert page.locator(f"#medical_{a}").is_disabled() and page.locator("[data-pending]").count() == 2
    page.goto("/receipts")
    page.wait_for_selector("[data-outbox-item]")
    assert page.locator("[data-outbox-item]").count() == 3
    assert page.locator("[data-outbox-item][data-state=waiting]").count() == 3

    go_online(context, live)                                         # the 'online' event sends them
    wait_until(page, OUTBOX_EMPTY, 30000)

    receipts = committed(select(Receipt).order_by(Receipt.id))
    assert len(receipts) == 3
    assert sorted(r.client_id for r in receipts) == sorted(ids)
    lines = {(p.person_id, p.kind, p.tier_fen) for p in committed(select(Payment))}
    assert lines == {(a, "medical", None), (a, "pension", 30000), (b, "medical", None),
                     (village["c2"], "medical", None)}
    by_client = {r.client_id: r.total_fen for r in receipts}
    assert [by_client[i] for i in ids] == [25000 + 30000, 25000, 25000]
    for r in receipts:                                               # and each has its receipt page
        page.goto(f"/receipts/{r.number}")
        assert r.number in page.inner_text("#receipt")
    page.goto("/receipts")
    assert page.locator("[data-outbox-item]").count() == 0
    context.close()


def test_without_a_service_worker_the_page_queues_and_replays(browser, live, world, village):
    """WeChat's in-app browser may have no service worker: the page itself keeps and sends."""
    context, page = new_page(browser, live, service_workers="block")
    log_in(page)
    ha, hb = village["a"][1], village["b"][1]
    page.goto(f"/households/{ha}")
    assert page.evaluate("navigator.serviceWorker ? navigator.serviceWorker.controller : null") is None
    # 1. The request fails on the network although the phone thinks it is online.
    page.route("**/api/v1/payments", lambda route: route.abort("internetdisconnected"))
    pay_on_household_page(page, ha)
    assert "待同步" in page.inner_text("#lx-saved")
    badge_shows(page, 1)
    page.unroute("**/api/v1/payments")
    page.reload()                                                    # sent on page load
    wait_until(page, OUTBOX_EMPTY)
    assert len(committed(select(Receipt))) == 1
    # 2. No network at all while the page is open; the 'online' event sends it.
    page.goto(f"/households/{hb}")
    wait_until(page, "document.documentElement.dataset.lxReady")
    context.set_offline(True)
    page.click("#pay-form button[type=submit]")
    page.click("#lx-confirm")
    page.wait_for_selector("#lx-saved")
    badge_shows(page, 1)
    context.set_offline(False)
    wait_until(page, OUTBOX_EMPTY)
    page.wait_for_selector("#lx-saved.ok")                           # the slip now links its receipt
    assert len(committed(select(Receipt))) == 2
    context.close()


def test_online_payment_goes_straight_to_its_receipt(browser, live, world, village):
    context, page = new_page(browser, live)
    log_in(page)
    a, ha = village["a"]
    page.goto(f"/households/{ha}")
    wait_until(page, "document.documentElement.dataset.lxReady")
    page.click("#pay-form button[type=submit]")
    assert "贰佰伍拾元整" in page.inner_text("#lx-pay")
    page.click("#lx-confirm")
    page.wait_for_url("**/receipts/*")
    number = page.inner_text("#receipt .no b")
    assert [r.number for r in committed(select(Receipt))] == [number]
    context.close()


def test_a_conflict_is_shown_on_its_item_with_what_to_do(browser, live, world, village):
    context, page = new_page(browser, live, service_workers="block")
    log_in(page)
    a, ha = village["a"]
    page.goto(f"/households/{ha}")
    wait_until(page, "document.documentElement.dataset.lxReady")
    context.set_offline(True)
    page.click("#pay-form button[type=submit]")
    page.click("#lx-confirm")
    page.wait_for_selector("#lx-saved")
    # Meanwhile another device records the same person's medical insurance.
    earlier = world.pay("coord1", (db.session.get(Person, a), "medical"))
    db.session.commit()
    context.set_offline(False)
    page.goto("/receipts")
    item = page.wait_for_selector("[data-outbox-item][data-state=held]")
    advice = item.inner_text()
    assert "服务器上已有这笔缴费" in advice and earlier.number in advice and "退还" in advice
    badge_shows(page, 1)
    item.query_selector("button.warn").click()                      # 删除, confirmed in the dialog
    wait_until(page, OUTBOX_EMPTY)
    assert len(committed(select(Receipt))) == 1
    context.close()


def test_logout_warns_and_the_outbox_goes_to_a_file_and_back(browser, live, world, village, tmp_path):
    context, page = new_page(browser, live, service_workers="block", accept_downloads=True)
    log_in(page)
    a, ha = village["a"]
    page.goto(f"/households/{ha}")
    wait_until(page, "document.documentElement.dataset.lxReady")
    context.set_offline(True)
    page.click("#pay-form button[type=submit]")
    page.click("#lx-confirm")
    client_id = page.wait_for_selector("#lx-saved").get_attribute("data-client-id")
    page.route("**/api/v1/payments", lambda route: route.abort("internetdisconnected"))   # keep it waiting
    context.set_offline(False)
    page.goto("/me")
    page.wait_for_selector("#outbox-tools [data-action=save]")
    with page.expect_download() as dl:
        page.click("#outbox-tools [data-action=save]")
    saved = tmp_path / "outbox.json"
    dl.value.save_as(saved)
    data = json.loads(saved.read_text())
    assert data["format"] == "lx-outbox" and [i["client_id"] for i in data["items"]] == [client_id]
    assert data["items"][0]["body"]["lines"] == [{"person_id": a, "kind": "medical"}]
    # Lose it, then restore it from the file.
    page.evaluate("id => LXOutbox.remove(id)", client_id)
    page.reload()
    badge_shows(page, 0)
    page.set_input_files("#outbox-file", str(saved))
    wait_until(page, "document.getElementById('outbox-count').textContent === '1'")
    # Logging out with an item waiting asks first; saying no keeps the coordinator logged in.
    page.dialogs.update(accept=False, seen=[])
    page.click("#logout-form button")
    for _ in range(100):
        if page.dialogs["seen"]:
            break
        page.wait_for_timeout(50)
    assert "1 笔缴费待同步" in page.dialogs["seen"][0]
    page.wait_for_timeout(300)
    assert page.url.endswith("/me") and page.locator("#logout-form").count() == 1
    page.unroute("**/api/v1/payments")
    page.click("[data-action=sync]")
    wait_until(page, OUTBOX_EMPTY)
    assert [r.client_id for r in committed(select(Receipt))] == [client_id]
    context.close()


def test_capitals_on_the_phone_match_the_receipts(browser, live, world, village):
    """The phone writes no capitals itself: the household page carries the receipt's own (cn2an)
    for every total it can show, and the slip taken offline keeps them."""
    context, page = new_page(browser, live)
    log_in(page)   # the outbox script is on signed-in pages only (not the login page)
    c, hc = village["c"]
    page.goto(f"/households/{hc}")
    wait_until(page, "document.documentElement.dataset.lxReady")
    table = json.loads(page.get_attribute("#pay-form", "data-capitals"))
    assert len(table) > 4 and all(table[fen] == fen_to_capitals(int(fen)) for fen in table)
    page.select_option(f"#pension_{c}", "50000")   # 500 + 250 + 250 = 1000 yuan
    page.click("#pay-form button[type=submit]")
    assert "大写：" + fen_to_capitals(100000) in page.inner_text("#lx-pay")
    context.close()


def test_without_javascript_the_server_two_steps_still_work(browser, live, world, village):
    context, page = new_page(browser, live, java_script_enabled=False)
    log_in(page)
    a, ha = village["a"]
    page.goto(f"/households/{ha}")
    page.click("#pay-form button[type=submit]")
    assert "核对金额" in page.inner_text("h1")
    page.click("#confirm-form button[type=submit]")
    page.wait_for_url("**/receipts/*")
    assert len(committed(select(Receipt))) == 1
    context.close()
