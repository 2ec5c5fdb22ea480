"""Where every payment is, and whether the sums add up.

A payment's state is derived from the rows that follow it, never stored:
已收款 (collected) → 已上解 (its receipt is in a hand-over) → 已导入 (the 人社局 accepted it) →
已入库 (the batch that carried it was booked with a 汇总缴款书), or 已作废 (its receipt was voided).

Reconciliation per village and township, for the chosen campaign (the year switch):
receipts issued = handed over + still on hand; handed over = booked + pending; and every
difference listed (amounts received that differ from the hand-over, hand-overs not confirmed,
receipts voided after hand-over, payments the bureau rejected).
"""
from dataclasses import dataclass, field

from sqlalchemy import case, exists, func, select

from ..extensions import db
from ..models import (
    Area,
    BureauBatch,
    BureauResult,
    CorrectionDecision,
    Handover,
    HandoverConfirmation,
    HandoverReceipt,
    Payment,
    Receipt,
    ReceiptVoid,
)
from ..rules.money import format_yuan
from .actor import Actor
from .bureau import (
    booked_result_condition,
    late_results_query,
    rejected_query,
    voucher_difference,
    vouchers_in_scope,
)
from .campaigns import require_campaign
from .corrections import approved_correction
from .errors import NotFound
from .handover import makeups_of
from .scope import visible_area_ids, visible_village_ids

STATES = {"collected": "已收款", "handed": "已上解", "imported": "已导入", "booked": "已入库", "voided": "已作废",
          "reversed": "已冲红"}
CHAIN = ["collected", "handed", "imported", "booked"]


def state_expression():
    """SQL CASE giving each payment row its state key."""
    booked = exists().where(BureauResult.payment_id == Payment.id, BureauBatch.id == BureauResult.batch_id,
                            booked_result_condition())
    imported = exists().where(BureauResult.payment_id == Payment.id, BureauResult.accepted.is_(True))
    handed = Payment.receipt_id.in_(select(HandoverReceipt.receipt_id))
    # 冲红: a void written by an approved correction (services/corrections.py).
    reversed_ = Payment.void_id.in_(select(CorrectionDecision.void_id).where(CorrectionDecision.void_id.is_not(None)))
    return case((reversed_, "reversed"), (Payment.void_id.is_not(None), "voided"), (booked, "booked"),
                (imported, "imported"), (handed, "handed"), else_="collected")


def payment_states(payment_ids) -> dict:
    ids = list(payment_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Payment.id, state_expression()).where(Payment.id.in_(ids))).all())


@dataclass
class ReceiptTrail:
    """What the receipt page shows below the receipt: each line's place in the chain."""
    lines: list                 # [(payment, state key)]
    handover: Handover | None
    rejections: dict            # payment id -> reason of its latest, unresolved rejection

    @property
    def state(self) -> str:
        """The receipt's own state: the least advanced of its lines."""
        keys = [s for _, s in self.lines]
        if keys and all(k == "reversed" for k in keys):
            return "reversed"
        if not keys or all(k in ("voided", "reversed") for k in keys):
            return "voided"
        return min((k for k in keys if k in CHAIN), key=CHAIN.index)


def receipt_trail(receipt: Receipt) -> ReceiptTrail:
    states = payment_states(p.id for p in receipt.lines)
    from .handover import handover_of_receipt
    latest = select(func.max(BureauResult.id)).where(
        BureauResult.payment_id.in_([p.id for p in receipt.lines])).group_by(BureauResult.payment_id)
    rejections = dict(db.session.execute(select(BureauResult.payment_id, BureauResult.reason).where(
        BureauResult.id.in_(latest), BureauResult.accepted.is_(False))).all())
    return ReceiptTrail(lines=[(p, states.get(p.id, "collected")) for p in receipt.lines],
                        handover=handover_of_receipt(receipt.id), rejections=rejections)


# --- reconciliation -------------------------------------------------------------------------

