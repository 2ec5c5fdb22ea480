"""Reconciliation that can disagree with the outside world: the 汇总缴款书 amount compared, the
self-paid and 代缴 parts split, no booking with pending lines, late results flagged, unconfirmed
hand-overs kept from the bureau, a shortage closed when made up."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.paperwork.util import csv_bytes
from webapp.extensions import db
from webapp.models import AuditEvent, BureauBatch, BureauResult
from webapp.services import bureau, handover, reconcile
from webapp.services.errors import Conflict, Forbidden, ValidationFailed
from webapp.timeutil import now_utc, today_local


def results(world, batch, *rows):
    return bureau.import_results(world.actor("tadmin1"), batch.id, "r.csv",
                                 csv_bytes([["身份证号", "结果", "原因"], *rows]))


@pytest.fixture
def tekun(world):
    """A 特困 person: the government pays all of medical and ¥200 of a ¥300 pension."""
    p = world.person(name="赵六", is_tekun=True)
    r = world.pay("coord1", (p, "medical"), (p, "pension", 30000))
    assert (r.total_fen, r.gov_total_fen) == (10000, 45000)
    h = handover.create_handover(world.actor("coord1"), world.V1, [r.number], bank_slip_no="S1", amount_yuan="100")
    return p, r, h


def test_unconfirmed_handovers_cannot_be_sent_to_the_bureau(world, tekun):
    """Finding: payments whose hand-over the township had not confirmed could be sent."""
    p, r, h = tekun
    with pytest.raises(ValidationFailed) as e:
        bureau.create_batch(world.actor("tadmin1"), world.V1, "pension")
    assert "尚未确认收到" in e.value.errors["kind"]
    handover.confirm_handover(world.actor("tadmin1"), h.id, received_yuan="100")
    assert bureau.create_batch(world.actor("tadmin1"), world.V1, "pension").row_count == 1


def test_self_paid_and_gov_paid_are_split_everywhere(world, tekun, login):
    """Finding: batch totals included 代缴 while reconciliation counted only the self-paid part,
    and no screen split the two."""
    p, r, h = tekun
    handover.confirm_handover(world.actor("tadmin1"), h.id, received_yuan="100")
    batch = bureau.create_batch(world.actor("tadmin1"), world.V1, "pension")
    assert batch.amount_fen == 30000 and bureau.batch_split(batch.id) == {"self_fen": 10000, "gov_fen": 20000}
    results(world, batch, [p.id_number, "成功", ""])
    bureau.record_serial(world.actor("tadmin1"), batch.id, "PL1")
    bureau.record_booking(world.actor("dadmin"), batch.id, "JK1", today_local(), "100")
    rec = reconcile.reconcile(world.actor("tadmin1"), world.V1)
    (_, f), = rec.rows
    assert (f.issued_fen, f.gov_issued_fen) == (10000, 45000)
    assert (f.booked_fen, f.gov_booked_fen) == (10000, 20000)
    assert f.gov_pending_fen == 25000          # the medical line, handed over, not yet sent
    client = login("tadmin1")
    page = client.get(f"/paperwork/bureau/{batch.id}").get_data(as_text=True)
    assert "自缴 <b>¥100.00</b> · 政府代缴 <b>¥200.00</b>" in page
    page = client.get(f"/paperwork/handovers/{h.id}").get_data(as_text=True)
    assert 'id="handover-split"' in page and "政府代缴 ¥450.00" in page
    page = client.get(f"/paperwork/reconcile?area={world.V1}").get_data(as_text=True)
    assert 'id="reconcile-gov"' in page and "¥450.00" in page


def test_voucher_amount_is_compared_and_listed_until_explained(world, handed, login):
    a, b, c = handed["people"]
    batch = bureau.create_batch(world.actor("tadmin1"), world.V1, "pension")   # 张三 ¥200, 王五 ¥300
    results(world, batch, [a.id_number, "成功", ""], [c.id_number, "成功", ""])
    bureau.record_serial(world.actor("tadmin1"), batch.id, "PL1")
    with pytest.raises(ValidationFailed) as e:
        bureau.record_booking(world.actor("dadmin"), batch.id, "JK1", today_local(), "")
    assert "amount" in e.value.errors
    bureau.record_booking(world.actor("dadmin"), batch.id, "JK1", today_local(), "490")   # ¥10 short
    rec = reconcile.reconcile(world.actor("tadmin1"), world.V1)
    diff = next(d for d in rec.differences if d.kind == "缴款书不符")
    assert "JK1" in diff.message and diff.fen == -1000 and "¥500.00" in diff.message
    page = login("dadmin").get("/paperwork/vouchers").get_data(as_text=True)
    assert "JK1" in page and "-¥10.00" in page and "¥490.00" in page and "¥500.00" in page
    with pytest.raises(Forbidden):
        bureau.explain_voucher(world.actor("tadmin1"), 1, "x")
    voucher = bureau.voucher_of(db.session.get(BureauBatch, batch.id))
    with pytest.raises(ValidationFailed):
        bureau.explain_voucher(world.actor("dadmin"), voucher.id, "")
    bureau.explain_voucher(world.actor("dadmin"), voucher.id, "税务局少录 10 元，已申请更正")
    rec = reconcile.reconcile(world.actor("tadmin1"), world.V1)
    assert not any(d.kind == "缴款书不符" for d in rec.differences)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "bureau.voucher_explain"))

    # The same voucher booking another batch must carry the same amount and day.
    other = bureau.create_batch(world.actor("tadmin1"), world.V1, "medical")
    results(world, other, [a.id_number, "成功", ""], [b.id_number, "成功", ""])
    bureau.record_serial(world.actor("tadmin1"), other.id, "PL2")
    with pytest.raises(ValidationFailed) as e:
        bureau.record_booking(world.actor("dadmin"), other.id, "JK1", today_local() - timedelta(days=1), "1")
    assert set(e.value.errors) == {"amount", "booked_on"}
    bureau.record_booking(world.actor("dadmin"), other.id, "JK1", today_local(), "")
    # Now the voucher books ¥1,000 of cash: the old explanation no longer covers the new difference.
    rec = reconcile.reconcile(world.actor("tadmin1"), world.V1)
    assert next(d for d in rec.differences if d.kind == "缴款书不符").fen == 49000 - 100000


def test_a_batch_with_pending_lines_cannot_be_booked(world, handed, login):
    a = handed["people"][0]
    batch = bureau.create_batch(world.actor("tadmin1"), world.V1, "pension")
    results(world, batch, [a.id_number, "成功", ""])                         # 王五 still pending
    bureau.record_serial(world.actor("tadmin1"), batch.id, "PL1")
    with pytest.raises(ValidationFailed) as e:
        bureau.record_booking(world.actor("dadmin"), batch.id, "JK1", today_local(), "200")
    assert "1 人没有人社局结果" in e.value.errors["voucher_no"]
    page = login("dadmin").get(f"/paperwork/bureau/{batch.id}").get_data(as_text=True)
    assert 'id="booking-blocked"' in page and 'id="booking-form"' not in page


def test_a_result_imported_after_booking_is_flagged_not_booked(world, handed, login):
    """A batch booked with a line still pending (as before this rule) gets that line's result
    later: it is not silently 已入库; a district admin decides."""
    a, b, c = handed["people"]
    batch = bureau.create_batch(world.actor("tadmin1"), world.V1, "pension")
    results(world, batch, [a.id_number, "成功", ""])
    row = db.session.get(BureauBatch, batch.id)      # booked the old way, 王五 pending
    row.serial_no, row.voucher_no, row.booked_on, row.booked_at = "PL1", "JK1", today_local(), now_utc()
    db.session.commit()
    late_result = results(world, batch, [c.id_number, "成功", ""])
    assert late_result["accepted"] == 1 and late_result["late"] == 1
    wangwu = next(p for p in handed["receipts"][2].lines if p.kind == "pension")
    assert reconcile.payment_states([wangwu.id])[wangwu.id] == "imported"
    rec = reconcile.reconcile(world.actor("tadmin1"), world.V1)
    assert any(d.kind == "入库后结果" and "王五" in d.message for d in rec.differences)
    assert "late-results" in login("dadmin").get(f"/paperwork/bureau/{batch.id}").get_data(as_text=True)
    result_id = db.session.scalar(select(BureauResult.id).where(BureauResult.payment_id == wangwu.id))
    with pytest.raises(Forbidden):
        bureau.decide_late_result(world.actor("tadmin1"), result_id, True, "缴款书已含")
    resp = login("dadmin").post(f"/paperwork/bureau/results/{result_id}/late",
                                data={"decision": "book", "note": "缴款书已含此人", "batch_id": batch.id})
    assert resp.status_code == 302
    assert reconcile.payment_states([wangwu.id])[wangwu.id] == "booked"
    assert not any(d.kind == "入库后结果" for d in reconcile.reconcile(world.actor("tadmin1"), world.V1).differences)


def test_a_shortage_is_closed_when_made_up(world, paid, login):
    r1 = paid["receipts"][0]
    h = handover.create_handover(world.actor("coord1"), world.V1, [r1.number], bank_slip_no="S",
                                 amount_yuan=f"{r1.total_fen / 100:.2f}")
    handover.confirm_handover(world.actor("tadmin1"), h.id, received_yuan=f"{(r1.total_fen - 1000) / 100:.2f}",
                              note="短款 10 元")
    kinds = [d.kind for d in reconcile.reconcile(world.actor("tadmin1"), world.V1).differences]
    assert "金额不符" in kinds
    with pytest.raises(Forbidden):
        handover.record_makeup(world.actor("coord1"), h.id, amount_yuan="10")
    with pytest.raises(ValidationFailed):
        handover.record_makeup(world.actor("tadmin1"), h.id, amount_yuan="20")
    handover.record_makeup(world.actor("tadmin1"), h.id, amount_yuan="4", note="先补 4 元")
    d = next(d for d in reconcile.reconcile(world.actor("tadmin1"), world.V1).differences if d.kind == "金额不符")
    assert d.fen == -600 and "已补 ¥4.00" in d.message
    resp = login("tadmin1").post(f"/paperwork/handovers/{h.id}/makeup", data={"amount": "6", "note": "协管员补交"})
    assert resp.status_code == 302
    assert "金额不符" not in [d.kind for d in reconcile.reconcile(world.actor("tadmin1"), world.V1).differences]
    page = login("tadmin1").get(f"/paperwork/handovers/{h.id}").get_data(as_text=True)
    assert "短款已补足" in page and "tadmin1姓名" in page and "协管员补交" in page
    with pytest.raises(Conflict):
        handover.record_makeup(world.actor("tadmin1"), h.id, amount_yuan="1")
    events = db.session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "handover.makeup")).all()
    assert len(events) == 2 and "已补足" in events[1]
