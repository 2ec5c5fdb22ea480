"""蓝牙打印 in headless Chromium at a phone's viewport, against a fake Web Bluetooth printer that
records every byte written to it: the printer gets exactly the bytes of /receipts/<n>/escpos/58mm
(or 80mm), in writes a BLE characteristic takes; it is remembered; a dropped link is reconnected and
the job resumes without losing or repeating a byte; a link that stays down ends in a plain
message; and a browser without Web Bluetooth explains the alternatives. With UPDATE_SCREENSHOTS=1
it writes docs/screenshots/btprint.png for docs/printing.md."""
import os

import pytest

from tests.e2e.browser import PHONE
from tests.e2e.test_receipts_e2e import SHOTS, log_in

pytestmark = pytest.mark.e2e

# A 58 mm printer as Chrome on Android shows it: service 0x18f0 with a notify characteristic
# and the write characteristic 0x2af1. window.__bt.drop_at makes the link drop before that write;
# window.__bt.dead makes every reconnection fail.
FAKE_PRINTER = """
(() => {
  const full = (u) => typeof u === 'number'
      ? ('0000' + u.toString(16)).slice(-4).padStart(8, '0') + '-0000-1000-8000-00805f9b34fb' : String(u).toLowerCase();
  const SERVICE = full(0x18f0);
  const bt = window.__bt = {writes: [], sizes: [], connects: 0, chooser: 0, drop_at: null, dead: false, statuses: [],
                            hex: () => bt.writes.join('')};
  const disconnected = () => new DOMException('GATT Server is disconnected. Cannot perform GATT operations.',
                                              'NetworkError');
  const device = {id: 'fake-printer-1', name: 'MPT-II', forget: () => Promise.resolve(),
                  addEventListener() {}, removeEventListener() {}};
  const write = (data) => {
    if (!device.gatt.connected) return Promise.reject(disconnected());
    if (bt.drop_at !== null && bt.sizes.length === bt.drop_at) {
      bt.drop_at = null;
      device.gatt.connected = false;
      return Promise.reject(new DOMException('GATT operation failed for unknown reason.', 'NetworkError'));
    }
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.length > 512) {
      return Promise.reject(new DOMException('Value can\\'t exceed 512 bytes.', 'InvalidModificationError'));
    }
    bt.sizes.push(bytes.length);
    bt.writes.push(Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''));
    return Promise.resolve();
  };
  const notify = {uuid: full(0x2af0), properties: {notify: true, write: false, writeWithoutResponse: false}};
  const writer = {uuid: full(0x2af1), properties: {notify: false, write: true, writeWithoutResponse: true},
                  writeValueWithoutResponse: write, writeValueWithResponse: write, writeValue: write};
  const service = {uuid: SERVICE, getCharacteristics: () => Promise.resolve([notify, writer])};
  device.gatt = {
    connected: false, device,
    connect() {
      bt.connects += 1;
      if (bt.dead && bt.connects > 1) {
        return Promise.reject(new DOMException('Connection attempt failed.', 'NetworkError'));
      }
      this.connected = true;
      return Promise.resolve(this);
    },
    disconnect() { this.connected = false; },
    getPrimaryService(u) {
      if (!this.connected) return Promise.reject(disconnected());
      return full(u) === SERVICE ? Promise.resolve(service)
        : Promise.reject(new DOMException('No Services matching UUID ' + full(u) + ' found in Device.',
                                          'NotFoundError'));
    },
  };
  let permitted = false;
  const bluetooth = {
    getAvailability: () => Promise.resolve(true),
    getDevices: () => Promise.resolve(permitted ? [device] : []),
    requestDevice(options) {
      bt.chooser += 1;
      bt.options = JSON.parse(JSON.stringify(options));
      permitted = true;
      return Promise.resolve(device);
    },
  };
  Object.defineProperty(Navigator.prototype, 'bluetooth', {configurable: true, get: () => bluetooth});
  new MutationObserver(() => {
    const s = document.getElementById('bt-status');
    if (s && s.textContent && bt.statuses[bt.statuses.length - 1] !== s.textContent) bt.statuses.push(s.textContent);
  }).observe(document, {subtree: true, childList: true, characterData: true});
})();
"""
NO_BLUETOOTH = "Object.defineProperty(Navigator.prototype, 'bluetooth', {configurable: true, get: () => undefined});"


