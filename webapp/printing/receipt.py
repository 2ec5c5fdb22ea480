"""The receipt as a PDF: 58 mm and 80 mm thermal roll (the coordinators' Bluetooth printers), A5
and A4, from a ReceiptData (data.py) and nothing else.

The layout is templates/receipt.html with its stylesheet templates/receipt.css (one per format,
parsed once per process by the engine). A finished PDF is kept in a small cache of the app's (passed in) keyed by
a hash of its HTML, so the same receipt in the same state (a void changes the HTML) downloaded
again or shared right after printing is not laid out twice.
"""
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from . import engine, templates
from .data import ReceiptData
from .qr import qr_png_data_uri
from .raster import pdf_qr_box


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    hint: str
    page: str            # CSS @page size
    margin: str          # CSS @page margin
    font_pt: float
    qr_mm: int
    roll: bool           # continuous paper: the page ends where the receipt ends


# Roll paper is laid out on one page 5 m long (the PDF limit is 5.08 m) and cut where the receipt
# ends: a roll receipt never breaks onto a second page (1.5 m held ~100 lines on 58 mm).
FORMATS = {
    "58mm": Format("58mm", "58mm 热敏纸", "常见蓝牙小票打印机", "58mm 5000mm", "3mm 3mm 0 3mm", 8.5, 34, True),
    "80mm": Format("80mm", "80mm 热敏纸", "宽幅小票打印机", "80mm 5000mm", "4mm 4mm 0 4mm", 9.5, 40, True),
    "a5": Format("a5", "A5", "办公室打印机", "A5", "12mm", 10.5, 32, False),
    "a4": Format("a4", "A4", "办公室打印机", "A4", "18mm 18mm", 11, 36, False),
}
DEFAULT_FORMAT = "58mm"
END_ANCHOR = "receipt-end"


def receipt_html(data: ReceiptData, fmt: str) -> str:
    """The receipt's HTML in format `fmt` (a key of FORMATS; KeyError otherwise)."""
    f = FORMATS[fmt]
    qr_uri, _version = qr_png_data_uri(data["verify_url"])
    qr_box = None
    if f.roll:  # thermal paper: the code on the printer's dot grid (raster.py)
        page_mm = float(f.page.split()[0].removesuffix("mm"))
        margin_left_mm = float(f.margin.split()[-1].removesuffix("mm"))
        qr_box = pdf_qr_box(data["verify_url"], f.qr_mm, page_mm, margin_left_mm)
    return templates.render("receipt.html", d=data, f=f, qr_uri=qr_uri, qr_box=qr_box, end_anchor=END_ANCHOR)


def receipt_css(fmt: str) -> str:
    return templates.render("receipt.css", f=FORMATS[fmt], end_anchor=END_ANCHOR)


class PdfCache:
    """A few hundred recent PDFs by the hash of their HTML (a receipt is ~15 KB)."""

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value):
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self):
        with self._lock:
            self._items.clear()



def render_pdf(data: ReceiptData, fmt: str = DEFAULT_FORMAT, *, cache: PdfCache | None = None,
               use_cache: bool = True) -> bytes:
    """The receipt's PDF in format `fmt`; kept in `cache` (the app's, services/site.py) if given."""
    html = receipt_html(data, fmt)
    cache = cache if use_cache else None
    key = hashlib.sha256(f"{fmt}\n{html}".encode()).hexdigest()
    if cache is not None and (hit := cache.get(key)) is not None:
        return hit
    content = engine.render_pdf(html, css=receipt_css(fmt), crop_after=END_ANCHOR if FORMATS[fmt].roll else None)
    if cache is not None:
        cache.put(key, content)
    return content
