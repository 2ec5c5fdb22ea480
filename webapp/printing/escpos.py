"""A receipt as an ESC/POS byte stream for 58 mm (384 dots) and 80 mm (576 dots) thermal printers.

    ESC @                     initialise
    GS v 0  0 xL xH yL yH d…  the receipt as 1-bit raster bands (raster.render_receipt_image)
    ESC d 4                   feed past the tear bar
    GS V 66 0                 feed to the cutter and cut (printers without a cutter ignore it)

Bands: the image goes in pieces of at most BAND_BYTES of raster data and at most 255 rows, because
the cheap printers have receive buffers of about 4 KB and some read only the low byte of the row
count (a taller band prints the rest of its data as text garbage). Every band is a complete
GS v 0 command, so nothing in the stream depends on the printer's buffer state.

Text is drawn into the image rather than sent as text: the cheap printers' built-in Chinese fonts
(GB18030 code pages) differ by model and some have none; an image prints the same everywhere.

Why these four commands are written here and not with python-escpos: its image() converts every
band five times (RGBA, RGB, L, inverted, 1-bit), a third of the whole job's time for a picture
that is 1-bit already; on import it writes its printer profiles into a new temporary folder per
process; it brings six more packages; and its profile of the common 58 mm printer (POS-5890) has
no cutter, so its cut() sends no GS V. The bytes are the same: tests/printing/test_escpos.py
checks this stream against python-escpos's for the same image.
"""
from .raster import WIDTHS, render_receipt_image

ESC, GS = b"\x1b", b"\x1d"
INIT = ESC + b"@"
FEED_LINES = 4
CUT = GS + b"V" + bytes((66, 0))  # function B: feed to the cutting position (+0), then cut
BAND_BYTES = 4096
MAX_BAND_ROWS = 255
# Pillow's mode "1" stores white as a set bit; in GS v 0 a set bit burns a dot.
_INVERT = bytes(255 - i for i in range(256))


def band_rows(width: str) -> int:
    return min(MAX_BAND_ROWS, BAND_BYTES // (WIDTHS[width].dots // 8))


def raster_band(image) -> bytes:
    """One GS v 0 command (normal density) for a mode "1" image whose width is a multiple of 8."""
    x_bytes, rows = image.width // 8, image.height
    header = GS + b"v0" + bytes((0, x_bytes & 0xFF, x_bytes >> 8, rows & 0xFF, rows >> 8))
    return header + image.tobytes().translate(_INVERT)


def image_to_escpos(image, width: str = "58mm") -> bytes:
    """A mode "1" image (0 = black), exactly WIDTHS[width].dots wide, as a complete print job."""
    if image.mode != "1" or image.width != WIDTHS[width].dots:
        raise ValueError(f"need a 1-bit image {WIDTHS[width].dots} dots wide for {width}, not "
                         f"{image.mode} {image.width}")
    rows = band_rows(width)
    bands = [raster_band(image.crop((0, top, image.width, min(top + rows, image.height))))
             for top in range(0, image.height, rows)]
    return INIT + b"".join(bands) + ESC + b"d" + bytes((FEED_LINES,)) + CUT


def receipt_escpos(d: dict, width: str = "58mm") -> bytes:
    """The receipt dict of services.receipt_pdf.receipt_dict as ESC/POS bytes."""
    if width not in WIDTHS:
        raise ValueError(f"no such paper width: {width}")
    return image_to_escpos(render_receipt_image(d, width), width)