@dataclass
class Figures:
    issued_n: int = 0          # live receipts
    issued_fen: int = 0
    handed_n: int = 0          # live receipts in a hand-over
    handed_fen: int = 0
    on_hand_n: int = 0
    on_hand_fen: int = 0
    voided_n: int = 0
    voided_fen: int = 0
    handover_fen: int = 0      # what hand-overs declared (fixed when made)
    received_fen: int = 0      # what was confirmed received
    unconfirmed_n: int = 0
    collected_fen: int = 0     # payments (cash part) by state
    handed_state_fen: int = 0
    imported_fen: int = 0
    booked_fen: int = 0
    rejected_n: int = 0
    # The government-paid (代缴) part, by the same states: it never passes through a coordinator's
    # hands, so it is beside the cash figures, never inside them.
    gov_issued_fen: int = 0
    gov_handed_fen: int = 0
    gov_booked_fen: int = 0
    gov_pending_fen: int = 0
    made_up_fen: int = 0       # shortages at hand-over made up later

    @property
    def pending_fen(self) -> int:
        """Handed over but not yet booked."""
        return self.handed_state_fen + self.imported_fen

    @property
    def issued_balances(self) -> bool:
        return self.issued_fen == self.handed_fen + self.on_hand_fen

    @property
    def handed_balances(self) -> bool:
        return self.handed_fen == self.booked_fen + self.pending_fen

    def add(self, other: "Figures"):
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Difference:
    village: str
    kind: str
    message: str
    fen: int = 0
    link: tuple | None = None    # (endpoint, kwargs) for the page


@dataclass
class Reconciliation:
    area: Area
    rows: list                                   # [(Area, Figures)] one per village or township
    total: Figures
    differences: list = field(default_factory=list)


def _villages(actor: Actor, area: Area) -> list[Area]:
    q = select(Area).where(Area.level == "village", Area.id.in_(visible_village_ids(actor.user))).order_by(Area.code)
    if area.level == "village":
        q = q.where(Area.id == area.id)
    elif area.level == "township":
        q = q.where(Area.parent_id == area.id)
    else:
        q = q.where(Area.parent_id.in_(select(Area.id).where(Area.parent_id == area.id)))
    return db.session.scalars(q).all()


def default_area(actor: Actor) -> Area:
    """The widest area the actor answers for."""
    order = case((Area.level == "district", 0), (Area.level == "township", 1), else_=2)
    area = db.session.scalar(select(Area).where(Area.id.in_(visible_area_ids(actor.user))).order_by(order, Area.code))
    if area is None:
        raise NotFound("您还没有负责的区域")
    return area


def _area(actor: Actor, area_code: str | None) -> Area:
    if not area_code:
        return default_area(actor)
    area = db.session.scalar(select(Area).where(Area.code == area_code, Area.id.in_(visible_area_ids(actor.user))))
    if area is None:
        raise NotFound("没有找到这个区域，或不在您的管理范围内")
    return area


def _count_receipts(figures: dict, in_villages, campaign_id: int, voided, handed):
    """Issued = handed over + on hand, per village; voided receipts apart; 代缴 beside the total."""
    for vid, is_void, is_handed, n, fen, gov in db.session.execute(
            select(Receipt.village_id, voided, handed, func.count(), func.coalesce(func.sum(Receipt.total_fen), 0),
                   func.coalesce(func.sum(Receipt.gov_total_fen), 0))
            .where(in_villages, Receipt.campaign_id == campaign_id).group_by(Receipt.village_id, voided, handed)):
        f = figures[vid]
        if is_void:
            f.voided_n += n
            f.voided_fen += fen
            continue
        f.issued_n += n
        f.issued_fen += fen
        f.gov_issued_fen += gov
        if is_handed:
            f.handed_n += n
            f.handed_fen += fen
            f.gov_handed_fen += gov
        else:
            f.on_hand_n += n
            f.on_hand_fen += fen


