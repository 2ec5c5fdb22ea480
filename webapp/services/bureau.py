"""The round trip with the 人社局 and the tax office: a batch of handed-over payments goes out as a
附件2/3 spreadsheet; the bureau answers with its 批量征集流水号 and a result file (each payment
accepted, or rejected with a reason); the tax office books the accepted money with a 汇总缴款书.
Rejected payments go back to the coordinator's list; once she has fixed the person's details
and marked them for resubmission, they go into the next batch."""
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..idvault import idvault
from ..models import (
    BureauBatch,
    BureauBatchPayment,
    BureauResubmission,
    BureauResult,
    HandoverConfirmation,
    HandoverReceipt,
    LateResultDecision,
    Payment,
    Person,
    Receipt,
    Voucher,
    VoucherExplanation,
)
from ..rules import numbers, roles
from ..rules.categories import KINDS
from ..rules.idnumber import InvalidIdNumber, parse_id_number
from ..rules.money import InvalidAmount, format_yuan, yuan_to_fen
from ..rules.spreadsheet import (
    DEFAULT_LIMITS,
    RESULT_COLUMNS,
    BadFile,
    UploadLimits,
    cell_text,
    find_table,
    id_cell,
    read_rows,
)
from ..timeutil import now_utc, today_local
from .actor import Actor
from .audit import record_event
from .campaigns import require_campaign, require_writable, require_writable_id
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .imports import ListRejected
from .numbering import needs_whole_code, next_in_series
from .scope import get_village, visible_village_ids
from .tx import unit_of_work

ACCEPTED = {"成功", "通过", "导入成功", "审核通过", "正常", "是", "1", "ok", "success", "已导入", "校验通过"}
REJECTED = {"失败", "不通过", "导入失败", "审核不通过", "未通过", "错误", "否", "0", "退回", "fail", "failed",
            "error", "校验失败"}


def _require_admin(actor: Actor):
    if not actor.is_role(*roles.ADMINS):
        raise Forbidden("报送人社局由乡/街道或区管理员办理")


def open_memberships():
    """Payment ids that sit in a batch still counting for them: no result yet, accepted, or
    rejected and not yet resubmitted. A payment in none of these may go into a new batch."""
    settled = exists().where(
        BureauResult.batch_id == BureauBatchPayment.batch_id, BureauResult.payment_id == BureauBatchPayment.payment_id,
        BureauResult.accepted.is_(False), BureauResult.id.in_(select(BureauResubmission.result_id)))
    return select(BureauBatchPayment.payment_id).where(~settled)


def confirmed_receipt_ids():
    """Receipts in a hand-over the township (or district) has confirmed receiving."""
    return select(HandoverReceipt.receipt_id).join(
        HandoverConfirmation, HandoverConfirmation.handover_id == HandoverReceipt.handover_id)


def eligible_query(campaign_id: int, village_id: int, kind: str, *, confirmed: bool = True):
    """Live payments of one insurance in a village, handed over and (by default) confirmed as
    received, not in an open batch: money the township has not confirmed may be short, and must
    not reach the bureau as if it were there."""
    handed = confirmed_receipt_ids() if confirmed else select(HandoverReceipt.receipt_id)
    return (select(Payment).join(Receipt, Payment.receipt_id == Receipt.id).where(
        Payment.campaign_id == campaign_id, Payment.kind == kind, Payment.void_id.is_(None),
        Receipt.village_id == village_id, Receipt.id.in_(handed),
        ~Payment.id.in_(open_memberships())).order_by(Receipt.created_at, Payment.id))


