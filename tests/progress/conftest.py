"""Fixtures for progress and roster tests: a known world with payments, and helpers to move
payments back in time and to read PDFs as text."""
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from webapp.extensions import db
from webapp.models import Payment, Receipt, ReceiptVoid
from webapp.services import counters, payments
from webapp.timeutil import local_day_start_utc, today_local


@dataclass
class Known:
    """V1: a (pension 200 + medical), b (too old: medical), c (student: unpaid), d (employee
    schemes: nothing expected), e (new enrollee: pension 300 only).
    V2: f (paid both, then voided), g (低保: medical, government pays 150 of 250).
    V3: h (unpaid)."""
    a: object
    b: object
    c: object
    d: object
    e: object
    f: object
    g: object
    h: object
    receipts: dict


@pytest.fixture
def known(world):
    p = world.person
    a = p(world.V1, name="甲一", birth=date(1980, 1, 1))
    b = p(world.V1, name="乙二", birth=date(1940, 1, 1))
    c = p(world.V1, name="丙三", birth=date(world.campaign.year - 20, 1, 1), is_student=True)
    d = p(world.V1, name="丁四", birth=date(1985, 1, 1), employee_pension=True, employee_medical=True)
    e = p(world.V1, name="戊五", birth=date(1990, 1, 1), new_enrollee=True)
    f = p(world.V2, name="己六", birth=date(1975, 1, 1))
    g = p(world.V2, name="庚七", birth=date(1970, 1, 1), is_dibao=True)
    h = p(world.V3, name="辛八", birth=date(1972, 1, 1))
    receipts = {
        "a": world.pay("coord1", (a, "pension", 20000), (a, "medical")),
        "b": world.pay("coord1", (b, "medical")),
        "e": world.pay("coord1", (e, "pension", 30000)),
        "f": world.pay("coord2", (f, "pension", 20000), (f, "medical")),
        "g": world.pay("coord2", (g, "medical")),
    }
    payments.void_receipt(world.actor("coord2"), receipts["f"].number, "录错了人")
    return Known(a, b, c, d, e, f, g, h, receipts)


def move_receipt(receipt, day: date, hour: int = 10):
    """Pretend a receipt (and its lines) was taken and issued at `hour` China time on `day`."""
    at = local_day_start_utc(day) + timedelta(hours=hour)
    db.session.execute(update(Receipt).where(Receipt.id == receipt.id).values(created_at=at, taken_at=at))
    db.session.execute(update(Payment).where(Payment.receipt_id == receipt.id).values(created_at=at, taken_at=at))
    recount_counters()


def move_void(receipt, day: date, hour: int = 10):
    at = local_day_start_utc(day) + timedelta(hours=hour)
    db.session.execute(update(ReceiptVoid).where(ReceiptVoid.receipt_id == receipt.id).values(voided_at=at))
    recount_counters()


def recount_counters():
    """After moving rows in time behind the services' back, the progress counters are recounted
    (as `flask recount-progress` would) and committed."""
    counters.rebuild()
    db.session.commit()


def days_ago(n: int) -> date:
    return today_local() - timedelta(days=n)


def pdf_text(content: bytes, tmp_path, *args, squash: bool = True) -> str:
    """The PDF's text as poppler's pdftotext reads it; pages are separated by form feeds.
    squash: without spaces (pdftotext drops some between Chinese characters and keeps others)."""
    path = tmp_path / f"doc-{datetime.now().timestamp()}.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.replace(" ", "") if squash else text


def pdf_pages(content: bytes, tmp_path) -> list[str]:
    return pdf_text(content, tmp_path).split("\f")[:-1]
