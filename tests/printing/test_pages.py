"""A receipt too long for one A5/A4 sheet: every page after the first repeats the title and the
number, and every page says 第 x 页 共 y 页; a roll receipt never breaks, however long."""
import subprocess
from datetime import date

import pytest
from flask import current_app

from tests.receipts.conftest import page_size_mm
from webapp.services import receipt_pdf
from webapp.services.site import Site


@pytest.fixture
def long_receipt(world):
    """Seven lines: a household of four, three of them with both insurances, one medical only."""
    head = world.person(name="张秀英", birth=date(1975, 3, 8), male=False)
    people = [head] + [world.person(name=n, household=head, relation="子女", birth=date(1990 + i, 1, 2))
                       for i, n in enumerate(["李建国", "欧阳娜娜", "王小明"])]
    lines = [(p, "pension", 30000) for p in people[:3]] + [(p, "medical") for p in people]
    receipt = world.pay("coord1", *lines)
    assert len(receipt.lines) == 7
    return receipt


def pages_text(content: bytes, tmp_path) -> list[str]:
    path = tmp_path / "r.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("fmt", ["a5", "a4"])
def test_every_page_of_an_office_receipt_is_labelled(world, long_receipt, tmp_path, fmt):
    content = receipt_pdf.receipt_pdf(world.actor("coord1"), Site.of(current_app), long_receipt.number, fmt).content
    pages = pages_text(content, tmp_path)
    if fmt == "a5":
        assert len(pages) >= 2  # seven lines do not fit one A5 sheet
    total = len(pages)
    for i, page in enumerate(pages, start=1):
        text = flat(page)
        assert f"第{i}页共{total}页" in text, (i, page)
        assert "城乡居民社会保险费收据" in text and long_receipt.number in text, (i, page)
    assert flat(pages[0]).count("城乡居民社会保险费收据") == 1  # the first page only has its own title


@pytest.mark.parametrize("fmt", ["58mm", "80mm"])
def test_a_roll_receipt_is_one_page_however_long(world, tmp_path, fmt):
    head = world.person(name="张秀英")
    people = [head] + [world.person(household=head, relation="子女", birth=date(1990 + i // 28, 1, 1 + i % 28))
                       for i in range(129)]
    receipt = world.pay("coord1", *[(p, "medical") for p in people])  # 130 lines: about 2 m of paper
    content = receipt_pdf.receipt_pdf(world.actor("coord1"), Site.of(current_app), receipt.number, fmt).content
    pages = pages_text(content, tmp_path)
    assert len(pages) == 1
    assert "页共" not in flat(pages[0])
    assert page_size_mm(content)[1] > 1500
