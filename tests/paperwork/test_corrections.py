"""冲红 after hand-over: a township admin proposes, a second person approves, the receipt reads 已冲红
(its public page too, with the date), the refund is its own record, the hand-over and the bureau
batch show the correction as its own line, the next exports carry it. Nothing deleted or edited."""
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.paperwork.util import read_xlsx, xlsx_bytes
from webapp.extensions import db
from webapp.models import AuditEvent, Payment, Receipt, ReceiptCorrection
from webapp.rules import signing
from webapp.services import accounts, bureau, corrections, exports, payments, reconcile
from webapp.services.actor import SYSTEM
from webapp.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from webapp.timeutil import to_local, today_local


@pytest.fixture
def rejected(world, handed):
    """王五's pension (receipt r3, ¥300) sent and rejected by the bureau: he must be refunded."""
    a, b, c = handed["people"]
    batch = bureau.create_batch(world.actor("tadmin1"), world.V1, "pension")
    bureau.import_results(world.actor("tadmin1"), batch.id, "r.xlsx", xlsx_bytes([
        ["姓名", "身份证号", "结果", "原因"], ["张三", a.id_number, "成功", ""],
        ["王五", c.id_number, "失败", "已参加职工养老保险"]]))
    return handed | {"batch": batch}


def test_the_void_message_no_longer_points_to_a_missing_function(world, handed):
    r1 = handed["receipts"][0]
    with pytest.raises(Conflict) as e:
        payments.void_receipt(world.actor("coord1"), r1.number, "想作废")
    assert "冲红" in e.value.message


def test_round_trip_propose_approve_refund(world, rejected, app, client, login):
    r3 = rejected["receipts"][2]
    with pytest.raises(Forbidden):       # a coordinator cannot propose
        corrections.propose(world.actor("coord1"), r3.number, "人社局退回")
    with pytest.raises(ValidationFailed):
        corrections.propose(world.actor("tadmin1"), r3.number, " ")
    c = corrections.propose(world.actor("tadmin1"), r3.number, "人社局退回：已参加职工养老保险")
    assert c.refund_fen == 30000 and c.state == "proposed"
    with pytest.raises(Conflict):        # one open proposal per receipt
        corrections.propose(world.actor("tadmin1"), r3.number, "再来一次")
    with pytest.raises(Forbidden):       # the proposer cannot approve
        corrections.decide(world.actor("tadmin1"), c.id, True)
    with pytest.raises(NotFound):        # another township cannot even see it
        corrections.decide(world.actor("tadmin2"), c.id, True)
    assert not db.session.get(Receipt, r3.id).is_voided
    c = corrections.decide(world.actor("dadmin"), c.id, True, "同意")
    assert c.state == "approved"
    receipt = db.session.get(Receipt, r3.id)
    assert receipt.is_voided and receipt.total_fen == 30000       # the receipt row itself unchanged
    assert reconcile.receipt_trail(receipt).state == "reversed"
    assert db.session.scalar(select(func.count(Payment.id)).where(Payment.receipt_id == r3.id)) == 1

    # The public page says 已冲红, with the day.
    body = client.get(signing.receipt_path(r3.number, app.config["RECEIPT_KEYS"])).get_data(as_text=True)
    assert "已冲红" in body and "真实有效" not in body
    assert to_local(c.decision.decided_at).strftime("%Y年%m月%d日") in body

    with pytest.raises(ValidationFailed) as e:
        corrections.record_refund(world.actor("tadmin1"), c.id, amount_yuan="400", paid_to="王五", given_by="",
                                  given_on=today_local())
    assert set(e.value.errors) == {"amount", "given_by"}
    refund = corrections.record_refund(world.actor("tadmin1"), c.id, amount_yuan="300", paid_to="王五",
                                       given_by="coord1姓名", given_on=today_local(), note="现金退还")
    assert (refund.amount_fen, refund.paid_to, refund.given_by, refund.given_on) == \
        (30000, "王五", "coord1姓名", today_local())
    with pytest.raises(Conflict):
        corrections.record_refund(world.actor("tadmin1"), c.id, amount_yuan="300", paid_to="王五",
                                  given_by="x", given_on=today_local())
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("correction.%"))
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["correction.propose", "correction.approve", "correction.refund"]

    # The hand-over and the batch each show the correction as its own line.
    login("tadmin1")
    page = client.get(f"/paperwork/handovers/{rejected['handover'].id}").get_data(as_text=True)
    assert "handover-corrections" in page and r3.number in page and "−¥300.00" in page
    assert f"¥{(rejected['total'] - 30000) / 100:,.2f}" in page              # the net after 冲红
    page = client.get(f"/paperwork/bureau/{rejected['batch'].id}").get_data(as_text=True)
    assert 'class="correction"' in page and "冲红 王五" in page
    page = client.get(f"/paperwork/corrections/{c.id}").get_data(as_text=True)
    assert "已退款" in page and "coord1姓名" in page

    # The next export of that batch carries it as a line of its own.
    out = exports.export_annex(world.actor("tadmin1"), "pension", world.V1,
                               flt=exports.ExportFilter(bureau_batch_id=rejected["batch"].id))
    rows = [[c_.value for c_ in r] for r in read_xlsx(out.data).active.iter_rows(min_row=3, max_row=4)]
    assert rows[1][0] == "冲红" and rows[1][1] == "王五" and rows[1][5] == -300

    # Reconciliation lists it, with the refund.
    rec = reconcile.reconcile(world.actor("tadmin1"), world.V1)
    line = next(d for d in rec.differences if d.kind == "冲红")
    assert r3.number in line.message and "王五" in line.message and "¥300.00" in line.message

    # The person may pay again.
    world.pay("coord1", (rejected["people"][2], "pension", 20000))


