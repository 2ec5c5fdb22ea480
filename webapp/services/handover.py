"""上解: a coordinator hands the money of her receipts over (bank deposit into the tax office's
pending account) as a batch, prints the hand-over slip, and the township or district confirms
what arrived. A receipt in a hand-over can no longer be voided by the coordinator: its cash has
left her hands, so a correction must go through the township."""
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Area, Handover, HandoverConfirmation, HandoverReceipt, Receipt, ReceiptVoid
from ..printing import slip
from ..rules import numbers, roles
from ..rules.categories import PAYMENT_METHODS
from ..rules.money import InvalidAmount, fen_to_capitals, format_yuan, yuan_to_fen
from ..timeutil import to_local
from .actor import Actor
from .audit import record_event
from .campaigns import default_campaign, require_campaign, require_writable, require_writable_id
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .numbering import needs_whole_code, next_in_series
from .scope import get_village, visible_village_ids
from .tx import unit_of_work


def handover_of_receipt(receipt_id: int) -> Handover | None:
    return db.session.scalar(select(Handover).join(HandoverReceipt, HandoverReceipt.handover_id == Handover.id)
                             .where(HandoverReceipt.receipt_id == receipt_id))


def ensure_receipt_voidable(receipt: Receipt):
    """Called by payments.void_receipt: a handed-over receipt is not the coordinator's to void."""
    h = handover_of_receipt(receipt.id)
    if h is not None:
        raise Conflict(f"这张收据已上解（上解批次 {h.number}），协管员不能再作废；"
                       f"如确需更正，请联系乡/街道管理员申请冲红（需另一人审批）")


def on_hand_query(actor: Actor, village_id: int | None = None, campaign=None):
    """The actor's live receipts of the campaign (default: the default one) not yet in a hand-over."""
    campaign = require_campaign(campaign)
    q = (select(Receipt).where(
        Receipt.issued_by_id == actor.user_id, Receipt.campaign_id == campaign.id,
        Receipt.village_id.in_(visible_village_ids(actor.user)),
        ~Receipt.id.in_(select(ReceiptVoid.receipt_id)), ~Receipt.id.in_(select(HandoverReceipt.receipt_id)))
        .order_by(Receipt.id))
    if village_id:
        q = q.where(Receipt.village_id == village_id)
    return q


def on_hand_summary(actor: Actor, campaign=None) -> list[tuple[Area, int, int]]:
    """[(village, receipts, fen)] the coordinator still holds, per village (for her home page)."""
    campaign = campaign or default_campaign()
    if not actor.is_role(roles.COORDINATOR) or campaign is None:
        return []
    sub = on_hand_query(actor, campaign=campaign).subquery()
    rows = db.session.execute(select(sub.c.village_id, func.count(), func.coalesce(func.sum(sub.c.total_fen), 0))
                              .group_by(sub.c.village_id)).all()
    villages = {a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_([r[0] for r in rows])))}
    return [(villages[v], n, fen) for v, n, fen in rows]


def receipts_on_hand(actor: Actor, village_code: str, campaign=None) -> tuple[Area, list[Receipt]]:
    if not actor.is_role(roles.COORDINATOR):
        raise Forbidden("只有协管员上解自己收取的款项")
    village = get_village(actor, village_code)
    return village, db.session.scalars(on_hand_query(actor, village.id, campaign)).all()


def _next_number(campaign, village: Area) -> str:
    seq = next_in_series(Handover, campaign_id=campaign.id, village_id=village.id)
    whole = needs_whole_code(numbers.HANDOVER, Handover, campaign.year, village.id, village.code)
    return numbers.handover_number(campaign.year, village.code, seq, whole_code=whole)


