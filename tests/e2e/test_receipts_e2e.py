"""Receipts in headless Chromium at a phone-sized viewport: the share button hands the PDF to the
Web Share API (or falls back to the share page), and the public verification page fits a phone.
With UPDATE_SCREENSHOTS=1 it writes docs/screenshots/verify.png for the README."""
import os
import re
from pathlib import Path

import pytest

from webapp.extensions import db
from webapp.rules import signing
from webapp.services import payments

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Records what the page hands to the share sheet instead of opening one.
FAKE_SHARE = """
window.__shared = [];
Object.defineProperty(Navigator.prototype, 'canShare', {configurable: true, value: () => true});
Object.defineProperty(Navigator.prototype, 'share', {configurable: true, value: (d) => {
  window.__shared.push({title: d.title, url: d.url || null,
                        files: (d.files || []).map(f => [f.name, f.type, f.size])});
  return Promise.resolve();
}});
"""
NO_SHARE = "Object.defineProperty(Navigator.prototype, 'share', {configurable: true, value: undefined});"


def phone(browser, base, init_script=None):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, base_url=base,
                                  locale="zh-CN", is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    if init_script:
        context.add_init_script(init_script)
    return context.new_page()


def log_in(page, world):
    page.goto("/login")
    page.fill("[name=username]", "coord1")
    page.fill("[name=password]", world.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def test_share_hands_the_pdf_to_the_share_sheet(setting, browser, world):
    base, number = setting
    page = phone(browser, base, FAKE_SHARE)
    log_in(page, world)
    page.goto(f"/receipts/{number}")
    page.wait_for_function("window.LX_RECEIPT_SHARE_READY !== undefined")
    page.evaluate("window.LX_RECEIPT_SHARE_READY")
    page.click("#share-receipt")
    page.wait_for_function("window.__shared.length > 0")
    shared = page.evaluate("window.__shared[0]")
    assert shared["files"][0][0] == f"收据-{number}.pdf" and shared["files"][0][1] == "application/pdf"
    assert shared["files"][0][2] > 5000
    assert f"No. {number}" in shared["title"]
    assert page.url.endswith(f"/receipts/{number}")  # the page stayed


def test_without_web_share_the_button_opens_the_share_page(setting, browser, world):
    base, number = setting
    page = phone(browser, base, NO_SHARE)
    log_in(page, world)
    page.goto(f"/receipts/{number}")
    page.click("#share-receipt")
    page.wait_for_url(re.compile(rf"/receipts/{number}/share$"))
    assert page.locator(".share-qr svg").is_visible()
    box = page.locator(".share-qr svg").bounding_box()
    assert box["width"] >= 200  # big enough to scan off the screen


def test_verification_page_fits_a_phone(app, setting, browser, world, tmp_path):
    base, number = setting
    page = phone(browser, base)
    page.goto(signing.receipt_path(number, app.config["RECEIPT_KEYS"]))
    assert "真实有效" in page.inner_text(".verdict")
    shots = SHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    page.screenshot(path=str(shots / "verify.png"))
    for width in (360, 390):
        page.set_viewport_size({"width": width, "height": 740})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    payments.void_receipt(world.actor("coord1"), number, "档次选错")
    db.session.commit()
    page.reload()
    assert "已作废" in page.inner_text(".verdict")