def create_batch(actor: Actor, village_code: str, kind: str, campaign=None) -> BureauBatch:
    """A new batch of every payment ready to go (handed over, not yet sent or resubmitted)."""
    _require_admin(actor)
    if kind not in KINDS:
        raise ValidationFailed({"kind": "请选择养老或医疗"})
    try:
        with unit_of_work():
            village = get_village(actor, village_code)
            campaign = require_campaign(campaign)
            require_writable(campaign)
            payments = db.session.scalars(eligible_query(campaign.id, village.id, kind)).all()
            if not payments:
                waiting = db.session.scalar(select(func.count()).select_from(
                    eligible_query(campaign.id, village.id, kind, confirmed=False).subquery()))
                if waiting:
                    raise ValidationFailed({"kind": f"{village.name}有 {waiting} 笔{KINDS[kind]}缴费所在的上解批次"
                                                    f"尚未确认收到：请先在“上解确认”中确认实收，再报送"})
                raise ValidationFailed({"kind": f"{village.name}没有可报送的{KINDS[kind]}缴费"
                                                f"（需已上解并确认收到，且未报送过或退回后已改正）"})
            seq = next_in_series(BureauBatch, campaign_id=campaign.id, village_id=village.id, kind=kind)
            whole = needs_whole_code(numbers.BUREAU_BATCH, BureauBatch, campaign.year, village.id, village.code)
            batch = BureauBatch(
                number=numbers.batch_number(campaign.year, village.code, kind, seq, whole_code=whole),
                campaign_id=campaign.id, village_id=village.id, kind=kind, created_by_id=actor.user_id,
                row_count=len(payments), amount_fen=sum(p.amount_fen for p in payments))
            db.session.add(batch)
            db.session.flush()
            db.session.add_all([BureauBatchPayment(batch_id=batch.id, payment_id=p.id) for p in payments])
            db.session.flush()
            record_event(actor, "bureau.batch", batch,
                         summary=f"报送批次 {batch.number} {village.name}{KINDS[kind]} {len(payments)} 人 "
                                 f"{format_yuan(batch.amount_fen)}",
                         after={"number": batch.number, "payments": [p.id for p in payments]})
    except IntegrityError:
        raise Conflict("刚刚有人建立了同样的批次，请刷新后查看") from None
    return batch


def batches_query(actor: Actor, village_id: int | None = None, campaign=None):
    q = (select(BureauBatch).options(joinedload(BureauBatch.village))
         .where(BureauBatch.village_id.in_(visible_village_ids(actor.user))).order_by(BureauBatch.id.desc()))
    if campaign is not None:
        q = q.where(BureauBatch.campaign_id == campaign.id)
    if village_id:
        q = q.where(BureauBatch.village_id == village_id)
    return q


def get_batch(actor: Actor, batch_id: int) -> BureauBatch:
    batch = db.session.scalar(select(BureauBatch).options(joinedload(BureauBatch.village)).where(
        BureauBatch.id == batch_id, BureauBatch.village_id.in_(visible_village_ids(actor.user))))
    if batch is None:
        raise NotFound("没有找到这个报送批次，或不在您的管理范围内")
    return batch


def batch_counts(batch_id: int) -> dict:
    """accepted / rejected / pending payments of a batch."""
    rows = dict(db.session.execute(select(BureauResult.accepted, func.count()).where(
        BureauResult.batch_id == batch_id).group_by(BureauResult.accepted)).all())
    total = db.session.scalar(select(func.count()).where(BureauBatchPayment.batch_id == batch_id))
    accepted, rejected = rows.get(True, 0), rows.get(False, 0)
    return {"accepted": accepted, "rejected": rejected, "pending": total - accepted - rejected, "total": total}


def batch_results(batch_id: int) -> list:
    """(payment, result or None) for every line of a batch."""
    results = {r.payment_id: r for r in db.session.scalars(
        select(BureauResult).where(BureauResult.batch_id == batch_id))}
    payments = db.session.scalars(select(Payment).join(BureauBatchPayment, BureauBatchPayment.payment_id == Payment.id)
                                  .where(BureauBatchPayment.batch_id == batch_id).order_by(Payment.id)).all()
    return [(p, results.get(p.id)) for p in payments]


