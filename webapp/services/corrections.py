"""冲红: a correction of a receipt whose cash was already handed over.

The coordinator may not void a handed-over receipt (the cash has left her hands). Instead a
township admin proposes a correction with a reason; a second person approves it: the district
admin, or — where the district has turned `peer_correction_approval` on — another township admin
of the same township (never the proposer). Approval writes the receipt's void row (so the lines
no longer count anywhere and the person may pay again), and the receipt reads 已冲红 from then on,
on its public verification page too. The refund, when the money is given back, is its own row.
Nothing is edited or deleted; every step is an audit event.
"""
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Area,
    CorrectionDecision,
    Payment,
    Receipt,
    ReceiptCorrection,
    ReceiptVoid,
    Refund,
)
from ..rules import roles
from ..rules.categories import CORRECTION_STATES
from ..rules.money import InvalidAmount, format_yuan, yuan_to_fen
from ..timeutil import today_local
from . import counters
from .actor import Actor
from .audit import record_event
from .campaigns import require_writable_id
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .scope import visible_village_ids
from .tx import unit_of_work

STATES = CORRECTION_STATES


def _receipt(actor: Actor, number: str) -> Receipt:
    receipt = db.session.scalar(select(Receipt).options(joinedload(Receipt.void)).where(
        Receipt.number == (number or "").strip(), Receipt.village_id.in_(visible_village_ids(actor.user))))
    if receipt is None:
        raise NotFound("没有找到这张收据，或不在您的管理范围内")
    return receipt


def get_correction(actor: Actor, correction_id: int) -> ReceiptCorrection:
    c = db.session.scalar(select(ReceiptCorrection).join(Receipt, ReceiptCorrection.receipt_id == Receipt.id)
                          .where(ReceiptCorrection.id == correction_id,
                                 Receipt.village_id.in_(visible_village_ids(actor.user))))
    if c is None:
        raise NotFound("没有找到这条冲红记录，或不在您的管理范围内")
    return c


def corrections_of_receipt(receipt_id: int) -> list[ReceiptCorrection]:
    return db.session.scalars(select(ReceiptCorrection).where(ReceiptCorrection.receipt_id == receipt_id)
                              .order_by(ReceiptCorrection.id)).all()


def approved_correction(receipt_id: int) -> ReceiptCorrection | None:
    return db.session.scalar(select(ReceiptCorrection).join(CorrectionDecision).where(
        ReceiptCorrection.receipt_id == receipt_id, CorrectionDecision.approved.is_(True)))


def corrections_query(actor: Actor, *, handover_id: int | None = None, pending: bool = False):
    q = (select(ReceiptCorrection).options(joinedload(ReceiptCorrection.receipt))
         .join(Receipt, ReceiptCorrection.receipt_id == Receipt.id)
         .where(Receipt.village_id.in_(visible_village_ids(actor.user))).order_by(ReceiptCorrection.id))
    if handover_id:
        q = q.where(ReceiptCorrection.handover_id == handover_id)
    if pending:
        q = q.where(~ReceiptCorrection.id.in_(select(CorrectionDecision.correction_id)))
    return q


def propose(actor: Actor, receipt_number: str, reason: str) -> ReceiptCorrection:
    """A township admin proposes to 冲红 a handed-over receipt."""
    from .handover import handover_of_receipt
    if not actor.is_role(roles.TOWNSHIP_ADMIN):
        raise Forbidden("冲红由乡/街道管理员提出")
    reason = (reason or "").strip()
    with unit_of_work():
        receipt = _receipt(actor, receipt_number)
        require_writable_id(receipt.campaign_id)
        h = handover_of_receipt(receipt.id)
        if h is None:
            raise Conflict("这张收据尚未上解，请由开具的协管员直接作废")
        if receipt.void is not None:
            raise Conflict("这张收据已作废或已冲红")
        for c in corrections_of_receipt(receipt.id):
            if c.state == "proposed":
                raise Conflict("这张收据已有待审批的冲红申请")
        if len(reason) < 2:
            raise ValidationFailed({"reason": "请填写冲红原因"})
        c = ReceiptCorrection(receipt_id=receipt.id, handover_id=h.id, reason=reason[:200],
                              refund_fen=receipt.total_fen, proposed_by_id=actor.user_id)
        db.session.add(c)
        db.session.flush()
        record_event(actor, "correction.propose", receipt,
                     summary=f"申请冲红收据 {receipt.number}（{format_yuan(receipt.total_fen)}）：{reason[:80]}",
                     after={"correction_id": c.id, "handover": h.number, "reason": reason,
                            "refund_fen": c.refund_fen})
    return c


def peer_approval_allowed(receipt: Receipt) -> bool:
    township = db.session.get(Area, receipt.village.parent_id) if receipt.village.parent_id else None
    district = db.session.get(Area, township.parent_id) if township and township.parent_id else None
    return bool(district and district.peer_correction_approval)


def may_decide(actor: Actor, c: ReceiptCorrection) -> bool:
    if actor.user_id == c.proposed_by_id:
        return False
    if actor.is_role(roles.DISTRICT_ADMIN):
        return True
    return actor.is_role(roles.TOWNSHIP_ADMIN) and peer_approval_allowed(c.receipt)


