import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AuditEvent, Payment, Receipt, ReceiptVoid
from webapp.services import campaigns, payments
from webapp.services.errors import AlreadyPaid, CampaignClosed, Conflict, Forbidden, NotFound, ValidationFailed
from webapp.services.payments import LineRequest
from webapp.timeutil import today_local


def test_household_payment_creates_one_receipt_with_every_line(world):
    head = world.person(name="张三", birth=date(1975, 3, 3))
    child = world.person(name="张小", birth=date(2010, 6, 1), household=head.household_id)
    receipt, created = payments.record_payment(world.actor("coord1"), [
        LineRequest(head.id, "pension", 30000), LineRequest(head.id, "medical"), LineRequest(child.id, "medical")])
    assert created
    assert receipt.total_fen == 30000 + 25000 + 25000
    assert receipt.number.startswith(f"{world.campaign.year}-200001-")
    assert sorted((l.person_name, l.kind) for l in receipt.lines) == [
        ("张三", "medical"), ("张三", "pension"), ("张小", "medical")]
    assert receipt.payer_name == "张三"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.record"))
    assert event.object_id == str(receipt.id) and event.user_id == world.users["coord1"].id


def test_receipt_numbers_go_up_per_village_and_are_never_reused(world):
    a, b = world.person(), world.person()
    r1 = world.pay("coord1", (a, "medical"))
    r2 = world.pay("coord1", (b, "medical"))
    payments.void_receipt(world.actor("coord1"), r2.number, "录错了")
    r3 = world.pay("coord1", (b, "medical"))
    seqs = [int(r.number.rsplit("-", 1)[1]) for r in (r1, r2, r3)]
    assert seqs == [1, 2, 3]


def test_government_paid_part_applies_by_itself(world):
    p = world.person(is_tekun=True)
    r = world.pay("coord1", (p, "medical"), (p, "pension", 30000))
    lines = {l.kind: l for l in r.lines}
    assert (lines["medical"].gov_fen, lines["medical"].self_fen) == (25000, 0)
    assert (lines["pension"].gov_fen, lines["pension"].self_fen) == (20000, 10000)
    assert r.total_fen == 10000 and r.gov_total_fen == 45000


def test_already_paid_is_refused_and_says_by_whom(world):
    p = world.person(name="王五")
    r = world.pay("coord1", (p, "medical"))
    with pytest.raises(AlreadyPaid) as e:
        world.pay("coord1", (p, "medical"))
    assert r.number in e.value.message and "不能重复缴费" in e.value.message


@pytest.mark.parametrize("flags, birth, kind, code", [
    ({}, date(1950, 1, 1), "pension", "周岁"),
    ({"is_student": True}, date(2000, 1, 1), "pension", "在校学生"),
    ({"employee_pension": True}, date(1980, 1, 1), "pension", "职工养老"),
    ({"employee_medical": True}, date(1980, 1, 1), "medical", "职工医疗"),
])
def test_blocks_are_enforced_by_the_service(world, flags, birth, kind, code):
    p = world.person(birth=birth, **flags)
    line = LineRequest(p.id, kind, 30000 if kind == "pension" else None)
    with pytest.raises(ValidationFailed, match=code):
        payments.record_payment(world.actor("coord1"), [line])
    assert db.session.scalar(select(func.count(Receipt.id))) == 0


def test_nothing_is_stored_when_one_line_of_many_is_bad(world):
    ok = world.person()
    student = world.person(is_student=True, birth=date(2001, 1, 1))
    with pytest.raises(ValidationFailed):
        payments.record_payment(world.actor("coord1"), [LineRequest(ok.id, "medical"),
                                                        LineRequest(student.id, "pension", 20000)])
    assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_tier_must_be_one_of_the_campaign(world):
    p = world.person()
    with pytest.raises(ValidationFailed, match="档次"):
        payments.record_payment(world.actor("coord1"), [LineRequest(p.id, "pension", 12300)])


def test_only_coordinators_record_and_only_in_their_villages(world):
    p = world.person(world.V1)
    with pytest.raises(Forbidden):
        payments.record_payment(world.actor("tadmin1"), [LineRequest(p.id, "medical")])
    with pytest.raises(NotFound):
        payments.record_payment(world.actor("coord2"), [LineRequest(p.id, "medical")])