def record_serial(actor: Actor, batch_id: int, serial_no: str) -> BureauBatch:
    """批量征集流水号, as the 人社局 gave it: recorded once."""
    _require_admin(actor)
    serial_no = (serial_no or "").strip()
    try:
        with unit_of_work():
            batch = get_batch(actor, batch_id)
            require_writable_id(batch.campaign_id)
            if batch.serial_no:
                raise Conflict(f"这个批次已登记流水号 {batch.serial_no}，不能更改")
            if not serial_no or len(serial_no) > 64:
                raise ValidationFailed({"serial_no": "请填写人社局给出的批量征集流水号"})
            other = db.session.scalar(select(BureauBatch.number).where(BureauBatch.serial_no == serial_no))
            if other:
                raise ValidationFailed({"serial_no": f"这个流水号已登记在批次 {other}"})
            batch.serial_no, batch.serial_by_id, batch.serial_at = serial_no, actor.user_id, now_utc()
            record_event(actor, "bureau.serial", batch, summary=f"{batch.number} 批量征集流水号 {serial_no}",
                         before={"serial_no": None}, after={"serial_no": serial_no})
    except IntegrityError:
        raise ValidationFailed({"serial_no": "这个流水号刚刚已被登记"}) from None
    return batch


def _result_value(text: str) -> bool | None:
    t = cell_text(text).lower()
    if t in ACCEPTED:
        return True
    if t in REJECTED:
        return False
    return None


def import_results(actor: Actor, batch_id: int, filename: str, data: bytes,
                   limits: UploadLimits = DEFAULT_LIMITS) -> dict:
    """The bureau's result file, row by row: which payments it accepted, which it rejected and
    why. All rows or none: any row that does not fit the batch stops the whole file."""
    _require_admin(actor)
    with unit_of_work():
        batch = get_batch(actor, batch_id)
        require_writable_id(batch.campaign_id)
        try:
            table = find_table(read_rows(filename, data, limits), RESULT_COLUMNS, ["id_number", "result"])
        except BadFile as e:
            raise ValidationFailed({"file": str(e)}) from None
        lines = {h: (pid, name) for pid, h, name in db.session.execute(
            select(Payment.id, Person.id_hash, Person.name).join(Person, Payment.person_id == Person.id)
            .join(BureauBatchPayment, BureauBatchPayment.payment_id == Payment.id)
            .where(BureauBatchPayment.batch_id == batch.id))}
        done = set(db.session.scalars(select(BureauResult.payment_id).where(BureauResult.batch_id == batch.id)))
        problems, results, seen = [], [], {}
        for n, values in table.rows:
            try:
                info = parse_id_number(id_cell(table.get(values, "id_number")))
            except InvalidIdNumber as e:
                problems.append((n, f"身份证号：{e}"))
                continue
            hit = lines.get(idvault.lookup_hash(info.number))
            accepted = _result_value(table.get(values, "result"))
            reason = cell_text(table.get(values, "reason"))[:200]
            if hit is None:
                problems.append((n, "这个人不在本批次中"))
            elif (first := seen.setdefault(hit[0], n)) != n:
                problems.append((n, f"与第 {first} 行是同一人"))
            elif hit[0] in done:
                problems.append((n, "本批次已导入过这个人的结果"))
            elif accepted is None:
                problems.append((n, f"结果“{cell_text(table.get(values, 'result'))}”无法识别，应为“成功”或“失败”"))
            else:
                name = cell_text(table.get(values, "name"))
                if name and name != hit[1]:
                    problems.append((n, f"姓名“{name}”与登记的“{hit[1]}”不一致"))
                    continue
                results.append(BureauResult(batch_id=batch.id, payment_id=hit[0], accepted=accepted,
                                            reason="" if accepted else (reason or "人社局未说明原因"),
                                            recorded_by_id=actor.user_id))
        if problems:
            raise ListRejected(problems, len(table.rows))
        db.session.add_all(results)
        db.session.flush()
        accepted_n = sum(1 for r in results if r.accepted)
        summary = {"accepted": accepted_n, "rejected": len(results) - accepted_n,
                   "pending": len(lines) - len(done) - len(results),
                   # After booking: recorded, but not booked by itself (see late_results_query).
                   "late": len(results) if batch.voucher_no else 0}
        record_event(actor, "bureau.results", batch,
                     summary=f"{batch.number} 导入人社局结果：成功 {summary['accepted']}，失败 {summary['rejected']}",
                     after=summary | {"file": filename})
    return summary


