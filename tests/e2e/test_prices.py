"""The household page's amounts, in headless Chromium at a phone's viewport: for every tier of the
campaign, the live total and the confirm panel show exactly what the server prices (rules/
pricing.py), with the capitals the receipt prints; the JavaScript only looks them up."""
import re
from datetime import date

import playwright.sync_api as playwright
import pytest

from tests.e2e.browser import PHONE, launch, serve
from tests.factories import World
from webapp.extensions import db
from webapp.rules.eligibility import line_amount
from webapp.rules.money import fen_to_capitals, format_yuan

pytestmark = pytest.mark.e2e


@pytest.fixture
def household(world):
    """One household: a resident, a 低保 member (government pays up to a cap) and a 特困 one."""
    plain = world.person(name="甲一", birth=date(1980, 3, 1))
    dibao = world.person(name="甲二", birth=date(1982, 3, 1), household=plain.household_id, is_dibao=True)
    tekun = world.person(name="甲三", birth=date(1970, 3, 1), household=plain.household_id, is_tekun=True)
    db.session.commit()
    return plain.household_id, [plain, dibao, tekun]


def total_shown(page):
    text = page.inner_text("#live-total")
    fig = re.search(r"合计\s*(¥[\d,]+\.\d\d)", text).group(1)
    gov = re.search(r"政府代缴 (¥[\d,]+\.\d\d)", text)
    return fig, gov.group(1) if gov else None


def test_every_tier_shows_the_servers_price(app, world, household):
    household_id, people = household
    policy = world.campaign.policy()
    with serve(app) as url, playwright.sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport=PHONE, base_url=url, locale="zh-CN", is_mobile=True, has_touch=True)
        context.set_default_timeout(15000)
        page = context.new_page()
        page.goto("/login")
        page.fill("[name=username]", "coord1")
        page.fill("[name=password]", World.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda u: "/login" not in u)
        page.goto(f"/households/{household_id}")
        for person in people:
            page.uncheck(f"#medical_{person.id}")
        checked = 0
        for person in people:
            for tier in sorted(policy.pension_tiers):
                page.select_option(f"#pension_{person.id}", str(tier))
                server = line_amount("pension", person.facts(), policy, tier)
                fig, gov = total_shown(page)
                assert fig == format_yuan(server.self_fen), (person.name, tier)
                assert gov == (format_yuan(server.gov_fen) if server.gov_fen else None), (person.name, tier)
                checked += 1
            page.select_option(f"#pension_{person.id}", "")
        assert checked == 3 * len(policy.pension_tiers)

        # Two lines at once, then the confirm panel: the figure and the capitals the receipt prints.
        page.select_option(f"#pension_{people[1].id}", "30000")
        page.check(f"#medical_{people[0].id}")
        expected = (line_amount("pension", people[1].facts(), policy, 30000).self_fen
                    + line_amount("medical", people[0].facts(), policy).self_fen)
        assert total_shown(page)[0] == format_yuan(expected)
        page.click("#pay-form button[type=submit]")
        panel = page.inner_text("#lx-pay")
        assert format_yuan(expected) in panel and f"大写：{fen_to_capitals(expected)}" in panel
        browser.close()


def test_the_page_carries_no_pricing_rule():
    """The scripts hold no formula: no government cap or full-pay flag, no capitals of their own."""
    from pathlib import Path
    js = Path(__file__).resolve().parents[2] / "webapp" / "static" / "js"
    for path in js.glob("**/*.js"):
        text = path.read_text(encoding="utf-8")
        assert "govCap" not in text and "govFull" not in text, path.name
        assert "壹" not in text and "仟" not in text, f"{path.name} writes capitals itself"
