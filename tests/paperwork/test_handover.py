"""上解: bundling receipts, the typed total, confirmation with a note on a difference, no void after."""
import shutil
import subprocess

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditEvent, HandoverConfirmation, Receipt
from webapp.services import handover, payments
from webapp.services.errors import Conflict, Forbidden, NotFound, ValidationFailed


def yuan(fen):
    return f"{fen / 100:.2f}"


def test_create_handover_bundles_receipts_on_hand(world, paid):
    r1, r2, r3 = paid["receipts"]
    coord = world.actor("coord1")
    village, on_hand = handover.receipts_on_hand(coord, world.V1)
    assert [r.number for r in on_hand] == [r1.number, r2.number, r3.number]
    h = handover.create_handover(coord, world.V1, [r1.number, r2.number], bank_slip_no="YH-001",
                                 amount_yuan=yuan(r1.total_fen + r2.total_fen))
    assert h.number.startswith(f"SJ{world.campaign.year}-200001-001")
    assert h.total_fen == r1.total_fen + r2.total_fen and h.receipt_count == 2 and h.bank_slip_no == "YH-001"
    assert [r.number for r in handover.receipts_on_hand(coord, world.V1)[1]] == [r3.number]
    assert [(v.code, n, fen) for v, n, fen in handover.on_hand_summary(coord)] == [(world.V1, 1, r3.total_fen)]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "handover.create"))
    assert event.after["receipts"] == [r1.number, r2.number]
    h2 = handover.create_handover(coord, world.V1, [r3.number], bank_slip_no="YH-002", amount_yuan=yuan(r3.total_fen))
    assert h2.number.endswith("-002")


def test_amount_must_match_and_slip_is_required(world, paid):
    r1 = paid["receipts"][0]
    with pytest.raises(ValidationFailed) as e:
        handover.create_handover(world.actor("coord1"), world.V1, [r1.number], bank_slip_no="",
                                 amount_yuan=yuan(r1.total_fen + 100))
    assert "不符" in e.value.errors["amount"] and "缴款单号" in e.value.errors["bank_slip_no"]
    with pytest.raises(ValidationFailed) as e:
        handover.create_handover(world.actor("coord1"), world.V1, [], bank_slip_no="x", amount_yuan="0")
    assert "至少选择" in e.value.errors["receipts"]


def test_only_own_live_receipts_not_yet_handed_over(world, paid):
    r1, r2, r3 = paid["receipts"]
    payments.void_receipt(world.actor("coord1"), r3.number, "档次选错")
    with pytest.raises(ValidationFailed) as e:   # voided
        handover.create_handover(world.actor("coord1"), world.V1, [r3.number], bank_slip_no="x", amount_yuan="300")
    assert "已作废" in e.value.errors["receipts"]
    handover.create_handover(world.actor("coord1"), world.V1, [r1.number], bank_slip_no="x",
                             amount_yuan=yuan(r1.total_fen))
    with pytest.raises(ValidationFailed):       # already handed over
        handover.create_handover(world.actor("coord1"), world.V1, [r1.number], bank_slip_no="y",
                                 amount_yuan=yuan(r1.total_fen))
    with pytest.raises(NotFound):               # not her village
        handover.create_handover(world.actor("coord2"), world.V1, [r2.number], bank_slip_no="y", amount_yuan="1")
    with pytest.raises(Forbidden):
        handover.receipts_on_hand(world.actor("tadmin1"), world.V1)


def test_a_handed_over_receipt_cannot_be_voided(world, handed):
    r1 = handed["receipts"][0]
    with pytest.raises(Conflict) as e:
        payments.void_receipt(world.actor("coord1"), r1.number, "想作废")
    assert "已上解" in e.value.message and handed["handover"].number in e.value.message
    assert not db.session.get(Receipt, r1.id).is_voided


def test_confirmation_with_and_without_difference(world, paid):
    r1, r2, _ = paid["receipts"]
    h = handover.create_handover(world.actor("coord1"), world.V1, [r1.number], bank_slip_no="x",
                                 amount_yuan=yuan(r1.total_fen))
    with pytest.raises(Forbidden):
        handover.confirm_handover(world.actor("coord1"), h.id, received_yuan=yuan(r1.total_fen))
    with pytest.raises(NotFound):
        handover.confirm_handover(world.actor("tadmin2"), h.id, received_yuan=yuan(r1.total_fen))
    with pytest.raises(ValidationFailed) as e:
        handover.confirm_handover(world.actor("tadmin1"), h.id, received_yuan=yuan(r1.total_fen - 1000))
    assert "相差 -¥10.00" in e.value.errors["note"]
    assert db.session.query(HandoverConfirmation).count() == 0
    h = handover.confirm_handover(world.actor("tadmin1"), h.id, received_yuan=yuan(r1.total_fen - 1000),
                                  note="少交 10 元，协管员次日补交")
    assert h.confirmation.received_fen == r1.total_fen - 1000 and h.confirmation.difference_fen == -1000
    with pytest.raises(Conflict):
        handover.confirm_handover(world.actor("dadmin"), h.id, received_yuan=yuan(r1.total_fen))
    h2 = handover.create_handover(world.actor("coord1"), world.V1, [r2.number], bank_slip_no="y",
                                  amount_yuan=yuan(r2.total_fen))
    h2 = handover.confirm_handover(world.actor("dadmin"), h2.id, received_yuan=yuan(r2.total_fen))
    assert h2.confirmation.note == "" and h2.confirmation.difference_fen == 0
    r3 = paid["receipts"][2]
    h3 = handover.create_handover(world.actor("coord1"), world.V1, [r3.number], bank_slip_no="z",
                                  amount_yuan=yuan(r3.total_fen))
    with pytest.raises(ValidationFailed) as e:
        handover.confirm_handover(world.actor("tadmin1"), h3.id, received_yuan="三百元")
    assert "received" in e.value.errors


def test_handover_lists_are_scoped(world, handed):
    assert db.session.scalars(handover.handovers_query(world.actor("tadmin1"))).all()
    assert not db.session.scalars(handover.handovers_query(world.actor("tadmin2"))).all()
    assert not db.session.scalars(handover.handovers_query(world.actor("coord2"))).all()
    assert not db.session.scalars(handover.handovers_query(world.actor("tadmin1"), unconfirmed=True)).all()


def test_slip_data_is_plain(world, handed):
    s = handover.slip_data(world.actor("coord1"), handed["handover"].id)
    assert s["number"] == handed["handover"].number and s["count"] == 3 and s["bank_slip_no"] == "YH20181101-01"
    assert s["capitals"].endswith("整") and len(s["receipts"]) == 3 and s["confirmation"]["by"] == "tadmin1姓名"
    assert all(isinstance(v, (str, int, list, dict, type(None))) for v in s.values())


def test_slip_pdf_through_the_page(world, handed, login):
    # poppler-utils and the PDF engine are installed by `make test`: missing, this test fails.
    assert shutil.which("pdftotext"), "poppler-utils is missing (make setup-test installs it)"
    client = login("coord1")
    resp = client.get(f"/paperwork/handovers/{handed['handover'].id}/slip.pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=resp.data, capture_output=True).stdout.decode()
    assert "上解单" in text and handed["handover"].number in text and "YH20181101-01" in text
