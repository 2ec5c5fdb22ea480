"""Paperwork in headless Chromium at a phone-sized viewport: a plan list import showing its
progress bar while the server works, and a coordinator's hand-over on a 360 px screen."""

import playwright.sync_api as sync_api
import pytest

from tests.e2e.browser import launch, serve
from tests.factories import World
from tests.paperwork.test_imports import good_rows
from tests.paperwork.util import xlsx_bytes
from webapp.extensions import db
from webapp.models import Handover
from webapp.services.people import find_by_id_number

pytestmark = pytest.mark.e2e



@pytest.fixture
def server(app, world):
    db.session.commit()
    with serve(app) as url:
        yield url


@pytest.fixture
def page(server):
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server, locale="zh-CN",
                                      is_mobile=True, has_touch=True)
        context.set_default_timeout(15000)
        yield context.new_page()
        browser.close()


def log_in(page, username):
    page.goto("/login")
    page.fill("[name=username]", username)
    page.fill("[name=password]", World.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_import_shows_progress_while_the_server_works(page, world, tmp_path):
    plan = tmp_path / "plan.xlsx"
    plan.write_bytes(xlsx_bytes(good_rows()))
    log_in(page, "tadmin1")
    page.goto("/paperwork/imports/plan")
    page.set_input_files("input[name=file]", str(plan))
    page.select_option("select[name=village]", world.V1)
    page.click("button[type=submit]")
    page.wait_for_selector("#import-summary")
    assert "已检查，等待确认" in page.inner_text("#import-summary")

    # Hold the confirm request: while it is pending the page must show the bar (its script
    # un-hides it on submit) and keep polling the progress endpoint.
    held = []
    page.route("**/confirm", lambda route: held.append(route))
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/imports/progress/" in r.url else None)
    assert page.is_hidden("#import-progress")
    page.click("button[type=submit]", no_wait_after=True)
    page.wait_for_timeout(1500)
    assert held and len(polls) >= 2, "the page did not poll the progress endpoint"
    held[0].continue_()
    page.wait_for_selector("text=已导入 4 人")
    assert find_by_id_number(good_rows()[1][2]) is not None


def test_coordinator_hands_over_on_a_small_screen(page, world):
    a = world.person(name="张三")
    world.pay("coord1", (a, "medical"))
    db.session.commit()
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "coord1")
    page.click("text=上解（交款）")
    page.click("#on-hand a")
    page.fill("[name=amount]", "250")
    page.fill("[name=bank_slip_no]", "YH-9")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    small = page.evaluate("""() => [...document.querySelectorAll('button, .btn, .cell, input[type=text], .check')]
        .filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().height)
        .filter(h => h > 0 && h < 44)""")
    assert not small
    page.click("button[type=submit]")
    page.wait_for_selector("#handover")
    assert db.session.query(Handover).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