def test_a_declined_proposal_changes_nothing_and_needs_a_reason(world, handed):
    r1 = handed["receipts"][0]
    c = corrections.propose(world.actor("tadmin1"), r1.number, "误收")
    with pytest.raises(ValidationFailed):
        corrections.decide(world.actor("dadmin"), c.id, False)
    c = corrections.decide(world.actor("dadmin"), c.id, False, "经核实收款无误")
    assert c.state == "declined" and not db.session.get(Receipt, r1.id).is_voided
    with pytest.raises(Conflict):
        corrections.record_refund(world.actor("tadmin1"), c.id, amount_yuan="1", paid_to="x", given_by="y",
                                  given_on=date.today())
    assert corrections.propose(world.actor("tadmin1"), r1.number, "再次申请").state == "proposed"


def test_another_township_admin_approves_only_where_the_district_allows(world, handed):
    world.users["tadmin1b"], _ = accounts.create_user(
        SYSTEM, username="tadmin1b", name="副乡长", role="township_admin", area_codes=[world.T1],
        password=world.PASSWORD, is_demo=True)
    r1 = handed["receipts"][0]
    c = corrections.propose(world.actor("tadmin1"), r1.number, "误收")
    other = world.actor("tadmin1b")
    with pytest.raises(Forbidden):
        corrections.decide(other, c.id, True)
    with pytest.raises(Forbidden):
        corrections.set_peer_approval(world.actor("tadmin1"), world.DISTRICT, True)
    corrections.set_peer_approval(world.actor("dadmin"), world.DISTRICT, True)
    assert corrections.decide(other, c.id, True).state == "approved"
    assert db.session.scalar(select(func.count(ReceiptCorrection.id))) == 1


def test_a_receipt_not_yet_handed_over_is_voided_by_its_coordinator_instead(world, paid):
    with pytest.raises(Conflict):
        corrections.propose(world.actor("tadmin1"), paid["receipts"][0].number, "误收")


def test_pages_propose_and_approve(world, handed, client, login):
    r1 = handed["receipts"][0]
    login("tadmin1")
    assert 'id="propose-correction"' in client.get(f"/receipts/{r1.number}").get_data(as_text=True)
    resp = client.post(f"/paperwork/receipts/{r1.number}/correct", data={"reason": ""})
    assert resp.status_code == 422 and "请填写冲红原因" in resp.get_data(as_text=True)
    resp = client.post(f"/paperwork/receipts/{r1.number}/correct", data={"reason": "误收"})
    assert resp.status_code == 302
    cid = db.session.scalar(select(ReceiptCorrection.id))
    login("dadmin")
    assert "待审批" in client.get("/paperwork/corrections?pending=1").get_data(as_text=True)
    resp = client.post(f"/paperwork/corrections/{cid}/decide", data={"decision": "approve", "note": ""})
    assert resp.status_code == 302
    assert db.session.get(Receipt, r1.id).is_voided


def test_the_district_setting_page(world, client, login):
    login("dadmin")
    assert 'id="peer-setting"' in client.get("/paperwork/corrections").get_data(as_text=True)
    assert client.post("/paperwork/corrections/setting", data={"allowed": "y"}).status_code == 302
    from webapp.models import Area
    assert db.session.scalar(select(Area).where(Area.code == world.DISTRICT)).peer_correction_approval
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "area.update")) is not None


def test_the_printed_slip_carries_the_correction_line(world, handed):
    r1 = handed["receipts"][0]
    c = corrections.propose(world.actor("tadmin1"), r1.number, "误收")
    corrections.decide(world.actor("dadmin"), c.id, True)
    from webapp.services import handover
    s = handover.slip_data(world.actor("tadmin1"), handed["handover"].id)
    assert s["corrections"] == [{"number": r1.number, "payer": r1.payer_name, "reason": "误收",
                                 "amount": "-¥450.00", "at": s["corrections"][0]["at"]}]
    assert s["total"] == f"¥{handed['total'] / 100:,.2f}"      # the slip's own total stays as made
