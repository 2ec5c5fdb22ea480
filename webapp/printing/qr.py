"""QR codes for PDFs and pages (no image files, no network), always at error correction M.

qr_svg suits web pages. PDFs should prefer qr_png_data_uri: WeasyPrint parses an SVG path in
Python (~40 ms for a version-5 code), while a one-pixel-per-module PNG scaled up with
`image-rendering: pixelated` costs nothing and prints with the same sharp edges.
"""
import base64
import io
from functools import lru_cache

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _qr(data: str, box_size: int, border: int, image_factory=None) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border,
                       image_factory=image_factory)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def qr_version(data: str) -> int:
    """The QR version (1-40) `data` needs at error correction M: 6 or lower scans off thermal paper."""
    return _qr(data, 1, 0).version


def qr_svg(data: str, box_size: int = 10, border: int = 2) -> tuple[str, int]:
    """An <svg> element for `data` at error correction M, and the QR version used."""
    qr = _qr(data, box_size, border, qrcode.image.svg.SvgPathImage)
    buf = io.BytesIO()
    qr.make_image().save(buf)
    svg = buf.getvalue().decode()
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2:].lstrip()
    return svg, qr.version


@lru_cache(maxsize=512)
def qr_png_data_uri(data: str, border: int = 4) -> tuple[str, int]:
    """A data: URI of a black-and-white PNG with one pixel per module (and a quiet zone of
    `border` modules), and the QR version. Scale it in CSS with image-rendering: pixelated.
    Kept for the process (the mask search costs ~6 ms): a receipt's code never changes."""
    qr = _qr(data, 1, border)
    buf = io.BytesIO()
    qr.make_image().save(buf)  # Pillow, mode "1": a few hundred bytes
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode(), qr.version
