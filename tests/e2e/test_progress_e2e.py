"""Progress and the public roster in headless Chromium at phone size, on the demo data: the
dashboard and its charts fit a 360 px screen, the coordinator's own progress, and the public
roster opened as a resident would (no account). With UPDATE_SCREENSHOTS=1 it writes the README's
screenshots (docs/screenshots/progress-*.png)."""
import os
from datetime import timedelta
from pathlib import Path

import playwright.sync_api as sync_api
import pytest
from sqlalchemy import select

from tests.e2e.browser import launch, serve
from webapp.extensions import db
from webapp.models import User
from webapp.services import roster
from webapp.services.actor import Actor
from webapp.services.demo import DEMO_PASSWORD, seed_demo
from webapp.timeutil import today_local

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VILLAGE = "410411200001"


@pytest.fixture
def server(app):
    seed_demo(n_people=300)
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    roster.publish_roster(Actor(admin, "test"), VILLAGE, posting_start=today_local(),
                          posting_end=today_local() + timedelta(days=6), office_phone="0375-2612345")
    db.session.commit()
    with serve(app) as url:
        yield url


@pytest.fixture
def page(server, tmp_path):
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1,
                                      base_url=server, locale="zh-CN", is_mobile=True, has_touch=True)
        context.set_default_timeout(15000)
        pg = context.new_page()
        pg.shots = SHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
        pg.csp_errors = []
        pg.on("console", lambda m: "Content Security Policy" in m.text and pg.csp_errors.append(m.text))
        yield pg
        browser.close()


def login(page, username):
    page.goto("/login")
    page.fill("[name=username]", username)
    page.fill("[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def fits_360(page) -> bool:
    page.set_viewport_size({"width": 360, "height": 740})
    ok = page.evaluate("""() => document.documentElement.scrollWidth <= 360 &&
        [...document.querySelectorAll('svg')].every(s => s.getBoundingClientRect().right <= 360)""")
    page.set_viewport_size({"width": 390, "height": 844})
    return ok


def test_dashboard_reads_on_a_phone(page):
    login(page, "admin")
    assert page.locator("#home-progress").is_visible()
    page.screenshot(path=str(page.shots / "progress-home.png"))
    page.click("a.cell:has-text('征缴进度')")
    page.wait_for_selector("#progress-stats")
    page.screenshot(path=str(page.shots / "progress-dashboard.png"), full_page=True)
    charts = page.locator("section.chart svg")
    assert charts.count() == 3
    box = charts.first.bounding_box()
    assert box["width"] > 300 and box["height"] > 100          # drawn at full width, not a thumbnail
    assert fits_360(page)                                         # the tables scroll inside their box
    assert not page.csp_errors


def test_coordinator_sees_own_progress(page):
    login(page, "xieguan")
    assert page.locator("#my-progress").is_visible()
    assert int(page.inner_text("#households-left")) > 0
    assert fits_360(page)
    page.screenshot(path=str(page.shots / "progress-coordinator.png"), full_page=True)
    assert not page.csp_errors


def test_resident_opens_the_public_roster(page):
    page.goto(f"/gongshi/{VILLAGE}")
    assert page.locator("#roster-version").inner_text().startswith("第 1 版")
    assert page.locator("#roster-rows .roster-row").count() > 0
    assert "********" in page.inner_text("#roster-rows")
    assert fits_360(page)
    page.screenshot(path=str(page.shots / "progress-public-roster.png"))
    assert not page.csp_errors