def record_booking(actor: Actor, batch_id: int, voucher_no: str, booked_on: date | None,
                   amount_yuan: str | None) -> BureauBatch:
    """汇总缴款书 number, amount and booking day: the accepted payments of the batch become 已入库.
    A batch still waiting for results is not booked (its money is not all known). One voucher may
    book several batches: its amount is recorded with the first and must be the same after."""
    if not actor.is_role(roles.DISTRICT_ADMIN):
        raise Forbidden("汇总缴款书由区税务局登记")
    voucher_no = (voucher_no or "").strip()
    with unit_of_work():
        batch = get_batch(actor, batch_id)
        require_writable_id(batch.campaign_id)
        if batch.voucher_no:
            raise Conflict(f"这个批次已登记汇总缴款书 {batch.voucher_no}，不能更改")
        errors = {}
        pending = batch_counts(batch.id)["pending"]
        voucher = db.session.scalar(select(Voucher).where(Voucher.number == voucher_no)) if voucher_no else None
        amount = None
        if not batch.serial_no:
            errors["voucher_no"] = "请先登记人社局的批量征集流水号"
        elif pending:
            errors["voucher_no"] = f"本批次还有 {pending} 人没有人社局结果，全部导入结果后才能入库"
        elif not voucher_no or len(voucher_no) > 64:
            errors["voucher_no"] = "请填写汇总缴款书号"
        if (amount_yuan or "").strip() or voucher is None:
            try:
                amount = yuan_to_fen(amount_yuan or "")
            except InvalidAmount as e:
                errors["amount"] = f"请填写缴款书金额：{e}" if not (amount_yuan or "").strip() else str(e)
            else:
                if voucher is not None and amount != voucher.amount_fen:
                    errors["amount"] = (f"缴款书 {voucher.number} 已登记金额 {format_yuan(voucher.amount_fen)}，"
                                        f"与填写的 {format_yuan(amount)} 不同，请核对")
        if booked_on is None:
            errors["booked_on"] = "请填写入库日期"
        elif booked_on > today_local():
            errors["booked_on"] = "入库日期不能晚于今天"
        elif voucher is not None and booked_on != voucher.booked_on:
            errors["booked_on"] = f"缴款书 {voucher.number} 已登记入库日期 {voucher.booked_on}"
        if errors:
            raise ValidationFailed(errors)
        if voucher is None:
            voucher = Voucher(number=voucher_no, amount_fen=amount, booked_on=booked_on, recorded_by_id=actor.user_id)
            db.session.add(voucher)
            db.session.flush()
        batch.voucher_no, batch.booked_on = voucher_no, booked_on
        batch.booked_by_id, batch.booked_at = actor.user_id, now_utc()
        record_event(actor, "bureau.booking", batch,
                     summary=f"{batch.number} 汇总缴款书 {voucher_no}（{format_yuan(voucher.amount_fen)}）{booked_on}",
                     before={"voucher_no": None},
                     after={"voucher_no": voucher_no, "booked_on": booked_on, "voucher_fen": voucher.amount_fen})
    return batch


