"""QR codes as inline SVG, for PDFs and pages (no image files, no network)."""
import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def qr_svg(data: str, box_size: int = 10, border: int = 2) -> tuple[str, int]:
    """An <svg> element for `data` at error correction M, and the QR version used."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border,
                       image_factory=qrcode.image.svg.SvgPathImage)
    qr.add_data(data)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image().save(buf)
    svg = buf.getvalue().decode()
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2:].lstrip()
    return svg, qr.version
