"""Receipts to print: the one builder of a receipt's plain data (receipt_dict), and the PDF of it.

receipt_dict turns a receipt row into a printing.data.ReceiptData (masked IDs, formatted amounts,
capitals, China time, the signed verification URL); printing/receipt.py lays that out as a PDF in
one of its formats (58/80 mm roll, A5, A4) and caches it. Another renderer of the same receipt
(ESC/POS) takes the same data: `receipt_data(actor, site, number)` and its own printing module.
"""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Receipt
from ..printing import receipt as receipt_print
from ..printing.data import ReceiptData
from ..rules import signing
from ..rules.categories import KIND_FULL, KINDS, PAYMENT_METHODS, PENSION
from ..rules.coverage import coverage_label, year_text
from ..rules.money import fen_to_capitals, fen_to_yuan_str, format_yuan
from ..rules.pricing import subsidy_text
from ..timeutil import local_minute
from . import payments
from .actor import Actor
from .errors import NotFound
from .site import Site

FORMATS = receipt_print.FORMATS
DEFAULT_FORMAT = receipt_print.DEFAULT_FORMAT


@dataclass(frozen=True)
class ReceiptPdf:
    number: str
    filename: str
    content: bytes
    verify_url: str


def verification_url(site: Site, number: str) -> str:
    """The public URL in the receipt's QR code."""
    return signing.receipt_url(site.public_base_url, number, site.receipt_keys)


def _subsidy(receipt: Receipt, line) -> int | None:
    """The 多缴多得 subsidy of a pension line: as recorded when paid; for a line from before it was
    recorded, the campaign's tier, when the campaign's amounts never changed after money was taken."""
    if line.kind != PENSION or not line.tier_fen:
        return None
    if line.subsidy_fen is not None:
        return line.subsidy_fen
    if receipt.campaign.price_version == 1:
        return receipt.campaign.policy().pension_tiers.get(line.tier_fen)
    return None


def receipt_dict(receipt: Receipt, verify_url: str) -> ReceiptData:
    """Everything the print template shows, as plain values."""
    void = receipt.void
    return {
        "number": receipt.number,
        "campaign": receipt.campaign.name,
        "coverage": coverage_label(receipt.campaign.year, receipt.campaign.coverage_year,
                                   {l.kind for l in receipt.lines}),
        "unit": receipt.village.full_name,
        "payer": receipt.payer_name,
        "lines": [{
            "name": l.person_name,
            "id_masked": l.id_masked,
            "kind": KINDS[l.kind],
            "kind_full": KIND_FULL[l.kind],
            "coverage": year_text(l.kind, receipt.campaign.year, receipt.campaign.coverage_year),
            "tier": f"{fen_to_yuan_str(l.tier_fen).removesuffix('.00')} 元档" if l.tier_fen else "",
            "subsidy": subsidy_text(_subsidy(receipt, l)),
            "self": format_yuan(l.self_fen),
            "gov": format_yuan(l.gov_fen) if l.gov_fen else "—",
        } for l in receipt.lines],
        "total": format_yuan(receipt.total_fen),
        "capitals": fen_to_capitals(receipt.total_fen),
        "gov_total": format_yuan(receipt.gov_total_fen) if receipt.gov_total_fen else "",
        "method": PAYMENT_METHODS.get(receipt.method, receipt.method),
        "issued_at": local_minute(receipt.taken_at),
        "coordinator": receipt.issued_by.name,
        "replaces": receipt.replaces.number if receipt.replaces_id else "",
        "voided": void is not None,
        "voided_at": local_minute(void.voided_at) if void else "",
        "void_reason": void.reason if void else "",
        "verify_url": verify_url,
    }


def receipt_data(actor: Actor, site: Site, number: str) -> ReceiptData:
    """The plain data of a receipt the actor may see (404 otherwise), for any receipt renderer."""
    receipt = payments.get_receipt(actor, number)
    return receipt_dict(receipt, verification_url(site, receipt.number))


def _pdf_of(data: ReceiptData, fmt: str, site: Site) -> ReceiptPdf:
    if fmt not in FORMATS:
        raise NotFound("没有这种收据格式")
    content = receipt_print.render_pdf(data, fmt, cache=site.pdf_cache)
    return ReceiptPdf(data["number"], f"收据-{data['number']}-{fmt}.pdf", content, data["verify_url"])


def receipt_pdf(actor: Actor, site: Site, number: str, fmt: str = DEFAULT_FORMAT) -> ReceiptPdf:
    """The PDF of a receipt the actor may see (404 otherwise)."""
    return _pdf_of(receipt_data(actor, site, number), fmt, site)


def receipt_data_for_operator(site: Site, number: str | None, campaign=None) -> ReceiptData:
    """For the command line (the server's operator sees every receipt): by number, or the newest
    receipt when number is None; of `campaign` only, when given."""
    q = select(Receipt).options(selectinload(Receipt.lines), joinedload(Receipt.village),
                                joinedload(Receipt.issued_by), joinedload(Receipt.void))
    q = q.where(Receipt.number == number) if number else q.order_by(Receipt.id.desc()).limit(1)
    if campaign is not None:
        q = q.where(Receipt.campaign_id == campaign.id)
    receipt = db.session.scalar(q)
    if receipt is None:
        year = f"{campaign.year} 年度" if campaign is not None else ""
        raise NotFound(f"{year}没有收据 {number}" if number else f"{year}还没有任何收据")
    return receipt_dict(receipt, verification_url(site, receipt.number))


def receipt_pdf_for_operator(site: Site, number: str | None, fmt: str = DEFAULT_FORMAT,
                             campaign=None) -> ReceiptPdf:
    """The PDF of receipt `number` (or the newest, of `campaign` if given) for the command line."""
    return _pdf_of(receipt_data_for_operator(site, number, campaign), fmt, site)
