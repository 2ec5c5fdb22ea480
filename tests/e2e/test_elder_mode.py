"""长辈模式 in Chromium at a phone's size (issue 16, part 1): the switch on 我的, the one-time offer
after the first login, the switch on the public pages; the mode sticks across pages, reloads and
offline; and every page follows the browser's own font-size setting."""
import re
from datetime import timedelta
from pathlib import Path

import playwright.sync_api as sync_api
import pytest

from tests.e2e.browser import PHONE, launch, serve
from tests.offline.live import LiveServer
from tests.receipts.test_verify import verify_path
from webapp.services import roster
from webapp.timeutil import today_local

pytestmark = pytest.mark.e2e

CSS = Path(__file__).resolve().parents[2] / "webapp" / "static" / "css"

# Body text, the smallest text and the shortest target (links, buttons, fields) of the page.
SIZES = """() => {
  const els = [...document.querySelectorAll('a[href], button, input:not([type=hidden]):not([type=checkbox]), select')]
    .filter(e => { const r = e.getBoundingClientRect(); return r.width && r.height && !e.closest('[hidden]'); });
  return {elder: document.documentElement.classList.contains('elder'),
          body: parseFloat(getComputedStyle(document.body).fontSize),
          lineHeight: parseFloat(getComputedStyle(document.body).lineHeight) /
                      parseFloat(getComputedStyle(document.body).fontSize),
          target: Math.min(...els.map(e => e.getBoundingClientRect().height))};
}"""


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def sign_in(page, world, username="coord1"):
    page.goto("/login")
    page.fill("[name=username]", username)
    page.fill("[name=password]", world.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_the_stylesheets_size_text_in_rem_so_the_readers_setting_applies():
    for css in CSS.glob("*.css"):
        fixed = re.findall(r"font-size:\s*[\d.]+px", css.read_text(encoding="utf-8"))
        assert fixed == [], (css.name, fixed)
    assert "text-size-adjust: 100%" in (CSS / "app.css").read_text(encoding="utf-8")


def test_the_switch_on_me_sticks_across_pages_reloads_and_offline(app, world, browser):
    world.person(world.V1)
    live = LiveServer(app).start()
    try:
        context = browser.new_context(viewport=PHONE, base_url=live.url, locale="zh-CN")
        context.add_init_script("localStorage.setItem('lx-elder-offered', '1')")
        page = context.new_page()
        sign_in(page, world)
        page.evaluate("() => navigator.serviceWorker.ready")
        page.goto("/worklist")                        # kept by the service worker for offline use
        assert page.evaluate(SIZES)["elder"] is False
        page.goto("/me")
        switch = page.locator("[data-elder-switch]")
        assert switch.get_attribute("aria-checked") == "false"
        switch.click()
        assert switch.get_attribute("aria-checked") == "true"
        on = page.evaluate(SIZES)
        assert on["elder"] and on["body"] >= 23 and on["target"] >= 60 and on["lineHeight"] >= 1.3, on
        page.goto("/")
        assert page.evaluate(SIZES)["elder"]
        page.reload()
        assert page.evaluate(SIZES)["elder"]
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        live.stop()                                    # no network at all
        page.goto(page.url.rsplit("/", 1)[0] + "/worklist")
        offline = page.evaluate(SIZES)
        assert page.inner_text("h1") != "没有网络"      # the kept page itself, not the fallback
        assert offline["elder"] and offline["body"] >= 23 and offline["target"] >= 60, offline
        live.start()
        page.goto("/me")
        page.locator("[data-elder-switch]").click()    # and off again
        assert page.evaluate(SIZES)["elder"] is False
        page.reload()
        off = page.evaluate(SIZES)
        assert off["elder"] is False and 16 <= off["body"] < 18 and off["target"] >= 44, off
        context.close()
    finally:
        live.stop()


def test_offered_once_after_the_first_login(app, world, browser):
    with serve(app) as url:
        context = browser.new_context(viewport=PHONE, base_url=url, locale="zh-CN")
        page = context.new_page()
        sign_in(page, world)
        offer = page.locator("#elder-offer")
        assert offer.is_visible()
        page.goto("/worklist")
        assert not offer.is_visible()                  # once, not on every page
        context.close()

        context = browser.new_context(viewport=PHONE, base_url=url, locale="zh-CN")
        page = context.new_page()
        sign_in(page, world)
        offer = page.locator("#elder-offer")
        page.click("#elder-offer [data-elder-answer=on]")
        assert page.evaluate(SIZES)["elder"] and not offer.is_visible()
        page.goto("/worklist")
        assert page.evaluate(SIZES)["elder"] and not offer.is_visible()
        context.close()


def test_residents_find_the_switch_on_the_public_pages(app, world, browser):
    person = world.person(world.V1)
    receipt = world.pay("coord1", (person, "medical"))
    roster.publish_roster(world.actor("dadmin"), world.V1, posting_start=today_local(),
                          posting_end=today_local() + timedelta(days=6), office_phone="0375-1234567")
    with serve(app) as url:
        context = browser.new_context(viewport=PHONE, base_url=url, locale="zh-CN")
        page = context.new_page()
        page.goto(verify_path(app, receipt.number))
        switch = page.locator("[data-elder-switch]")
        assert switch.is_visible() and switch.get_attribute("aria-checked") == "false"
        switch.click()
        sizes = page.evaluate(SIZES)
        assert sizes["elder"] and sizes["body"] >= 23 and sizes["target"] >= 60, sizes
        page.goto(f"/gongshi/{world.V1}")              # the same phone: still on
        assert page.evaluate(SIZES)["elder"]
        assert page.locator("[data-elder-switch]").get_attribute("aria-checked") == "true"
        page.goto("/login")
        assert page.evaluate(SIZES)["elder"] and page.locator("[data-elder-switch]").is_visible()
        context.close()


def test_pages_follow_the_browsers_font_size_setting(app, world, browser):
    with serve(app) as url:
        context = browser.new_context(viewport=PHONE, base_url=url, locale="zh-CN")
        page = context.new_page()
        page.goto("/login")
        normal = page.evaluate(SIZES)
        # The browser's own "font size" setting (Chrome: Settings › Appearance; WeChat's 字体大小
        # does the same to its web view): 20 px instead of 16.
        context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 20}})
        page.reload()
        larger = page.evaluate(SIZES)
        assert larger["body"] == pytest.approx(normal["body"] * 20 / 16, abs=0.5), (normal, larger)
        assert larger["target"] >= normal["target"] * 1.2, (normal, larger)
        context.close()


