"""The register form's typing hint in Chromium (issue 16, part 3): it reads what people type
(spaces, dashes, full-width digits) and never shows an impossible age or date."""
from datetime import date, timedelta

import playwright.sync_api as sync_api
import pytest

from tests.e2e.browser import PHONE, launch, serve

pytestmark = pytest.mark.e2e

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def with_check(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


@pytest.fixture
def hint(app, world):
    with serve(app) as url, sync_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(viewport=PHONE, base_url=url, locale="zh-CN").new_page()
        page.goto("/login")
        page.fill("[name=username]", "coord1")
        page.fill("[name=password]", world.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"/villages/{world.V1}/register")

        def typed(text):
            page.fill("[name=id_number]", "")
            page.locator("[name=id_number]").press_sequentially(text)
            return page.locator("#id-derived").inner_text()
        yield typed
        browser.close()


def test_the_hint_never_shows_an_impossible_date_or_age(hint):
    leap_day_2023 = with_check("41041120230229123")            # 2023 has no 2月29日
    shown = hint(leap_day_2023)
    assert "2月29日" not in shown and "岁" not in shown and "日期不存在" in shown
    assert "日期不存在" in hint(with_check("41041119800431123"))  # no 4月31日 either
    tomorrow = date.today() + timedelta(days=1)
    future = hint(with_check(f"410411{tomorrow:%Y%m%d}123"))
    assert "-1" not in future and "岁" not in future and "晚于今天" in future
    next_year = hint(with_check(f"410411{date.today().year + 1}0101123"))
    assert "-" not in next_year.replace("－", "") and "岁" not in next_year
    assert "2月29日" in hint(with_check("41041120000229123"))    # 2000 was a leap year


def test_the_hint_reads_spaces_dashes_and_full_width_digits(hint):
    number = with_check("41041119800517123")
    assert hint(f"{number[:6]} {number[6:14]} {number[14:]}").startswith("1980年5月17日生")
    assert hint(f"{number[:6]}-{number[6:14]}-{number[14:]}").startswith("1980年5月17日生")
    full_width = number.translate({ord(c): 0xFEE0 + ord(c) for c in "0123456789"})
    assert hint(full_width).startswith("1980年5月17日生")
    assert hint(number[:10] + " ") == "还差 8 位"
