"""Fixtures for the receipt tests: a household's receipt, and helpers that read a PDF the way a
person or a phone does (its text; its QR code, rendered to an image and decoded with zbar)."""
import subprocess
from datetime import date
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from webapp.printing import engine as pdf

PHONE = "13912345678"
ADDRESS = "幸福路88号"


@pytest.fixture
def household(world):
    """Three people in V1: 张秀英 (pension 300 + medical), 李建国 (medical), 欧阳娜娜 (低保: medical
    partly paid by the government)."""
    head = world.person(name="张秀英", phone=PHONE, address=ADDRESS, birth=date(1975, 3, 8), male=False)
    spouse = world.person(name="李建国", household=head, relation="配偶", phone=PHONE, address=ADDRESS)
    dibao = world.person(name="欧阳娜娜", household=head, relation="子女", phone=PHONE, address=ADDRESS,
                         birth=date(2000, 1, 2), male=False, is_dibao=True)
    return head, spouse, dibao


@pytest.fixture
def receipt(world, household):
    head, spouse, dibao = household
    return world.pay("coord1", (head, "pension", 30000), (head, "medical"), (spouse, "medical"),
                     (dibao, "medical"))


@pytest.fixture(autouse=True)
def fresh_caches():
    """Tests that fake a missing font must not leave the cached answer behind. (Receipt PDFs are
    cached per app, and every test has its own app.)"""
    pdf.engine_problems.cache_clear()
    yield
    pdf.engine_problems.cache_clear()


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(_stream(content)).pages)


def pdf_fonts(content: bytes) -> set[str]:
    names = set()
    for page in PdfReader(_stream(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def page_size_mm(content: bytes) -> tuple[float, float]:
    box = PdfReader(_stream(content)).pages[0].mediabox
    return float(box.width) * 25.4 / 72, float(box.height) * 25.4 / 72


def _stream(content: bytes):
    import io
    return io.BytesIO(content)


def decode_qr(content: bytes, tmp_path) -> str:
    """Print the PDF's first page to an image as a phone camera would see it, and scan it."""
    pdf_file = tmp_path / "receipt.pdf"
    pdf_file.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf_file), str(tmp_path / "page")],
                   check=True)
    out = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "page.png")],
                         capture_output=True, text=True, check=True).stdout.strip()
    return out


def path_of(url: str) -> str:
    return urlsplit(url).path