def voucher_expected_fen(voucher_no: str) -> dict:
    """What the batches a voucher booked say it should hold: the self-paid (cash) part of their
    accepted, live, booked payments; the 代缴 part beside it (it reaches the tax office by the
    government's own transfer, not in the cash the voucher books)."""
    booked = booked_result_condition()
    row = db.session.execute(
        select(func.coalesce(func.sum(Payment.self_fen), 0), func.coalesce(func.sum(Payment.gov_fen), 0),
               func.count(Payment.id))
        .join(BureauResult, BureauResult.payment_id == Payment.id)
        .join(BureauBatch, BureauBatch.id == BureauResult.batch_id)
        .where(BureauBatch.voucher_no == voucher_no, Payment.void_id.is_(None), booked)).one()
    return {"self_fen": int(row[0]), "gov_fen": int(row[1]), "count": int(row[2])}


def booked_result_condition():
    """An accepted result of a booked batch counts as booked when it was recorded before the
    booking, or a person decided afterwards that the voucher covers it."""
    return (BureauResult.accepted.is_(True) & BureauBatch.voucher_no.is_not(None)
            & ((BureauResult.recorded_at <= BureauBatch.booked_at)
               | BureauResult.id.in_(select(LateResultDecision.result_id).where(LateResultDecision.book.is_(True)))))


def late_results_query(actor: Actor):
    """Results recorded after their batch was booked, with no decision yet."""
    return (select(BureauResult).options(joinedload(BureauResult.payment), joinedload(BureauResult.batch))
            .join(BureauBatch, BureauBatch.id == BureauResult.batch_id)
            .where(BureauBatch.voucher_no.is_not(None), BureauResult.recorded_at > BureauBatch.booked_at,
                   ~BureauResult.id.in_(select(LateResultDecision.result_id)),
                   BureauBatch.village_id.in_(visible_village_ids(actor.user)))
            .order_by(BureauResult.id))


def late_results_of_batch(actor: Actor, batch_id: int) -> list[BureauResult]:
    return db.session.scalars(late_results_query(actor).where(BureauResult.batch_id == batch_id)).all()


def voucher_of(batch: BureauBatch) -> Voucher | None:
    if not batch.voucher_no:
        return None
    return db.session.scalar(select(Voucher).where(Voucher.number == batch.voucher_no))


def decide_late_result(actor: Actor, result_id: int, book: bool, note: str = "") -> LateResultDecision:
    """A district admin decides whether the batch's voucher covers a result that came late."""
    if not actor.is_role(roles.DISTRICT_ADMIN):
        raise Forbidden("由区管理员决定")
    note = (note or "").strip()
    try:
        with unit_of_work():
            result = db.session.scalar(late_results_query(actor).where(BureauResult.id == result_id))
            if result is None:
                raise NotFound("没有找到这条待决定的结果")
            if len(note) < 2:
                raise ValidationFailed({"note": "请写明依据（如：缴款书已含此人 / 将随下一张缴款书入库）"})
            d = LateResultDecision(result_id=result.id, book=book, note=note[:200], decided_by_id=actor.user_id)
            db.session.add(d)
            db.session.flush()
            verdict = f"计入缴款书 {result.batch.voucher_no}" if book else "不计入"
            record_event(actor, "bureau.late_result", result.batch,
                         summary=f"{result.batch.number} 入库后导入的结果（{result.payment.person_name}）："
                                 f"{verdict}：{note[:60]}",
                         after={"result_id": result.id, "book": book, "note": note})
    except IntegrityError:
        raise Conflict("已经决定过了") from None
    return d


def vouchers_in_scope(actor: Actor) -> list[Voucher]:
    numbers = select(BureauBatch.voucher_no).where(BureauBatch.voucher_no.is_not(None),
                                                   BureauBatch.village_id.in_(visible_village_ids(actor.user)))
    return db.session.scalars(select(Voucher).where(Voucher.number.in_(numbers)).order_by(Voucher.id)).all()


