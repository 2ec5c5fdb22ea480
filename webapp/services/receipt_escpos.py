"""A receipt as ESC/POS bytes for a 58 mm or 80 mm thermal printer (webapp/printing/escpos.py).

The same plain receipt data as the PDF (receipt_pdf.receipt_data) feeds the renderer: one source of
layout truth. No Flask: the caller hands in the Site (public base URL and signing keys).
"""
from dataclasses import dataclass

from ..printing.data import ReceiptData
from ..printing.escpos import receipt_escpos as render_escpos
from ..printing.raster import WIDTHS
from .actor import Actor
from .errors import NotFound
from .receipt_pdf import receipt_data, receipt_data_for_operator
from .site import Site

DEFAULT_WIDTH = "58mm"


@dataclass(frozen=True)
class ReceiptEscpos:
    number: str
    filename: str
    content: bytes
    verify_url: str


def _escpos_of(data: ReceiptData, width: str) -> ReceiptEscpos:
    content = render_escpos(data, width)
    return ReceiptEscpos(data["number"], f"收据-{data['number']}-{width}.bin", content, data["verify_url"])


def _check(width: str) -> None:
    if width not in WIDTHS:
        raise NotFound("没有这种纸宽（58mm 或 80mm）")


def receipt_escpos(actor: Actor, site: Site, number: str, width: str = DEFAULT_WIDTH) -> ReceiptEscpos:
    """The print job of a receipt the actor may see (404 otherwise)."""
    _check(width)
    return _escpos_of(receipt_data(actor, site, number), width)


def receipt_escpos_for_operator(site: Site, number: str | None, width: str = DEFAULT_WIDTH) -> ReceiptEscpos:
    """For the command line (the operator sees every receipt): by number, or the newest."""
    _check(width)
    return _escpos_of(receipt_data_for_operator(site, number), width)
