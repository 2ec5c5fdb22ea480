"""Fixtures for the paperwork tests: a paid-up village to hand over, send and book."""
from datetime import date

import pytest

from webapp.extensions import db
from webapp.models import Person
from webapp.services import handover


@pytest.fixture
def paid(world):
    """Three receipts by coord1 in V1: two households, pension and medical lines."""
    a = world.person(name="张三", birth=date(1980, 5, 17))
    b = world.person(name="李四", birth=date(1975, 3, 2), male=False)
    c = world.person(name="王五", birth=date(1990, 1, 9))
    r1 = world.pay("coord1", (a, "pension", 20000), (a, "medical"))
    r2 = world.pay("coord1", (b, "medical"))
    r3 = world.pay("coord1", (c, "pension", 30000))
    return {"people": (a, b, c), "receipts": (r1, r2, r3)}


@pytest.fixture
def handed(world, paid):
    """All three receipts handed over by coord1 and confirmed by tadmin1."""
    receipts = paid["receipts"]
    total = sum(r.total_fen for r in receipts)
    h = handover.create_handover(world.actor("coord1"), world.V1, [r.number for r in receipts],
                                 bank_slip_no="YH20181101-01", amount_yuan=f"{total / 100:.2f}")
    handover.confirm_handover(world.actor("tadmin1"), h.id, received_yuan=f"{total / 100:.2f}")
    return paid | {"handover": db.session.get(type(h), h.id), "total": total}


def person_count() -> int:
    return db.session.query(Person).count()