def explain_voucher(actor: Actor, voucher_id: int, note: str) -> VoucherExplanation:
    """Why a voucher's amount differs from what its batches say: listed until explained."""
    if not actor.is_role(roles.DISTRICT_ADMIN):
        raise Forbidden("由区管理员说明")
    note = (note or "").strip()
    with unit_of_work():
        voucher = next((v for v in vouchers_in_scope(actor) if v.id == voucher_id), None)
        if voucher is None:
            raise NotFound("没有找到这张缴款书")
        difference = voucher.amount_fen - voucher_expected_fen(voucher.number)["self_fen"]
        if difference == 0:
            raise Conflict("这张缴款书与已入库金额相符，无需说明")
        if len(note) < 2:
            raise ValidationFailed({"note": "请填写差额的说明"})
        e = VoucherExplanation(voucher_id=voucher.id, note=note[:200], difference_fen=difference,
                               explained_by_id=actor.user_id)
        db.session.add(e)
        db.session.flush()
        record_event(actor, "bureau.voucher_explain", object_type="voucher", object_id=voucher.number,
                     summary=f"缴款书 {voucher.number} 差额 {format_yuan(difference)} 说明：{note[:80]}",
                     after={"difference_fen": difference, "note": note})
    return e


def voucher_difference(voucher: Voucher) -> tuple[int, VoucherExplanation | None]:
    """(voucher amount − booked cash, the explanation of exactly that difference, if any). A later
    change of the difference (e.g. a 冲红 after booking) needs a new explanation."""
    difference = voucher.amount_fen - voucher_expected_fen(voucher.number)["self_fen"]
    explained = next((e for e in reversed(voucher.explanations) if e.difference_fen == difference), None)
    return difference, explained


def batch_split(batch_id: int) -> dict:
    """A batch's amount split into the self-paid (cash) and the 代缴 (government-paid) parts."""
    row = db.session.execute(select(func.coalesce(func.sum(Payment.self_fen), 0),
                                    func.coalesce(func.sum(Payment.gov_fen), 0))
                             .join(BureauBatchPayment, BureauBatchPayment.payment_id == Payment.id)
                             .where(BureauBatchPayment.batch_id == batch_id)).one()
    return {"self_fen": int(row[0]), "gov_fen": int(row[1])}


def rejected_query(actor: Actor):
    """Rejected results still waiting for the coordinator: the payment is live, the rejection is
    its latest result, and nobody has marked it fixed."""
    latest = select(func.max(BureauResult.id)).group_by(BureauResult.payment_id)
    return (select(BureauResult).options(joinedload(BureauResult.payment).joinedload(Payment.receipt),
                                         joinedload(BureauResult.batch))
            .join(Payment, BureauResult.payment_id == Payment.id).join(Receipt, Payment.receipt_id == Receipt.id)
            .where(BureauResult.accepted.is_(False), BureauResult.id.in_(latest), Payment.void_id.is_(None),
                   ~BureauResult.id.in_(select(BureauResubmission.result_id)),
                   Receipt.village_id.in_(visible_village_ids(actor.user)))
            .order_by(BureauResult.id))


def resubmit(actor: Actor, result_id: int, note: str = "") -> BureauResubmission:
    """The coordinator has fixed what was wrong (e.g. the name, via 改名): send it again."""
    try:
        with unit_of_work():
            result = db.session.scalar(rejected_query(actor).where(BureauResult.id == result_id))
            if result is None:
                raise NotFound("没有找到这条退回记录，或已经重新报送")
            sub = BureauResubmission(result_id=result.id, note=(note or "").strip()[:200],
                                     created_by_id=actor.user_id)
            db.session.add(sub)
            db.session.flush()
            record_event(actor, "bureau.resubmit", result.payment,
                         summary=f"{result.payment.person_name} 已改正，重新报送（原因：{result.reason[:60]}）",
                         after={"result_id": result.id, "note": sub.note})
    except IntegrityError:
        raise Conflict("已经标记为重新报送") from None
    return sub