def test_outside_the_window_is_refused_unless_extended(world):
    p = world.person()
    c = world.campaign
    data = campaigns.input_from(c)
    today = today_local()
    data.collection_start, data.collection_end = today - timedelta(days=20), today - timedelta(days=1)
    data.summary_start, data.summary_end = today + timedelta(days=5), today + timedelta(days=30)
    data.mobilisation_start, data.mobilisation_end = today - timedelta(days=40), today - timedelta(days=21)
    campaigns.update_campaign(world.actor("dadmin"), c.id, data)
    with pytest.raises(CampaignClosed, match="已于"):
        world.pay("coord1", (p, "medical"))
    data.extended_until = today + timedelta(days=3)
    campaigns.update_campaign(world.actor("dadmin"), c.id, data)
    assert world.pay("coord1", (p, "medical")).total_fen == 25000


def test_void_frees_the_lines_and_deletes_nothing(world):
    p = world.person()
    r = world.pay("coord1", (p, "medical"))
    voided = payments.void_receipt(world.actor("coord1"), r.number, "收错了人")
    assert voided.is_voided and voided.void.reason == "收错了人"
    assert db.session.scalar(select(func.count(Payment.id))) == 1
    line = db.session.scalar(select(Payment))
    assert line.void_id == voided.void.id and line.amount_fen == 25000
    r2 = world.pay("coord1", (p, "medical"))
    assert r2.number != r.number


def test_only_the_issuer_voids_once_with_a_reason(world):
    p = world.person(world.V2)
    r = world.pay("coord2", (p, "medical"))
    with pytest.raises(NotFound):
        payments.void_receipt(world.actor("coord1"), r.number, "原因")
    with pytest.raises(ValidationFailed):
        payments.void_receipt(world.actor("coord2"), r.number, " ")
    payments.void_receipt(world.actor("coord2"), r.number, "原因")
    with pytest.raises(Conflict):
        payments.void_receipt(world.actor("coord2"), r.number, "再次")
    assert db.session.scalar(select(func.count(ReceiptVoid.id))) == 1


def test_same_client_id_same_content_is_one_payment(world):
    p = world.person()
    cid = "2b1f3e2c-5d5e-4d0e-9b7a-2f1e4d3c2b1a"
    lines = [LineRequest(p.id, "medical")]
    r1, created1 = payments.record_payment(world.actor("coord1"), lines, client_id=cid)
    r2, created2 = payments.record_payment(world.actor("coord1"), lines, client_id=cid)
    assert (created1, created2) == (True, False) and r1.id == r2.id
    with pytest.raises(Conflict):
        payments.record_payment(world.actor("coord1"), [LineRequest(p.id, "pension", 20000)], client_id=cid)
    assert db.session.scalar(select(func.count(Receipt.id))) == 1


def test_the_database_refuses_a_second_live_payment(world):
    """Even code that skipped the checks could not store a double payment."""
    from sqlalchemy.exc import IntegrityError
    p = world.person()
    r = world.pay("coord1", (p, "medical"))
    db.session.add(Payment(receipt_id=r.id, campaign_id=world.campaign.id, person_id=p.id, kind="medical",
                           amount_fen=25000, self_fen=25000, gov_fen=0, person_name="x", id_masked="x"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_two_coordinators_racing_for_one_person_one_wins(app, world):
    """Two threads, two sessions, one SQLite file: exactly one payment, the other told why."""
    p = world.person(world.V2)
    # A second coordinator for the same village.
    from webapp.services import accounts
    from webapp.services.actor import SYSTEM
    other, _ = accounts.create_user(SYSTEM, username="coord2b", name="另一协管", role="coordinator",
                                    area_codes=[world.V2], password=world.PASSWORD, is_demo=True)
    world.users["coord2b"] = other
    pid = p.id
    barrier = threading.Barrier(2, timeout=30)
    outcomes = []

    def attempt(username):
        with app.app_context():
            actor = world.actor(username)
            barrier.wait()
            try:
                payments.record_payment(actor, [LineRequest(pid, "medical")])
                outcomes.append("ok")
            except (AlreadyPaid, ValidationFailed) as e:
                outcomes.append(e.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in ("coord2", "coord2b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    db.session.rollback()  # our own session still reads its snapshot from before the threads
    assert any("不能重复缴费" in o for o in outcomes if o != "ok")
    assert db.session.scalar(select(func.count(Payment.id)).where(Payment.person_id == pid)) == 1


def test_the_returned_receipt_is_a_whole_persistent_object(world):
    """record_payment does not read the receipt back, yet callers may use any part of it."""
    p = world.person()
    receipt = world.pay("coord1", (p, "medical"))
    assert receipt in db.session and receipt.village.code == world.V1 and receipt.void is None
    assert receipt.campaign.id == world.campaign.id and all(l.id for l in receipt.lines)
    assert receipt.lines[0].receipt is receipt and receipt.issued_by.username == "coord1"