def _handover_differences(figures: dict, names: dict, ids: list, campaign_id: int) -> list:
    """Hand-overs not yet confirmed, and confirmed amounts that differ (after any make-up)."""
    differences = []
    handovers = db.session.execute(
        select(Handover, HandoverConfirmation)
        .outerjoin(HandoverConfirmation, HandoverConfirmation.handover_id == Handover.id)
        .where(Handover.village_id.in_(ids), Handover.campaign_id == campaign_id).order_by(Handover.id)).all()
    for h, c in handovers:
        f = figures[h.village_id]
        f.handover_fen += h.total_fen
        if c is None:
            f.unconfirmed_n += 1
            differences.append(Difference(names[h.village_id], "未确认",
                                          f"上解批次 {h.number}（{format_yuan(h.total_fen)}）尚未由乡/街道确认收到",
                                          h.total_fen,
                                          ("paperwork.handover", {"handover_id": h.id})))
        else:
            f.received_fen += c.received_fen
            made_up = sum(m.amount_fen for m in makeups_of(h.id)) if c.received_fen < h.total_fen else 0
            f.made_up_fen += made_up
            if c.received_fen + made_up != h.total_fen:
                later = f"，之后已补 {format_yuan(made_up)}" if made_up else ""
                differences.append(Difference(
                    names[h.village_id], "金额不符",
                    f"上解批次 {h.number}：上解 {format_yuan(h.total_fen)}，实收 {format_yuan(c.received_fen)}{later}，"
                    f"差额 {format_yuan(c.received_fen + made_up - h.total_fen)}。说明：{c.note}",
                    c.received_fen + made_up - h.total_fen, ("paperwork.handover", {"handover_id": h.id})))
    return differences


def _voided_after_handover(names: dict, in_villages, campaign_id: int, voided) -> list:
    """Receipts voided after they were handed over: a 冲红 with its refund, or a difference."""
    differences = []
    for r, number in db.session.execute(
            select(Receipt, Handover.number).join(HandoverReceipt, HandoverReceipt.receipt_id == Receipt.id)
            .join(Handover, Handover.id == HandoverReceipt.handover_id)
            .where(in_villages, Receipt.campaign_id == campaign_id, voided)):
        c = approved_correction(r.id)
        if c is None:
            differences.append(Difference(names[r.village_id], "上解后作废",
                                          f"收据 {r.number}（{format_yuan(r.total_fen)}）已在上解批次 {number} 中，"
                                          "之后被作废",
                                          r.total_fen, ("collect.receipt", {"number": r.number})))
            continue
        refund = (f"{c.refund.given_on} 已由{c.refund.given_by}退给{c.refund.paid_to} "
                  f"{format_yuan(c.refund.amount_fen)}" if c.refund else "尚未登记退款")
        differences.append(Difference(names[r.village_id], "冲红",
                                      f"收据 {r.number}（{format_yuan(r.total_fen)}，上解批次 {number}）"
                                      f"已冲红：{c.reason}；{refund}",
                                      -r.total_fen, ("paperwork.correction", {"correction_id": c.id})))
    return differences


def _voucher_differences(actor: Actor, ids: list) -> list:
    """汇总缴款书 whose amount differs from what they booked, not yet explained."""
    differences = []
    # A voucher may book batches of several townships: its difference is listed wherever one of them is.
    in_area = set(db.session.scalars(select(BureauBatch.voucher_no).where(
        BureauBatch.village_id.in_(ids), BureauBatch.voucher_no.is_not(None))))
    for voucher in vouchers_in_scope(actor):
        if voucher.number not in in_area:
            continue
        difference, explained = voucher_difference(voucher)
        if difference and explained is None:
            differences.append(Difference(
                "", "缴款书不符",
                f"汇总缴款书 {voucher.number}：金额 {format_yuan(voucher.amount_fen)}，所入库批次的自缴合计 "
                f"{format_yuan(voucher.amount_fen - difference)}，差额 {format_yuan(difference)}，尚未说明",
                difference, ("paperwork.vouchers", {})))
    return differences


