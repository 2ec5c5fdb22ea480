"""Offline without a service worker, and without surprises (issue 18 part 6), in headless
Chromium at a phone viewport: a round of three households with service workers blocked (as in
WeChat's in-app browser), moving by the product's own links and never onto the browser's error
page; the reload warning; a page left open that checks the household before taking money; a
refused slip that says what to do; a session that ends while offline."""
import playwright.sync_api as playwright
import pytest
from sqlalchemy import select

from tests.e2e import test_offline as offline
from tests.e2e.test_offline import (
    OUTBOX_EMPTY,
    badge_shows,
    committed,
    go_offline,
    go_online,
    log_in,
    new_page,
    wait_until,
)
from tests.factories import World
from webapp.extensions import db
from webapp.models import Person, Receipt
from webapp.services import sessions

pytestmark = pytest.mark.e2e

READY = "document.documentElement.dataset.lxReady"
# The offline tests' fixtures: a module-wide browser, the live server (CSRF on), three households.
app_config, browser, live, village = offline.app_config, offline.browser, offline.live, offline.village


def not_the_browsers_error_page(page):
    assert not page.url.startswith("chrome-error://"), page.url
    assert "ERR_INTERNET_DISCONNECTED" not in page.content()


def on_household_page(browser, live, household_id):
    """A phone with service workers blocked, logged in as coord1, on a household page ready to pay."""
    context, page = new_page(browser, live, service_workers="block")
    log_in(page)
    page.goto(f"/households/{household_id}")
    wait_until(page, READY)
    return context, page


def take_payment_here(page) -> str:
    """The household page on screen: 核对金额, 确认收款; returns the saved slip's client_id."""
    wait_until(page, READY)
    page.click("#pay-form button[type=submit]")
    page.click("#lx-confirm")
    return page.wait_for_selector("#lx-saved").get_attribute("data-client-id")


def test_a_round_of_three_households_offline_without_a_service_worker(browser, live, world, village):
    context, page = new_page(browser, live, service_workers="block")
    kinds = []
    page.on("dialog", lambda d: kinds.append(d.type))
    log_in(page)
    (a, ha), (_, hb), (c, hc) = village["a"], village["b"], village["c"]
    page.goto(f"/households/{ha}")
    assert page.evaluate("navigator.serviceWorker ? navigator.serviceWorker.controller : null") is None
    wait_until(page, "document.documentElement.dataset.lxKept")     # its village and households kept
    go_offline(context, live)

    ids = [take_payment_here(page)]
    for household in (hb, hc):
        page.click("#lx-pay a:has-text('继续收下一户')")             # the product's own button
        link = page.wait_for_selector(f"#worklist a[href='/households/{household}']")
        not_the_browsers_error_page(page)
        assert page.url.endswith(f"/villages/{World.V1}")
        assert page.locator("#worklist [data-pending]").count() == len(ids)   # taken here, marked
        link.click()
        wait_until(page, f"location.pathname === '/households/{household}'")
        wait_until(page, READY)
        assert "数据更新于" in page.inner_text("#offline-banner")
        page.click("#pay-form button[type=submit]")
        assert "数据更新于" in page.inner_text("#lx-age")             # how old the page's figures are
        page.click("#lx-confirm")
        ids.append(page.wait_for_selector("#lx-saved").get_attribute("data-client-id"))
        not_the_browsers_error_page(page)
    badge_shows(page, 3)
    assert "离线时请勿刷新" in page.inner_text("#offline-banner")

    # The back link and a tab work too; a page never kept says so and stays put.
    page.click("header.bar .back a")
    page.wait_for_selector("#worklist")
    page.click(f"#worklist a[href='/households/{ha}']")
    wait_until(page, f"location.pathname === '/households/{ha}'")
    wait_until(page, READY)
    assert page.locator(f"#medical_{a}").is_disabled()               # taken on this phone: not twice
    page.click("nav.tabbar a[href='/receipts']")
    page.wait_for_selector("[data-outbox-item]")
    assert page.locator("[data-outbox-item]").count() == 3
    page.click("nav.tabbar a[href='/worklist']")
    page.wait_for_selector("#worklist")
    page.click(f"#worklist a[href='/households/{hc}']")
    wait_until(page, f"location.pathname === '/households/{hc}'")
    wait_until(page, READY)
    page.click(f"a[href='/people/{c}']")
    assert "没有保存在手机上" in page.inner_text("#lx-nav-note")
    assert page.url.endswith(f"/households/{hc}")
    not_the_browsers_error_page(page)

    # A reload by hand: warned before it; if it happens anyway, nothing is lost.
    assert page.evaluate("""() => { const e = new Event('beforeunload', {cancelable: true});
                                    window.dispatchEvent(e); return e.defaultPrevented; }""")
    with pytest.raises(playwright.Error, match="ERR_INTERNET_DISCONNECTED"):
        page.reload()                                                 # the one thing no page survives
    assert "beforeunload" in kinds
    go_online(context, live)
    page.goto("/receipts")                                            # the next load sends them
    wait_until(page, OUTBOX_EMPTY, 30000)
    receipts = committed(select(Receipt))
    assert sorted(r.client_id for r in receipts) == sorted(ids)
    assert len(receipts) == 3
    context.close()


