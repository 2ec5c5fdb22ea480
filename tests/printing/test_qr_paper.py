"""The QR code survives thermal paper: drawn on the printer's dot grid (whole dots a module,
no grey, quiet zone 4, error correction M, version ≤ 6), and decoded by zxing-cpp from the ESC/POS
raster and from the 58 mm PDF at 203 dpi after the copies of tests/printing/qr_paper.py; the URL it
gives opens the verification page, which says 真实有效."""
import math
from functools import reduce
from itertools import pairwise
from urllib.parse import urlsplit

import pytest

from tests.printing.escpos_reader import read
from tests.printing.qr_paper import cases, decode, module_edges, paper_copy, pdf_page_image
from webapp.printing import raster
from webapp.rules import signing
from webapp.services import receipt_pdf
from webapp.services.receipt_escpos import receipt_escpos
from webapp.services.site import Site


def url_of(app, receipt):
    return signing.receipt_url(app.config["PUBLIC_BASE_URL"], receipt.number, app.config["RECEIPT_KEYS"])


@pytest.fixture
def pages(app, world, receipt):
    """The two prints of one receipt as a 203 dpi picture: the ESC/POS job read back, and the
    58 mm PDF rendered by poppler."""
    job = receipt_escpos(world.actor("coord1"), Site.of(app), receipt.number, "58mm").content
    pdf = receipt_pdf.receipt_pdf(world.actor("coord1"), Site.of(app), receipt.number, "58mm").content
    return {"escpos": read(job).image(), "pdf": pdf_page_image(pdf, 203)}


def qr_box(result):
    p = result.position
    xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
    ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
    return min(xs), min(ys), max(xs), max(ys)


@pytest.mark.parametrize("source", ["escpos", "pdf"])
def test_every_module_is_a_whole_number_of_printer_dots(app, receipt, pages, source):
    """On today's main the 58 mm PDF's code was 34 mm for 41 modules: 6.6 dots a module, printed
    as columns of 6 and 7 dots."""
    page = pages[source]
    found = decode(page)
    assert found is not None and found.ec_level in ("M", "Q", "H")
    left, top, right, bottom = qr_box(found)
    edges = module_edges(page, (left - 2, top, right + 2, bottom))
    steps = [b - a for a, b in pairwise(edges)]
    dots = reduce(math.gcd, steps)
    assert dots >= raster.QR_MIN_DOTS_PER_MODULE, (source, sorted(set(steps)))
    left, right = left - 2 + edges[0], left - 2 + edges[-1]  # exactly, from the picture
    assert (right - left) % dots == 0
    assert ((right - left) // dots - 17) / 4 <= 6  # version ≤ 6
    assert left % 2 == 0  # an even dot: still sharp at half the resolution
    # The quiet zone: 4 modules of white around the code.
    zone = page.crop((left - 4 * dots, top - 4 * dots, right + 4 * dots, bottom + 4 * dots)).convert("L")
    zone.paste(255, (4 * dots, 4 * dots, 4 * dots + right - left, 4 * dots + bottom - top))
    assert min(zone.getextrema()) > 127


def test_the_raster_code_has_no_grey_and_the_right_size(app, receipt):
    url = url_of(app, receipt)
    code = raster.qr_image(url, raster.WIDTHS["58mm"].qr_max_dots)
    assert code.mode == "1"
    n = len(raster.qr_matrix(url))
    assert code.width == n * 6 and (n - 8 - 17) / 4 <= 6  # 6 dots a module on 58 mm, version ≤ 6
    assert raster.dots_per_module(n, 10) == raster.QR_MIN_DOTS_PER_MODULE  # never fewer than 4


@pytest.mark.parametrize("binarize,dropped,camera", cases(), ids=lambda v: str(v).replace(" ", ""))
@pytest.mark.parametrize("source", ["escpos", "pdf"])
def test_the_code_decodes_from_worn_paper_and_verifies(app, client, receipt, pages, source, binarize, dropped,
                                                        camera):
    url = url_of(app, receipt)
    found = decode(paper_copy(pages[source], binarize, dropped, camera))
    assert found is not None, (source, binarize, dropped, camera)
    assert found.text == url
    page = client.get(urlsplit(found.text).path)
    assert page.status_code == 200 and "真实有效" in page.get_data(as_text=True)
