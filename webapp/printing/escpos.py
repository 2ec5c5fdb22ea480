"""A receipt as an ESC/POS byte stream for 58 mm (384 dots) and 80 mm (576 dots) thermal printers.

    ESC @                     initialise
    GS v 0  0 xL xH yL yH d…  the receipt as 1-bit raster bands (raster.render_receipt_image)
    ESC d 4                   feed past the tear bar
    GS V 66 0                 feed to the cutter and cut (printers without a cutter ignore it)

The stream is built with python-escpos (its Dummy printer collects the bytes). Bands: the image
is sent in pieces of at most BAND_BYTES of raster data and at most 255 rows, because the cheap
printers have receive buffers of about 4 KB and some read only the low byte of the row count
(a taller band prints the rest of its data as text garbage). Every band is a complete GS v 0
command, so nothing of the stream depends on the printer's buffer state.

Text is drawn into the image rather than sent as text: the cheap printers' built-in Chinese fonts
(GB18030 code pages) differ by model, and some have none; an image prints the same everywhere.
"""
import atexit
import os
import shutil
import tempfile
from functools import lru_cache

from .raster import WIDTHS, render_receipt_image

BAND_BYTES = 4096
MAX_BAND_ROWS = 255
FEED_LINES = 4
# python-escpos profiles whose media width matches ours: it then refuses an image that is wider.
PROFILES = {"58mm": "POS-5890", "80mm": "NT-80-V-UL"}


@lru_cache(maxsize=1)
def _escpos():
    """Import python-escpos once. On import it writes a cache of its printer profiles into a fresh
    temporary folder of its own unless told where: this process's folder, removed at exit."""
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        folder = tempfile.mkdtemp(prefix="lx-escpos-")
        atexit.register(shutil.rmtree, folder, True)
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = folder
    from escpos.printer import Dummy
    return Dummy


def band_rows(width: str) -> int:
    return min(MAX_BAND_ROWS, BAND_BYTES // (WIDTHS[width].dots // 8))


def image_to_escpos(image, width: str = "58mm") -> bytes:
    """A mode "1" image (0 = black), exactly WIDTHS[width].dots wide, as a complete print job."""
    if image.width != WIDTHS[width].dots:
        raise ValueError(f"image is {image.width} dots wide, the {width} printer {WIDTHS[width].dots}")
    printer = _escpos()(profile=PROFILES[width])
    printer.hw("INIT")  # ESC @
    rows = band_rows(width)
    # Cut into bands here rather than by python-escpos (fragment_height), which would first
    # convert the whole image and then every fragment again. bitImageRaster = GS v 0.
    for top in range(0, image.height, rows):
        band = image.crop((0, top, image.width, min(top + rows, image.height)))
        printer.image(band, impl="bitImageRaster", fragment_height=rows,
                      high_density_vertical=True, high_density_horizontal=True)
    printer.print_and_feed(FEED_LINES)  # ESC d n
    printer.cut(feed=False)  # GS V 66 0: feed to the cutting position, then cut
    return printer.output


def receipt_escpos(d: dict, width: str = "58mm") -> bytes:
    """The receipt dict of services.receipt_pdf.receipt_dict as ESC/POS bytes."""
    if width not in WIDTHS:
        raise ValueError(f"no such paper width: {width}")
    return image_to_escpos(render_receipt_image(d, width), width)