def decide(actor: Actor, correction_id: int, approve: bool, note: str = "") -> ReceiptCorrection:
    """The second person's answer. Approval voids the receipt's lines (as a void does)."""
    note = (note or "").strip()
    try:
        with unit_of_work():
            c = get_correction(actor, correction_id)
            if c.decision is not None:
                raise Conflict("这条冲红申请已经审批过了")
            if actor.user_id == c.proposed_by_id:
                raise Forbidden("冲红需由另一人审批，申请人不能自己批准")
            if not may_decide(actor, c):
                raise Forbidden("冲红由区管理员审批" + ("" if actor.is_role(roles.DISTRICT_ADMIN) else
                                                     "（区里未开启由其他乡/街道管理员审批）"))
            if not approve and len(note) < 2:
                raise ValidationFailed({"note": "不批准时请写明理由"})
            receipt = c.receipt
            void = None
            if approve:
                if receipt.void is not None:
                    raise Conflict("这张收据已作废或已冲红")
                void = ReceiptVoid(receipt_id=receipt.id, reason=f"冲红：{c.reason}"[:200], voided_by_id=actor.user_id)
                db.session.add(void)
                db.session.flush()
                db.session.execute(update(Payment).where(Payment.receipt_id == receipt.id).values(void_id=void.id),
                                   execution_options={"synchronize_session": False})
                counters.count_void(receipt, void)
            d = CorrectionDecision(correction_id=c.id, approved=approve, note=note[:200],
                                   void_id=void.id if void else None, decided_by_id=actor.user_id)
            db.session.add(d)
            db.session.flush()
            record_event(actor, "correction.approve" if approve else "correction.decline", receipt,
                         summary=(f"批准冲红收据 {receipt.number}（{format_yuan(receipt.total_fen)}）" if approve
                                  else f"不批准冲红收据 {receipt.number}：{note[:80]}"),
                         before={"status": "valid"}, after={"status": "reversed" if approve else "valid",
                                                             "correction_id": c.id, "note": note})
    except IntegrityError:
        raise Conflict("这条冲红申请刚刚已被审批") from None
    db.session.expire_all()
    return get_correction(actor, correction_id)


def record_refund(actor: Actor, correction_id: int, *, amount_yuan: str, paid_to: str, given_by: str,
                  given_on: date | None, note: str = "") -> Refund:
    """Who gave back how much to whom, and when. Only after approval; once per correction."""
    if not actor.is_role(*roles.ADMINS):
        raise Forbidden("退款由乡/街道或区管理员登记")
    paid_to, given_by, note = (paid_to or "").strip(), (given_by or "").strip(), (note or "").strip()
    try:
        with unit_of_work():
            c = get_correction(actor, correction_id)
            if c.state != "approved":
                raise Conflict("只有已批准、尚未退款的冲红可以登记退款")
            errors = {}
            try:
                amount = yuan_to_fen(amount_yuan)
            except InvalidAmount as e:
                errors["amount"] = str(e)
            else:
                if amount <= 0:
                    errors["amount"] = "退款金额应大于 0"
                elif amount > c.refund_fen:
                    errors["amount"] = f"退款金额不能超过收据金额 {format_yuan(c.refund_fen)}"
            if not paid_to:
                errors["paid_to"] = "请填写领款人"
            if not given_by:
                errors["given_by"] = "请填写退款经办人"
            if given_on is None:
                errors["given_on"] = "请填写退款日期"
            elif given_on > today_local():
                errors["given_on"] = "退款日期不能晚于今天"
            if errors:
                raise ValidationFailed(errors)
            r = Refund(correction_id=c.id, amount_fen=amount, paid_to=paid_to[:32], given_by=given_by[:32],
                       given_on=given_on, note=note[:200], recorded_by_id=actor.user_id)
            db.session.add(r)
            db.session.flush()
            record_event(actor, "correction.refund", c.receipt,
                         summary=f"收据 {c.receipt.number} 冲红退款 {format_yuan(amount)}：{given_by} 退给 {paid_to}"
                                 f"（{given_on}）",
                         after={"correction_id": c.id, "amount_fen": amount, "paid_to": paid_to,
                                "given_by": given_by, "given_on": given_on, "note": note})
    except IntegrityError:
        raise Conflict("这笔冲红刚刚已登记退款") from None
    return r


def set_peer_approval(actor: Actor, district_code: str, allowed: bool) -> Area:
    """The district's setting: may another township admin approve a 冲红?"""
    if not actor.is_role(roles.DISTRICT_ADMIN):
        raise Forbidden("只有区管理员可以更改这项设置")
    with unit_of_work():
        area = db.session.scalar(select(Area).where(Area.code == district_code, Area.level == "district"))
        if area is None or area.id not in {a.id for a in actor.user.areas}:
            raise NotFound("没有找到这个区，或不在您的管理范围内")
        before = area.peer_correction_approval
        area.peer_correction_approval = bool(allowed)
        record_event(actor, "area.update", area,
                     summary=f"{area.name}：冲红{'可' if allowed else '不可'}由其他乡/街道管理员审批",
                     before={"peer_correction_approval": before}, after={"peer_correction_approval": bool(allowed)})
    return area


def handover_lines(handover_id: int) -> list[ReceiptCorrection]:
    """The corrections of a hand-over's receipts, each shown as its own line under the slip's total
    (which stays as it was when made)."""
    return db.session.scalars(select(ReceiptCorrection).where(ReceiptCorrection.handover_id == handover_id)
                              .order_by(ReceiptCorrection.id)).all()


def batch_lines(batch_id: int) -> list[tuple[Payment, ReceiptCorrection]]:
    """Payments of a bureau batch whose receipt was 冲红 afterwards, with the correction: the
    batch's amount stays as sent; the correction is its own line."""
    from ..models import BureauBatchPayment
    return db.session.execute(
        select(Payment, ReceiptCorrection)
        .join(BureauBatchPayment, BureauBatchPayment.payment_id == Payment.id)
        .join(ReceiptCorrection, ReceiptCorrection.receipt_id == Payment.receipt_id)
        .join(CorrectionDecision, CorrectionDecision.correction_id == ReceiptCorrection.id)
        .where(BureauBatchPayment.batch_id == batch_id, CorrectionDecision.approved.is_(True))
        .order_by(Payment.id)).all()