def receipt_page(browser, base, world, number, init_script):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, base_url=base, locale="zh-CN",
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(20000)
    context.add_init_script(init_script)
    page = context.new_page()
    log_in(page, world)
    page.goto(f"/receipts/{number}")
    return page


def wait_until(page, js: str, seconds: float = 30):
    """Poll `js` from here: the page's CSP (script-src 'self') forbids wait_for_function's eval."""
    for _ in range(int(seconds * 20)):
        if page.evaluate(js):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"still false after {seconds} s: {js}")


def print_once(page):
    page.evaluate("document.getElementById('bt-print').dataset.result = ''")
    page.click("#bt-print-btn")
    wait_until(page, "['ok', 'error'].includes(document.getElementById('bt-print').dataset.result)")
    return page.evaluate("document.getElementById('bt-print').dataset.result")


def route_bytes(page, number, width):
    resp = page.request.get(f"/receipts/{number}/escpos/{width}")
    assert resp.status == 200
    return resp.body()


def test_bluetooth_print_sends_the_escpos_route_bytes_and_remembers_the_printer(setting, browser, world, tmp_path):
    base, number = setting
    page = receipt_page(browser, base, world, number, FAKE_PRINTER)
    wait_until(page, "document.getElementById('bt-print').dataset.ready === 'bluetooth'")
    assert print_once(page) == "ok"
    shots = SHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    page.locator("#bt-print").screenshot(path=str(shots / "btprint.png"))
    written = bytes.fromhex(page.evaluate("window.__bt.hex()"))
    assert written == route_bytes(page, number, "58mm")
    sizes = page.evaluate("window.__bt.sizes")
    assert max(sizes) <= 512 and len(sizes) > 100  # in chunks, not one write
    options = page.evaluate("window.__bt.options")
    assert "000018f0-0000-1000-8000-00805f9b34fb" in options["optionalServices"]
    assert page.evaluate("document.getElementById('bt-progress').value") == 100
    assert "已发送到打印机" in page.inner_text("#bt-status")
    statuses = page.evaluate("window.__bt.statuses")
    assert any("正在打印" in s and "%" in s for s in statuses)  # progress shown on the way
    assert "MPT-II" in page.inner_text("#bt-forget")

    # Again, on 80 mm paper: the remembered printer, no chooser.
    page.evaluate("window.__bt.writes = []; window.__bt.sizes = []")
    page.check("input[name=bt-width][value='80mm']")
    assert print_once(page) == "ok"
    assert page.evaluate("window.__bt.chooser") == 1
    assert bytes.fromhex(page.evaluate("window.__bt.hex()")) == route_bytes(page, number, "80mm")


def test_a_dropped_link_is_reconnected_and_the_job_resumes_exactly(setting, browser, world):
    base, number = setting
    page = receipt_page(browser, base, world, number, FAKE_PRINTER)
    wait_until(page, "document.getElementById('bt-print').dataset.ready === 'bluetooth'")
    page.evaluate("window.__bt.drop_at = 120")  # mid-job, inside a raster band
    assert print_once(page) == "ok"
    assert page.evaluate("window.__bt.connects") == 2
    assert bytes.fromhex(page.evaluate("window.__bt.hex()")) == route_bytes(page, number, "58mm")
    assert any("重新连接" in s for s in page.evaluate("window.__bt.statuses"))


def test_a_link_that_stays_down_ends_in_a_plain_message(setting, browser, world):
    base, number = setting
    page = receipt_page(browser, base, world, number, FAKE_PRINTER)
    wait_until(page, "document.getElementById('bt-print').dataset.ready === 'bluetooth'")
    page.evaluate("window.__bt.drop_at = 30; window.__bt.dead = true")
    assert print_once(page) == "error"
    message = page.inner_text("#bt-status")
    assert "打印中断" in message and "重新打印" in message
    assert not page.is_disabled("#bt-print-btn")  # can try again


def test_without_web_bluetooth_the_button_explains_the_alternatives(setting, browser, world):
    base, number = setting
    page = receipt_page(browser, base, world, number, NO_BLUETOOTH)
    wait_until(page, "document.getElementById('bt-print').dataset.ready === 'no-bluetooth'")
    assert not page.is_visible("#bt-help")
    page.click("#bt-print-btn")
    help_text = page.inner_text("#bt-help")
    assert page.is_visible("#bt-help") and "PDF" in help_text and "分享给缴费人" in help_text
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
