"""The plain data a document is drawn from, shared by all of that document's renderers.

A receipt is built once, by services/receipt_pdf.receipt_dict, into a ReceiptData; the PDF
(receipt.py) renders it, and so does any other receipt renderer (an ESC/POS one for Bluetooth
printers: same data, other bytes). Every value is already the text the payer reads (amounts
formatted, dates in China time, IDs masked), so no renderer decides a figure, a format or what
is private: they only lay the text out. Plain dicts (TypedDicts): a template reads them as they
are, and a cache can hash them.
"""
from typing import TypedDict


class ReceiptLine(TypedDict):
    name: str            # the insured person, as at payment
    id_masked: str       # 410411********1234
    kind: str            # 养老 / 医疗
    kind_full: str       # 城乡居民基本养老保险 …
    coverage: str        # the year this line covers, "2026 年度" (rules/coverage.py: pension the
                         # collection year, medical the next)
    tier: str            # "300 元档", or "" (medical has no tiers)
    subsidy: str         # "政府补贴 45 元，计入个人账户" (多缴多得, pension), or ""
    self: str            # what the payer paid, "¥300.00"
    gov: str             # what the government paid, "¥150.00", or "—"


class ReceiptData(TypedDict):
    number: str          # 2018-200001-00042
    campaign: str
    coverage: str        # "养老保险 2026 年度，医疗保险 2027 年度": the kinds on this receipt
    unit: str            # the collecting village's full name
    payer: str
    lines: list[ReceiptLine]
    total: str           # "¥400.00": what the payer paid in all
    capitals: str        # 肆佰元整
    gov_total: str       # "¥150.00", or "" when the government paid nothing
    method: str          # 现金 / 微信 …
    issued_at: str       # "2018-10-12 10:32", China time
    coordinator: str
    replaces: str        # the voided receipt this one replaces, or ""
    voided: bool
    voided_at: str
    void_reason: str
    verify_url: str      # what the QR code holds