def create_handover(actor: Actor, village_code: str, receipt_numbers: list[str], *, bank_slip_no: str,
                    amount_yuan: str, note: str = "", campaign=None) -> Handover:
    """Bundle receipts the coordinator still holds into a hand-over. The amount she types must be
    the receipts' total: a miscount is caught here, not at the bank."""
    bank_slip_no = (bank_slip_no or "").strip()
    note = (note or "").strip()
    try:
        with unit_of_work():
            campaign = require_campaign(campaign)
            require_writable(campaign)
            village, on_hand = receipts_on_hand(actor, village_code, campaign)
            wanted = set(receipt_numbers or [])
            chosen = [r for r in on_hand if r.number in wanted]
            errors = {}
            if not wanted:
                errors["receipts"] = "请至少选择一张收据"
            elif len(chosen) != len(wanted):
                errors["receipts"] = "所选收据中有已上解、已作废或不是您开具的，请刷新后重新选择"
            if not bank_slip_no:
                errors["bank_slip_no"] = "请填写银行缴款单号"
            elif len(bank_slip_no) > 64:
                errors["bank_slip_no"] = "缴款单号太长"
            total = sum(r.total_fen for r in chosen)
            try:
                typed = yuan_to_fen(amount_yuan)
            except InvalidAmount as e:
                errors["amount"] = str(e)
            else:
                if chosen and typed != total:
                    errors["amount"] = f"上解金额 {format_yuan(typed)} 与所选收据合计 {format_yuan(total)} 不符，请核对"
            if errors:
                raise ValidationFailed(errors)
            h = Handover(number=_next_number(campaign, village), campaign_id=campaign.id, village_id=village.id,
                         created_by_id=actor.user_id, receipt_count=len(chosen), total_fen=total,
                         bank_slip_no=bank_slip_no, note=note[:200])
            db.session.add(h)
            db.session.flush()
            db.session.add_all([HandoverReceipt(handover_id=h.id, receipt_id=r.id) for r in chosen])
            db.session.flush()
            record_event(actor, "handover.create", h,
                         summary=f"上解 {h.number} {village.name} {len(chosen)} 张收据 {format_yuan(total)}",
                         after={"number": h.number, "receipts": [r.number for r in chosen], "total_fen": total,
                                "bank_slip_no": bank_slip_no})
    except IntegrityError:
        raise Conflict("所选收据刚刚已被上解，请刷新后重试") from None
    return h


def handovers_query(actor: Actor, *, unconfirmed: bool = False, village_id: int | None = None, campaign=None):
    """The hand-overs of a campaign (default: every year's, for the counts that chase work)."""
    q = (select(Handover).options(joinedload(Handover.village), joinedload(Handover.created_by),
                                  joinedload(Handover.confirmation))
         .where(Handover.village_id.in_(visible_village_ids(actor.user))).order_by(Handover.id.desc()))
    if actor.is_role(roles.COORDINATOR):
        q = q.where(Handover.created_by_id == actor.user_id)
    if campaign is not None:
        q = q.where(Handover.campaign_id == campaign.id)
    if unconfirmed:
        q = q.where(~Handover.id.in_(select(HandoverConfirmation.handover_id)))
    if village_id:
        q = q.where(Handover.village_id == village_id)
    return q


def get_handover(actor: Actor, handover_id: int) -> Handover:
    h = db.session.scalar(select(Handover).options(
        joinedload(Handover.village), joinedload(Handover.created_by), joinedload(Handover.confirmation),
        selectinload(Handover.receipts)).where(
        Handover.id == handover_id, Handover.village_id.in_(visible_village_ids(actor.user))))
    if h is None:
        raise NotFound("没有找到这个上解批次，或不在您的管理范围内")
    return h


def confirm_handover(actor: Actor, handover_id: int, *, received_yuan: str, note: str = "") -> Handover:
    """The township or district confirms the amount received; a difference needs a note."""
    note = (note or "").strip()
    if not actor.is_role(*roles.ADMINS):
        raise Forbidden("上解金额由乡/街道或区管理员确认")
    try:
        with unit_of_work():
            h = get_handover(actor, handover_id)
            require_writable_id(h.campaign_id)
            if h.confirmation is not None:
                raise Conflict("这个上解批次已经确认过了")
            try:
                received = yuan_to_fen(received_yuan)
            except InvalidAmount as e:
                raise ValidationFailed({"received": str(e)}) from None
            difference = received - h.total_fen
            if difference and len(note) < 2:
                raise ValidationFailed({"note": f"实收金额与上解金额相差 {format_yuan(difference)}，请填写说明"})
            c = HandoverConfirmation(handover_id=h.id, received_fen=received, note=note[:200],
                                     confirmed_by_id=actor.user_id)
            db.session.add(c)
            db.session.flush()
            record_event(actor, "handover.confirm", h,
                         summary=f"确认上解 {h.number}：实收 {format_yuan(received)}"
                                 + (f"（差额 {format_yuan(difference)}：{note[:60]}）" if difference else ""),
                         after={"received_fen": received, "total_fen": h.total_fen, "difference_fen": difference,
                                "note": note})
    except IntegrityError:
        raise Conflict("这个上解批次刚刚已被确认") from None
    return get_handover(actor, handover_id)


