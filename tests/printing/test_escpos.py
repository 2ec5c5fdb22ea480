"""ESC/POS print jobs for 58 mm and 80 mm thermal printers: the stream read back as a printer
reads it (every band valid, the picture exactly as wide as the head), the routes, the CLI, and
the layout following the PDF's."""
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import ImageChops

from tests.printing.escpos_reader import BadStream, read
from tests.receipts.conftest import pdf_text
from webapp.printing import escpos, raster
from webapp.printing import receipt as receipt_print
from webapp.rules import signing
from webapp.services import payments, receipt_pdf
from webapp.services.receipt_escpos import receipt_escpos
from webapp.services.site import Site

DOTS = {"58mm": 384, "80mm": 576}
ROOT = Path(__file__).resolve().parents[2]


def job_bytes(app, world, receipt, width="58mm", user="coord1"):
    return receipt_escpos(world.actor(user), Site.of(app), receipt.number, width).content


def receipt_data(app, receipt):
    url = signing.receipt_url(app.config["PUBLIC_BASE_URL"], receipt.number, app.config["RECEIPT_KEYS"])
    return receipt_pdf.receipt_dict(receipt, url)


@pytest.mark.parametrize("width", ["58mm", "80mm"])
def test_the_stream_reads_back_into_the_receipt_image(app, world, receipt, width):
    job = read(job_bytes(app, world, receipt, width))
    kinds = [c[0] for c in job.commands]
    assert kinds[0] == "init" and kinds[-2:] == ["feed", "cut"]
    assert set(kinds[1:-2]) == {"raster"} and len(job.bands) > 3
    assert job.commands[-1] == ("cut", 66, 0)
    for x_bytes, rows, data in job.bands:
        assert x_bytes * 8 == DOTS[width]                    # width exact
        assert rows <= 255 and len(data) <= escpos.BAND_BYTES  # a cheap printer's buffer takes it
    picture = job.image()
    assert picture.width == DOTS[width]
    expected = raster.render_receipt_image(receipt_data(app, receipt), width)
    assert picture.size == expected.size
    assert ImageChops.difference(picture.convert("L"), expected.convert("L")).getbbox() is None
    ink = picture.histogram()[0] / (picture.width * picture.height)
    assert 0.03 < ink < 0.5  # something printed, not a black slab


@pytest.mark.parametrize("width", ["58mm", "80mm"])
def test_the_stream_is_what_python_escpos_makes_of_the_same_image(app, receipt, width, tmp_path, monkeypatch):
    """A maintained library as the reference for the bytes (the app writes the four commands
    itself, see webapp/printing/escpos.py)."""
    monkeypatch.setenv("ESCPOS_CAPABILITIES_PICKLE_DIR", str(tmp_path))  # not a new folder in /tmp
    from escpos.printer import Dummy

    image = raster.render_receipt_image(receipt_data(app, receipt), width)
    reference = Dummy(profile={"58mm": "POS-5890", "80mm": "NT-80-V-UL"}[width])
    reference.hw("INIT")
    rows = escpos.band_rows(width)
    for top in range(0, image.height, rows):
        reference.image(image.crop((0, top, image.width, min(top + rows, image.height))), impl="bitImageRaster",
                        fragment_height=rows)
    reference.print_and_feed(escpos.FEED_LINES)
    reference.cut(feed=False)
    assert escpos.image_to_escpos(image, width) == reference.output


def test_the_reader_itself_rejects_a_broken_stream(app, world, receipt):
    good = job_bytes(app, world, receipt)
    with pytest.raises(BadStream):
        read(good[:-200])            # a band cut short
    with pytest.raises(BadStream):
        read(b"hello" + good)        # text where a command belongs


def test_the_image_is_pure_black_and_white_and_the_text_is_large(app, receipt):
    image = raster.render_receipt_image(receipt_data(app, receipt), "58mm")
    assert image.mode == "1"
    assert raster.WIDTHS["58mm"].body >= 24  # 3 mm at 203 dpi, like the PDF's 8.5 pt


def test_the_layout_is_the_pdfs_in_the_same_order(app, world, receipt):
    """One source of layout truth: every text of the printed roll receipt appears in the 58 mm PDF,
    in the same order."""
    payments.void_receipt(world.actor("coord1"), receipt.number, "档次选错")
    data = receipt_data(app, receipt)
    flat_pdf = "".join(pdf_text(receipt_print.render_pdf(data, "58mm", use_cache=False)).split())
    texts = raster.block_texts(raster.receipt_blocks(data))
    assert any("已作废" in t for t in texts) and any("档次选错" in t for t in texts)
    pos = 0
    for t in texts:
        found = flat_pdf.find("".join(t.split()), pos)
        assert found >= 0, (t, flat_pdf[pos:pos + 80])
        pos = found


@pytest.mark.parametrize("width", ["58mm", "80mm"])
def test_routes_give_the_same_bytes_to_whoever_may_see_the_receipt(app, login, world, receipt, width):
    for user in ("coord1", "tadmin1", "dadmin"):
        resp = login(user).get(f"/receipts/{receipt.number}/escpos/{width}")
        assert resp.status_code == 200 and resp.mimetype == "application/octet-stream"
        assert resp.data == job_bytes(app, world, receipt, width)
        assert "no-store" in resp.headers["Cache-Control"]


def test_routes_refuse_strangers_other_villages_and_unknown_widths(client, login, receipt):
    assert client.get(f"/receipts/{receipt.number}/escpos/58mm").status_code in (302, 401)
    assert login("coord2").get(f"/receipts/{receipt.number}/escpos/58mm").status_code == 404
    assert login("coord1").get(f"/receipts/{receipt.number}/escpos/57mm").status_code == 404


def test_cli_by_number_latest_and_width(app, runner, world, receipt, tmp_path):
    out = tmp_path / "r.bin"
    result = runner.invoke(args=["receipt-escpos", receipt.number, "-o", str(out)])
    assert result.exit_code == 0, result.output
    url = result.stdout.strip().splitlines()[-1]
    assert signing.verify_url(url, "http://lx.test", app.config["RECEIPT_KEYS"]) == receipt.number
    assert read(out.read_bytes()).image().width == 384  # 58 mm is the default
    assert out.read_bytes() == job_bytes(app, world, receipt)
    result = runner.invoke(args=["receipt-escpos", "--latest", "-o", str(out), "--width", "80"])
    assert result.exit_code == 0 and read(out.read_bytes()).image().width == 576
    assert runner.invoke(args=["receipt-escpos", "-o", str(out)]).exit_code == 2
    assert runner.invoke(args=["receipt-escpos", receipt.number, "-o", str(out), "--width", "76"]).exit_code == 2
    missing = runner.invoke(args=["receipt-escpos", "2018-000000-00000", "-o", str(out)])
    assert missing.exit_code == 1 and "没有收据" in missing.output


def test_cli_is_registered_for_flask_app_wsgi():
    """`flask --app wsgi receipt-escpos` as an operator types it (the app's own database)."""
    out = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "receipt-escpos", "--help"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0 and "--width [58|80]" in out.stdout
