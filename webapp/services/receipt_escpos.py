"""A receipt as ESC/POS bytes for a 58 mm or 80 mm thermal printer (webapp/printing/escpos.py).

The same plain dict as the PDF (receipt_pdf.receipt_dict) feeds the renderer. No Flask: the caller
hands in the public base URL and the receipt signing keys for the QR code's URL.
"""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Receipt
from ..printing.escpos import receipt_escpos as render_escpos
from ..printing.raster import WIDTHS
from ..rules import signing
from . import payments
from .actor import Actor
from .errors import NotFound
from .receipt_pdf import receipt_dict

DEFAULT_WIDTH = "58mm"


@dataclass(frozen=True)
class ReceiptEscpos:
    number: str
    filename: str
    content: bytes
    verify_url: str


def _escpos_of(receipt: Receipt, width: str, base_url: str, keys: dict) -> ReceiptEscpos:
    if width not in WIDTHS:
        raise NotFound("没有这种纸宽（58mm 或 80mm）")
    url = signing.receipt_url(base_url, receipt.number, keys)
    content = render_escpos(receipt_dict(receipt, url), width)
    return ReceiptEscpos(receipt.number, f"收据-{receipt.number}-{width}.bin", content, url)


def receipt_escpos(actor: Actor, number: str, width: str = DEFAULT_WIDTH, *, base_url: str,
                   keys: dict) -> ReceiptEscpos:
    """The print job of a receipt the actor may see (404 otherwise)."""
    return _escpos_of(payments.get_receipt(actor, number), width, base_url, keys)


def receipt_escpos_for_operator(number: str | None, width: str = DEFAULT_WIDTH, *, base_url: str,
                                keys: dict) -> ReceiptEscpos:
    """For the command line (the operator sees every receipt): by number, or the newest."""
    q = select(Receipt).options(selectinload(Receipt.lines), joinedload(Receipt.village),
                                joinedload(Receipt.issued_by), joinedload(Receipt.void))
    q = q.where(Receipt.number == number) if number else q.order_by(Receipt.id.desc()).limit(1)
    receipt = db.session.scalar(q)
    if receipt is None:
        raise NotFound(f"没有收据 {number}" if number else "还没有任何收据")
    return _escpos_of(receipt, width, base_url, keys)