def reconcile(actor: Actor, area_code: str | None = None, campaign=None) -> Reconciliation:
    campaign = require_campaign(campaign)
    area = _area(actor, area_code)
    villages = _villages(actor, area)
    ids = [v.id for v in villages]
    figures = {v.id: Figures() for v in villages}
    in_villages = Receipt.village_id.in_(ids)

    voided = Receipt.id.in_(select(ReceiptVoid.receipt_id))
    handed = Receipt.id.in_(select(HandoverReceipt.receipt_id))
    _count_receipts(figures, in_villages, campaign.id, voided, handed)

    state = state_expression()
    for vid, key, fen, gov in db.session.execute(
            select(Receipt.village_id, state, func.coalesce(func.sum(Payment.self_fen), 0),
                   func.coalesce(func.sum(Payment.gov_fen), 0))
            .join(Receipt, Payment.receipt_id == Receipt.id)
            .where(in_villages, Payment.campaign_id == campaign.id).group_by(Receipt.village_id, state)):
        attr = {"collected": "collected_fen", "handed": "handed_state_fen", "imported": "imported_fen",
                "booked": "booked_fen"}.get(key)
        if attr:
            setattr(figures[vid], attr, getattr(figures[vid], attr) + fen)
        if key == "booked":
            figures[vid].gov_booked_fen += gov
        elif key in ("handed", "imported"):
            figures[vid].gov_pending_fen += gov

    differences = []
    names = {v.id: v.name for v in villages}
    differences += _handover_differences(figures, names, ids, campaign.id)
    differences += _voided_after_handover(names, in_villages, campaign.id, voided)

    for result in db.session.scalars(rejected_query(actor).where(in_villages)):
        p = result.payment
        figures[p.receipt.village_id].rejected_n += 1
        differences.append(Difference(names[p.receipt.village_id], "人社局退回",
                                      f"{p.person_name}（{p.id_masked}）{'养老' if p.kind == 'pension' else '医疗'}："
                                      f"{result.reason}（批次 {result.batch.number}）", p.self_fen,
                                      ("collect.receipt", {"number": p.receipt.number})))

    for result in db.session.scalars(late_results_query(actor).where(
            BureauResult.batch_id.in_(select(BureauBatch.id).where(BureauBatch.village_id.in_(ids))))):
        p = result.payment
        differences.append(Difference(
            result.batch.village.name, "入库后结果",
            f"{p.person_name}（{p.id_masked}）的结果在批次 {result.batch.number} 登记汇总缴款书 "
            f"{result.batch.voucher_no} 之后才导入：不自动入库，请区管理员决定", p.self_fen,
            ("paperwork.bureau_batch", {"batch_id": result.batch_id})))

    differences += _voucher_differences(actor, ids)

    for v in villages:
        f = figures[v.id]
        if not f.issued_balances:
            differences.append(Difference(v.name, "不平衡", f"开具 {format_yuan(f.issued_fen)} ≠ 已上解 "
                                          f"{format_yuan(f.handed_fen)} + 在手 {format_yuan(f.on_hand_fen)}"))
        if not f.handed_balances:
            differences.append(Difference(v.name, "不平衡", f"已上解 {format_yuan(f.handed_fen)} ≠ 已入库 "
                                          f"{format_yuan(f.booked_fen)} + 待入库 {format_yuan(f.pending_fen)}",
                                          f.handed_fen - f.booked_fen - f.pending_fen))

    rows = _rows(area, villages, figures)
    total = Figures()
    for f in figures.values():
        total.add(f)
    return Reconciliation(area=area, rows=rows, total=total, differences=differences)


def _rows(area: Area, villages: list[Area], figures: dict) -> list:
    """Villages under a township or village; townships under a district."""
    if area.level != "district":
        return [(v, figures[v.id]) for v in villages]
    townships = {}
    for v in villages:
        t = townships.setdefault(v.parent_id, (v.parent, Figures()))
        t[1].add(figures[v.id])
    return sorted(townships.values(), key=lambda t: t[0].code)

