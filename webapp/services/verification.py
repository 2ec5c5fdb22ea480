"""The public answer to "is this receipt genuine?" for whoever scans its QR code.

Four answers: valid, voided (with the void date), reversed (已冲红 after hand-over, with the
date it was approved), unverifiable. A wrong signature and an
unknown number give the same answer, and the signature is checked before the database is asked,
so neither the page nor its timing tells whether a number exists. What a valid or voided answer
shows is what the payer already holds on paper, masked: names and ID numbers masked, what each
person paid, the total, the date and the collection unit. Never a phone, an address, the payer's
full name, or anything that says why the government paid part (低保, 特困, 残疾 are sensitive).
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Receipt
from ..rules import signing
from ..rules.categories import KINDS
from ..rules.masking import mask_name

VALID = "valid"
VOIDED = "voided"
REVERSED = "reversed"   # 冲红 after hand-over: approved by a second person, money refunded
UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True)
class VerifiedLine:
    name: str          # masked
    id_masked: str
    kind: str          # 养老 / 医疗
    paid_fen: int      # what the payer paid for this line (the government's part is not shown)


@dataclass(frozen=True)
class Verification:
    status: str
    number: str = ""
    unit: str = ""
    payer: str = ""    # masked
    issued_at: datetime | None = None
    voided_at: datetime | None = None     # the void's, or the 冲红 approval's, time
    total_fen: int = 0
    lines: tuple[VerifiedLine, ...] = field(default_factory=tuple)


NOT_VERIFIED = Verification(UNVERIFIABLE)


def verify_receipt(keys: dict, number: str, token: str) -> Verification:
    """Look a receipt up by the number and token from its QR code."""
    if not signing.verify_token(number, token, keys):
        return NOT_VERIFIED
    receipt = db.session.scalar(
        select(Receipt).options(selectinload(Receipt.lines), joinedload(Receipt.village),
                                joinedload(Receipt.void))
        .where(Receipt.number == number))
    if receipt is None:  # signed by us, yet gone: answer exactly as for a forged code
        return NOT_VERIFIED
    from .corrections import approved_correction
    correction = approved_correction(receipt.id) if receipt.void else None
    return Verification(
        status=REVERSED if correction else VOIDED if receipt.void else VALID,
        number=receipt.number,
        unit=receipt.village.full_name,
        payer=mask_name(receipt.payer_name),
        issued_at=receipt.taken_at,
        voided_at=receipt.void.voided_at if receipt.void else None,
        total_fen=receipt.total_fen,
        lines=tuple(VerifiedLine(mask_name(l.person_name), l.id_masked, KINDS[l.kind], l.self_fen)
                    for l in receipt.lines),
    )
