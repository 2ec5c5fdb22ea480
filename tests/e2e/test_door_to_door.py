"""The door-to-door flow in headless Chromium at a phone-sized viewport, on the demo data.

Also checks what a phone user feels: no horizontal scrolling at 360 px, touch targets of 44 px
or more, the live total. With UPDATE_SCREENSHOTS=1 it writes the README's screenshots into
docs/screenshots/."""
import os
import re
from pathlib import Path

import playwright.sync_api as sync_api
import pytest
from sqlalchemy import func, select

from tests.e2e.browser import launch, serve
from webapp.extensions import db
from webapp.models import Payment, Receipt
from webapp.services.demo import DEMO_PASSWORD, seed_demo

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def server(app):
    seed_demo(n_people=300)
    db.session.commit()
    with serve(app) as url:
        yield url


@pytest.fixture(params=[True, False], ids=["with-js", "without-js"])
def page(request, server, tmp_path):
    """The same phone twice: as it normally runs, and with JavaScript off (the core flow must
    work without it: the server prices, checks and confirms)."""
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1,
                                      base_url=server, locale="zh-CN", is_mobile=True, has_touch=True,
                                      java_script_enabled=request.param)
        context.set_default_timeout(15000)
        pg = context.new_page()
        pg.js = request.param
        pg.shots = SHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" and pg.js else tmp_path
        yield pg
        browser.close()


def shot(page, name):
    page.screenshot(path=str(page.shots / f"{name}.png"))


def no_horizontal_scroll(page):
    page.set_viewport_size({"width": 360, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 390, "height": 844})
    return width <= 360


def small_targets(page):
    """Visible buttons, inputs and links in cells or the tab bar lower than 44 px."""
    return page.evaluate("""() => [...document.querySelectorAll(
        'button, .btn, .cell, .tabbar a, input[type=text], input[type=password], select, .seg a, .check')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.tagName + '.' + e.className, e.getBoundingClientRect().height])
        .filter(([, h]) => h > 0 && h < 44)""")


def test_coordinator_records_a_household_payment(page, app):
    page.goto("/login")
    shot(page, "login")
    page.fill("[name=username]", "xieguan")
    page.fill("[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    assert "李协管" in page.inner_text("main")

    page.click("text=名单")          # two villages: choose one
    page.click("text=曹镇村")
    page.wait_for_selector("#worklist")
    assert "未缴清" in page.inner_text(".seg")
    shot(page, "worklist")
    assert no_horizontal_scroll(page) and small_targets(page) == []

    # The first unpaid household with someone eligible for pension.
    links = page.locator("#worklist a.cell")
    for i in range(links.count()):
        links.nth(i).click()
        page.wait_for_selector("#pay-form")
        if page.locator("select.tier").count():
            break
        page.go_back()
    tier = page.locator("select.tier").first
    tier.select_option("30000")
    live_total = None
    if page.js:
        live = page.inner_text("#live-total")
        assert "项" in live
        live_total = re.search(r"¥[\d,]+\.\d\d", live).group(0)
    shot(page, "household")
    assert no_horizontal_scroll(page) and small_targets(page) == []

    before = db.session.scalar(select(func.count(Receipt.id)))
    page.click("#pay-form button[type=submit]")
    # The confirm step: the server's page without JavaScript, the outbox's panel with it.
    confirm = page.wait_for_selector("#confirm-form button[type=submit], #lx-confirm")
    total = re.search(r"¥[\d,]+\.\d\d", confirm.inner_text()).group(0)
    assert "元" in page.inner_text("main")
    shot(page, "confirm")
    confirm.click()
    page.wait_for_selector("#receipt")
    shot(page, "receipt")
    receipt_text = page.inner_text("#receipt")
    assert total in receipt_text and "300.00 元档" in receipt_text
    # What the page priced as the coordinator chose is what the server charged.
    assert live_total in (None, total)
    number = page.get_attribute("#receipt", "data-number")

    db.session.rollback()
    assert db.session.scalar(select(func.count(Receipt.id))) == before + 1
    receipt = db.session.scalar(select(Receipt).where(Receipt.number == number))
    assert any(l.kind == "pension" and l.tier_fen == 30000 for l in receipt.lines)
    assert db.session.scalar(select(func.count(Payment.id)).where(Payment.receipt_id == receipt.id)) == len(
        receipt.lines)
    assert no_horizontal_scroll(page)


def test_register_a_new_enrollee_in_the_browser(page):
    page.goto("/login")
    page.fill("[name=username]", "xieguan")
    page.fill("[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/villages/410411200001/register")
    page.fill("[name=name]", "测试人")
    page.fill("[name=id_number]", "11010519491231002X")
    if page.js:
        assert "1949年12月31日生 · 女" in page.inner_text("#id-derived")   # derived while typing
    page.fill("[name=address]", "曹镇村东街1号")
    page.check("[name=new_enrollee]")
    shot(page, "register")
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("#pay-form")
    assert "测试人" in page.inner_text("main")
    assert no_horizontal_scroll(page)