def test_a_page_left_open_asks_the_server_before_taking_money(browser, live, world, village):
    """Online, the household's state is fetched before the confirm step and before 确认收款: a
    person another phone paid for meanwhile is shown, and nothing is recorded twice."""
    ha, (b, hb) = village["a"][1], village["b"]
    context, page = on_household_page(browser, live, ha)
    other_context, other = on_household_page(browser, live, ha)     # another phone pays first
    other.click("#pay-form button[type=submit]")
    other.click("#lx-confirm")
    other.wait_for_url("**/receipts/*")
    first = committed(select(Receipt))[0].number
    page.click("#pay-form button[type=submit]")
    taken = page.wait_for_selector("#lx-taken").inner_text()
    assert first in taken and "不要再收钱" in taken
    assert page.locator("#lx-confirm").count() == 0

    page.goto(f"/households/{hb}")                                    # paid between 核对 and 确认
    wait_until(page, READY)
    page.click("#pay-form button[type=submit]")
    page.wait_for_selector("#lx-confirm:enabled")
    second = world.pay("coord1", (db.session.get(Person, b), "medical"))
    db.session.commit()
    page.click("#lx-confirm")
    assert second.number in page.wait_for_selector("#lx-taken").inner_text()
    assert page.evaluate(OUTBOX_EMPTY)
    assert len(committed(select(Receipt))) == 2
    other_context.close()
    context.close()


def test_a_refused_slip_says_what_to_do_instead_of_promising_an_upload(browser, live, world, village):
    a, ha = village["a"]
    context, page = on_household_page(browser, live, ha)
    context.set_offline(True)
    client_id = take_payment_here(page)
    slip = page.locator(f"article[data-slip='{client_id}']")
    assert "恢复网络后自动上传" in slip.inner_text()
    earlier = world.pay("coord1", (db.session.get(Person, a), "medical"))   # another phone, meanwhile
    db.session.commit()
    context.set_offline(False)
    page.wait_for_selector("#lx-saved.error")
    saved, slip_text = page.inner_text("#lx-saved"), slip.inner_text()
    assert earlier.number in saved and "退还" in saved
    assert "恢复网络后自动上传" not in slip_text and "需处理" in slip_text and "退还" in slip_text
    page.goto("/receipts")                                            # and in the list's 凭条
    item = page.wait_for_selector("[data-outbox-item][data-state=held]")
    item.query_selector("button:has-text('凭条')").click()
    shown = page.inner_text(f"[data-outbox-item] article[data-slip='{client_id}']")
    assert "恢复网络后自动上传" not in shown and "退还" in shown
    context.close()


def test_a_session_that_ends_offline_asks_to_log_in_and_sends_after(browser, live, world, village):
    a, ha = village["a"]
    context, page = on_household_page(browser, live, ha)
    go_offline(context, live)
    client_id = take_payment_here(page)
    sessions.end_user_sessions(world.user("coord1").id, sessions.IDLE)   # the idle timeout, meanwhile
    db.session.commit()
    go_online(context, live)
    notice = page.wait_for_selector("#lx-login")
    assert "重新登录" in notice.inner_text() and "登录后自动上传" in notice.inner_text()
    assert committed(select(Receipt)) == []
    assert page.evaluate("LXOutbox.all().then(items => items.map(i => i.client_id))") == [client_id]
    page.click("#lx-login a")
    page.wait_for_url("**/login*")
    page.fill("[name=username]", "coord1")
    page.fill("[name=password]", World.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/households/{ha}")                         # back where the coordinator was
    wait_until(page, OUTBOX_EMPTY, 30000)
    assert [r.client_id for r in committed(select(Receipt))] == [client_id]
    context.close()
