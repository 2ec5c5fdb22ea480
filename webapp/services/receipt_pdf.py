"""Receipt PDFs: 58 mm and 80 mm thermal roll (the coordinators' Bluetooth printers), A5 and A4.

The receipt becomes a plain dict first (receipt_dict), the print template renders from that dict
only, and webapp/pdf.py turns the HTML into a PDF. A finished PDF is kept in a small in-process
cache keyed by a hash of its HTML, so the same receipt in the same state (a void changes the HTML)
downloaded again or shared right after printing is not laid out twice.
"""
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import pdf
from ..extensions import db
from ..models import Receipt
from ..printing.raster import pdf_qr_box
from ..qr import qr_png_data_uri
from ..rules import signing
from ..rules.categories import KIND_FULL, KINDS, PAYMENT_METHODS
from ..rules.money import fen_to_capitals, fen_to_yuan_str, format_yuan
from ..timeutil import to_local
from . import payments
from .actor import Actor
from .errors import NotFound


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    hint: str
    page: str            # CSS @page size
    margin: str          # CSS @page margin
    font_pt: float
    qr_mm: int
    roll: bool           # continuous paper: the page ends where the receipt ends


# Roll paper is laid out on one page 5 m long (the PDF limit is 5.08 m) and cut where the receipt
# ends: a roll receipt never breaks onto a second page (1.5 m held ~100 lines on 58 mm).
FORMATS = {
    "58mm": Format("58mm", "58mm 热敏纸", "常见蓝牙小票打印机", "58mm 5000mm", "3mm 3mm 0 3mm", 8.5, 34, True),
    "80mm": Format("80mm", "80mm 热敏纸", "宽幅小票打印机", "80mm 5000mm", "4mm 4mm 0 4mm", 9.5, 40, True),
    "a5": Format("a5", "A5", "办公室打印机", "A5", "12mm", 10.5, 32, False),
    "a4": Format("a4", "A4", "办公室打印机", "A4", "18mm 18mm", 11, 36, False),
}
DEFAULT_FORMAT = "58mm"
END_ANCHOR = "receipt-end"


@dataclass(frozen=True)
class ReceiptPdf:
    number: str
    filename: str
    content: bytes
    verify_url: str


def verification_url(number: str) -> str:
    """The public URL in the receipt's QR code."""
    cfg = current_app.config
    return signing.receipt_url(cfg["PUBLIC_BASE_URL"], number, cfg["RECEIPT_KEYS"])


def receipt_dict(receipt: Receipt, verify_url: str) -> dict:
    """Everything the print template shows, as plain values."""
    void = receipt.void
    return {
        "number": receipt.number,
        "campaign": receipt.campaign.name,
        "coverage_year": receipt.campaign.coverage_year,
        "unit": receipt.village.full_name,
        "payer": receipt.payer_name,
        "lines": [{
            "name": l.person_name,
            "id_masked": l.id_masked,
            "kind": KINDS[l.kind],
            "kind_full": KIND_FULL[l.kind],
            "tier": f"{fen_to_yuan_str(l.tier_fen).removesuffix('.00')} 元档" if l.tier_fen else "",
            "self": format_yuan(l.self_fen),
            "gov": format_yuan(l.gov_fen) if l.gov_fen else "—",
        } for l in receipt.lines],
        "total": format_yuan(receipt.total_fen),
        "capitals": fen_to_capitals(receipt.total_fen),
        "gov_total": format_yuan(receipt.gov_total_fen) if receipt.gov_total_fen else "",
        "method": PAYMENT_METHODS.get(receipt.method, receipt.method),
        "issued_at": to_local(receipt.created_at).strftime("%Y-%m-%d %H:%M"),
        "coordinator": receipt.issued_by.name,
        "replaces": receipt.replaces.number if receipt.replaces_id else "",
        "voided": void is not None,
        "voided_at": to_local(void.voided_at).strftime("%Y-%m-%d %H:%M") if void else "",
        "void_reason": void.reason if void else "",
        "verify_url": verify_url,
    }


def receipt_html(data: dict, fmt: str) -> str:
    if fmt not in FORMATS:
        raise NotFound("没有这种收据格式")
    f = FORMATS[fmt]
    qr_uri, _version = qr_png_data_uri(data["verify_url"])
    qr_box = None
    if f.roll:  # thermal paper: the code on the printer's dot grid (printing/raster.py)
        page_mm = float(f.page.split()[0].removesuffix("mm"))
        margin_left_mm = float(f.margin.split()[-1].removesuffix("mm"))
        qr_box = pdf_qr_box(data["verify_url"], f.qr_mm, page_mm, margin_left_mm)
    return render_template("pdf/receipt.html", d=data, f=f, qr_uri=qr_uri, qr_box=qr_box, end_anchor=END_ANCHOR)


def receipt_css(fmt: str) -> str:
    return render_template("pdf/receipt.css", f=FORMATS[fmt], end_anchor=END_ANCHOR)


class _PdfCache:
    """A few hundred recent PDFs by the hash of their HTML (a receipt is ~15 KB)."""

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value):
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self):
        with self._lock:
            self._items.clear()


cache = _PdfCache()


def render_receipt_pdf(data: dict, fmt: str = DEFAULT_FORMAT, *, use_cache: bool = True) -> bytes:
    html = receipt_html(data, fmt)
    key = hashlib.sha256(f"{fmt}\n{html}".encode()).hexdigest()
    if use_cache and (hit := cache.get(key)) is not None:
        return hit
    content = pdf.render_pdf(html, css=receipt_css(fmt), crop_after=END_ANCHOR if FORMATS[fmt].roll else None)
    if use_cache:
        cache.put(key, content)
    return content


def _pdf_of(receipt: Receipt, fmt: str) -> ReceiptPdf:
    url = verification_url(receipt.number)
    content = render_receipt_pdf(receipt_dict(receipt, url), fmt)
    return ReceiptPdf(receipt.number, f"收据-{receipt.number}-{fmt}.pdf", content, url)


def receipt_pdf(actor: Actor, number: str, fmt: str = DEFAULT_FORMAT) -> ReceiptPdf:
    """The PDF of a receipt the actor may see (404 otherwise)."""
    return _pdf_of(payments.get_receipt(actor, number), fmt)


def receipt_pdf_for_operator(number: str | None, fmt: str = DEFAULT_FORMAT) -> ReceiptPdf:
    """For the command line (the server's operator sees every receipt): by number, or the newest
    receipt when number is None."""
    q = select(Receipt).options(selectinload(Receipt.lines), joinedload(Receipt.village),
                                joinedload(Receipt.issued_by), joinedload(Receipt.void))
    q = q.where(Receipt.number == number) if number else q.order_by(Receipt.id.desc()).limit(1)
    receipt = db.session.scalar(q)
    if receipt is None:
        raise NotFound(f"没有收据 {number}" if number else "还没有任何收据")
    return _pdf_of(receipt, fmt)
