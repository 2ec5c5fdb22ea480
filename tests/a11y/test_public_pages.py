"""The public verification page (issue 16, part 2): it names its icon, so the browser does not
ask for /favicon.ico (a 404 in Lighthouse's report), and loads the 长辈模式 script from a file."""
import re

from tests.receipts.test_verify import verify_path


def test_the_verification_page_names_its_icon_and_the_mode_script(app, client, world):
    receipt = world.pay("coord1", (world.person(world.V1), "medical"))
    html = client.get(verify_path(app, receipt.number)).get_data(as_text=True)
    icon = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', html)
    assert icon and client.get(icon.group(1)).status_code == 200
    assert re.search(r'<script src="/static/js/mode\.js\?v=\w+"></script>', html)
    assert 'data-elder-switch' in html
