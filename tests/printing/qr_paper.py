"""What happens to a printed QR code between the print head and the phone, as image operations,
and a decoder other than the one the older tests use (zxing-cpp instead of zbar).

Order, as on paper: the page at 203 dpi becomes 1 bit a dot as a thermal head burns it (a plain
threshold, or Floyd–Steinberg as a printer app's driver dithers), a worn head drops 2 % of the
burnt dots, then the camera sees it at half the resolution and/or out of focus (blur radius 1).

`python -m tests.printing.qr_paper` prints the figures of docs/printing.md: these copies for the
ESC/POS raster and the 58 mm PDF, and the other order (downscale and blur first, then 1-bit
conversion, then dropped dots), which no decoder here reads reliably even from a perfect code.
"""
import random
import subprocess
import tempfile
from pathlib import Path

import zxingcpp
from PIL import Image, ImageFilter

DROP_RATE = 0.02


def threshold(im: Image.Image) -> Image.Image:
    return im.convert("L").point(lambda v: 255 if v >= 128 else 0).convert("1", dither=Image.Dither.NONE)


def floyd_steinberg(im: Image.Image) -> Image.Image:
    return im.convert("L").convert("1", dither=Image.Dither.FLOYDSTEINBERG)


def drop_dots(im: Image.Image, rate: float = DROP_RATE, seed: int = 1) -> Image.Image:
    """A worn head: each burnt (black) dot stays white with probability `rate`."""
    im = im.convert("1").copy()
    px, rnd = im.load(), random.Random(seed)
    for y in range(im.height):
        for x in range(im.width):
            if px[x, y] == 0 and rnd.random() < rate:
                px[x, y] = 255
    return im


def half(im: Image.Image) -> Image.Image:
    return im.convert("L").resize((im.width // 2, im.height // 2))  # Pillow's default (bicubic)


def blur(im: Image.Image) -> Image.Image:
    return im.convert("L").filter(ImageFilter.GaussianBlur(1))


BINARIZE = {"threshold": threshold, "floyd-steinberg": floyd_steinberg}
CAMERA = {"as printed": (), "50% downscale": (half,), "blur r=1": (blur,), "50% downscale + blur r=1": (half, blur)}


def paper_copy(page: Image.Image, binarize: str, dropped: bool, camera: str, seed: int = 1) -> Image.Image:
    im = BINARIZE[binarize](page)
    if dropped:
        im = drop_dots(im, seed=seed)
    for step in CAMERA[camera]:
        im = step(im)
    return im


def other_order_copy(page: Image.Image, binarize: str, dropped: bool, camera: str, seed: int = 1) -> Image.Image:
    """Downscale and blur first, then the 1-bit conversion, then the dropped dots."""
    im = page
    for step in CAMERA[camera]:
        im = step(im)
    im = BINARIZE[binarize](im)
    return drop_dots(im, seed=seed) if dropped else im


def cases():
    return [(b, d, c) for b in BINARIZE for d in (False, True) for c in CAMERA]


def decode(im: Image.Image):
    """The first QR code zxing-cpp finds (its default options), or None."""
    found = zxingcpp.read_barcodes(im.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    return found[0] if found else None


def pdf_page_image(content: bytes, dpi: int = 203) -> Image.Image:
    """The PDF's first page as pdftoppm renders it (grey, anti-aliased) at `dpi`."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.pdf"
        path.write_bytes(content)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", str(path), str(Path(tmp) / "p")],
                       check=True)
        with Image.open(Path(tmp) / "p.png") as page:
            return page.convert("L")


def module_edges(im: Image.Image, box) -> list[int]:
    """Columns inside `box` (left, top, right, bottom) where the thresholded picture changes."""
    bw = threshold(im.crop(box))
    px = bw.load()
    return [x for x in range(1, bw.width) if any(px[x, y] != px[x - 1, y] for y in range(bw.height))]


def main():  # pragma: no cover - prints the figures for the docs
    from tests.conftest import make_test_config
    from tests.printing.escpos_reader import read
    from webapp import create_app
    from webapp.commands.receipts import _sample_receipt
    from webapp.printing.escpos import receipt_escpos
    from webapp.printing.receipt import render_pdf as render_receipt_pdf

    app = create_app(make_test_config("sqlite://", Path(tempfile.mkdtemp())))
    with app.test_request_context():
        data = _sample_receipt()
        url = data["verify_url"]
        sources = {"ESC/POS 58mm raster": read(receipt_escpos(data, "58mm")).image(),
                   "58mm PDF at 203 dpi": pdf_page_image(render_receipt_pdf(data, "58mm", use_cache=False))}
    seeds = range(1, 7)
    for order, make in (("paper order", paper_copy), ("other order", other_order_copy)):
        for name, page in sources.items():
            print(f"== {name}, {order}: copies decoded out of {len(seeds)} seeds")
            for b, d, c in cases():
                ok = sum((r := decode(make(page, b, d, c, s))) is not None and r.text == url for s in seeds)
                print(f"   {b:16} {'2% dropped' if d else 'all dots':11} {c:26} {ok}/{len(seeds)}")


if __name__ == "__main__":
    main()