def test_screenshots_of_both_modes(app, browser, tmp_path):
    """The README's pictures of 长辈模式 (UPDATE_SCREENSHOTS=1 writes docs/screenshots/elder-*.png),
    taken on the demo data; and the household sheet reads at both sizes without sideways scroll."""
    import os

    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Area, Household, Person, Receipt
    from webapp.services.demo import DEMO_PASSWORD, seed_demo
    shots = Path(__file__).resolve().parents[2] / "docs" / "screenshots" \
        if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    seed_demo(n_people=300)
    village = db.session.scalar(select(Area.id).where(Area.code == "410411200001"))   # xieguan's
    household = db.session.scalar(select(Household.id).join(Person).where(Household.village_id == village)
                                  .group_by(Household.id).having(db.func.count(Person.id) >= 2)
                                  .order_by(Household.id).limit(1))
    receipt = db.session.scalar(select(Receipt.number).where(Receipt.number.like("%-200001-%"))
                                .order_by(Receipt.id).limit(1))
    with serve(app) as url:
        for mode in ("normal", "elder"):
            context = browser.new_context(viewport=PHONE, device_scale_factor=1, base_url=url, locale="zh-CN",
                                          is_mobile=True, has_touch=True)
            context.add_init_script(f"localStorage.setItem('lx-elder-offered', '1'); "
                                    f"localStorage.setItem('lx-elder', '{int(mode == 'elder')}')")
            page = context.new_page()
            page.goto("/login")
            page.fill("[name=username]", "xieguan")
            page.fill("[name=password]", DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            page.goto(f"/households/{household}")
            assert page.evaluate(SIZES)["elder"] == (mode == "elder")
            assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
            page.screenshot(path=str(shots / f"{mode}-household.png"))
            if mode == "elder":
                page.goto("/me")
                assert page.locator("[data-elder-switch]").get_attribute("aria-checked") == "true"
                page.screenshot(path=str(shots / "elder-me.png"))
                page.goto(verify_path(app, receipt))
                page.screenshot(path=str(shots / "elder-verify.png"))
            context.close()