def slip_data(actor: Actor, handover_id: int) -> dict:
    """Everything the printed hand-over slip shows, as plain values."""
    h = get_handover(actor, handover_id)
    c = h.confirmation
    return {
        "number": h.number, "unit": h.village.full_name, "village": h.village.name,
        "township": h.village.parent.full_name if h.village.parent else "",
        "coordinator": h.created_by.name, "coordinator_phone": h.created_by.phone,
        "created_at": to_local(h.created_at).strftime("%Y-%m-%d %H:%M"),
        "bank_slip_no": h.bank_slip_no, "note": h.note, "count": h.receipt_count,
        "total": format_yuan(h.total_fen), "capitals": fen_to_capitals(h.total_fen),
        "receipts": [{"number": r.number, "payer": r.payer_name, "method": PAYMENT_METHODS.get(r.method, r.method),
                      "amount": format_yuan(r.total_fen), "at": to_local(r.taken_at).strftime("%m-%d %H:%M")}
                     for r in h.receipts],
        # 冲红 after the hand-over, each its own line under the total (which stays as made).
        "corrections": [{"number": x.receipt.number, "payer": x.receipt.payer_name, "reason": x.reason,
                         "amount": "-" + format_yuan(x.refund_fen),
                         "at": to_local(x.decision.decided_at).strftime("%Y-%m-%d")}
                        for x in _approved_corrections(h.id)],
        "makeups": [{"by": m.received_by.name, "at": to_local(m.received_at).strftime("%Y-%m-%d %H:%M"),
                     "amount": format_yuan(m.amount_fen), "note": m.note} for m in makeups_of(h.id)],
        "confirmation": None if c is None else {
            "by": c.confirmed_by.name, "at": to_local(c.confirmed_at).strftime("%Y-%m-%d %H:%M"),
            "received": format_yuan(c.received_fen), "difference": format_yuan(c.difference_fen) if c.difference_fen
            else "", "note": c.note},
    }


def slip_pdf(actor: Actor, handover_id: int) -> tuple[bytes, str]:
    """The printed hand-over slip of a hand-over the actor may see, and its file name."""
    data = slip_data(actor, handover_id)
    return slip.render_pdf(data), f"{data['number']}.pdf"


def makeups_of(handover_id: int) -> list:
    from ..models import HandoverMakeup
    return db.session.scalars(select(HandoverMakeup).where(HandoverMakeup.handover_id == handover_id)
                              .order_by(HandoverMakeup.id)).all()


def shortage_fen(h: Handover) -> int:
    """What is still missing from a confirmed hand-over: declared − received − made up since."""
    c = h.confirmation
    if c is None or c.received_fen >= h.total_fen:
        return 0
    return h.total_fen - c.received_fen - sum(m.amount_fen for m in makeups_of(h.id))


def record_makeup(actor: Actor, handover_id: int, *, amount_yuan: str, note: str = ""):
    """A shortage found at confirmation (−¥10) is made up later: who received it, when, how much.
    Once the shortage is made up in full the difference is closed."""
    from ..models import HandoverMakeup
    if not actor.is_role(*roles.ADMINS):
        raise Forbidden("补缴由乡/街道或区管理员登记")
    note = (note or "").strip()
    with unit_of_work():
        h = get_handover(actor, handover_id)
        require_writable_id(h.campaign_id)
        missing = shortage_fen(h)
        if missing <= 0:
            raise Conflict("这个上解批次没有待补的短款")
        try:
            amount = yuan_to_fen(amount_yuan)
        except InvalidAmount as e:
            raise ValidationFailed({"amount": str(e)}) from None
        if amount <= 0:
            raise ValidationFailed({"amount": "补缴金额应大于 0"})
        if amount > missing:
            raise ValidationFailed({"amount": f"补缴金额不能超过待补的 {format_yuan(missing)}"})
        m = HandoverMakeup(handover_id=h.id, amount_fen=amount, note=note[:200], received_by_id=actor.user_id)
        db.session.add(m)
        db.session.flush()
        left = missing - amount
        record_event(actor, "handover.makeup", h,
                     summary=f"上解 {h.number} 补缴短款 {format_yuan(amount)}" + ("，已补足" if not left else
                                                                            f"，尚差 {format_yuan(left)}"),
                     after={"amount_fen": amount, "remaining_fen": left, "note": note})
    return m


def _approved_corrections(handover_id: int) -> list:
    from .corrections import handover_lines
    return [c for c in handover_lines(handover_id) if c.state in ("approved", "refunded")]
