"""Recording payments, issuing receipts, voiding them.

A payment is one transaction: the receipt, its lines and the audit event commit together.
The database's partial unique index `uq_payments_live` is the last word on "already paid":
two coordinators racing for the same person cannot both succeed, whatever the code above it does.
"""
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, make_transient_to_detached, selectinload

from ..extensions import db
from ..models import (
    Area,
    Campaign,
    Payment,
    Person,
    Receipt,
    ReceiptCounter,
    ReceiptVoid,
)
from ..rules import numbers, roles
from ..rules.categories import KINDS, MEDICAL, PAYMENT_METHODS, PENSION
from ..rules.eligibility import (
    BLOCK,
    Finding,
    LineAmount,
    line_amount,
    medical_findings,
    pension_findings,
    tier_kept_for,
    tier_open,
)
from ..rules.money import fen_to_capitals, fen_to_yuan_str, format_yuan
from ..timeutil import local_minute, now_utc, today_local
from . import counters
from .actor import Actor
from .audit import record_event
from .campaigns import COLLECTING, require_collecting_campaign, state_of
from .errors import AlreadyPaid, Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from .numbering import needs_whole_code
from .scope import visible_village_ids, visible_village_ids_of_role
from .tx import unit_of_work


@dataclass(frozen=True)
class LineRequest:
    person_id: int
    kind: str                  # pension / medical
    tier_fen: int | None = None


@dataclass
class QuotedLine:
    person: Person
    kind: str
    tier_fen: int | None
    amount: LineAmount
    findings: list[Finding] = field(default_factory=list)

    @property
    def kind_label(self):
        return KINDS[self.kind]


@dataclass
class Quote:
    campaign: Campaign
    village: Area
    lines: list[QuotedLine]

    @property
    def total_fen(self) -> int:
        return sum(l.amount.self_fen for l in self.lines)

    @property
    def gov_total_fen(self) -> int:
        return sum(l.amount.gov_fen for l in self.lines)

    @property
    def capitals(self) -> str:
        return fen_to_capitals(self.total_fen)


# The statements a payment runs, built once: building and hashing a statement for SQLAlchemy's
# compiled cache costs about as much Python as running it (measured with bench/bench_load.py).
_payments, _receipts, _counters = Payment.__table__, Receipt.__table__, ReceiptCounter.__table__
_ANY_LIVE = select(_payments.c.id).where(
    _payments.c.campaign_id == bindparam("campaign_id"), _payments.c.person_id.in_(bindparam("ids", expanding=True)),
    _payments.c.void_id.is_(None)).limit(1)
_BUMP_COUNTER = (update(_counters)
                 .where(_counters.c.campaign_id == bindparam("c_id"), _counters.c.village_id == bindparam("v_id"))
                 .values(last_seq=_counters.c.last_seq + 1).returning(_counters.c.last_seq))
_INSERT_RECEIPT = insert(_receipts).returning(_receipts.c.id)
_INSERT_LINES = insert(_payments).returning(_payments.c.id, sort_by_parameter_order=True)


@cache
def _people_in_scope(role: str):
    return select(Person).options(joinedload(Person.village)).where(
        Person.id.in_(bindparam("ids", expanding=True)), Person.village_id.in_(visible_village_ids_of_role(role)))


def live_payments(campaign_id: int, person_ids) -> dict:
    """{(person_id, kind): Payment} of the live (not voided) payments of these people."""
    ids = list(person_ids)
    if not ids:
        return {}
    # At the door the answer is nearly always "none": ask that cheaply before loading objects.
    if db.session.execute(_ANY_LIVE, {"campaign_id": campaign_id, "ids": ids}).first() is None:
        return {}
    rows = db.session.scalars(select(Payment).options(joinedload(Payment.receipt)).where(
        Payment.campaign_id == campaign_id, Payment.person_id.in_(ids), Payment.void_id.is_(None)))
    return {(p.person_id, p.kind): p for p in rows}


def paid_message(p: Payment) -> str:
    return (f"{p.person_name} 本期{KINDS[p.kind]}保险已缴费（收据 {p.receipt.number}，"
            f"{p.receipt.issued_by.name} 收取），不能重复缴费")


def quote_payment(actor: Actor, lines: list[LineRequest], today: date | None = None) -> Quote:
    """Check every line and price it. Raises AlreadyPaid (409) if anyone on it has already paid,
    else ValidationFailed with one message per problem line."""
    if not actor.is_role(roles.COORDINATOR):
        raise Forbidden("只有协管员可以收费")
    campaign = require_collecting_campaign(today)
    if not lines:
        raise ValidationFailed({"lines": "请至少选择一项缴费"})
    keys = [(l.person_id, l.kind) for l in lines]
    if len(set(keys)) != len(keys):
        raise ValidationFailed({"lines": "同一人同一险种重复选择"})
    ids = {l.person_id for l in lines}
    people = {p.id: p for p in db.session.scalars(
        _people_in_scope(actor.role), {"ids": list(ids), "scope_user_id": actor.user_id})}
    if len(people) != len(ids):
        raise NotFound("所选人员不存在或不在您负责的村/社区")
    villages = {p.village_id for p in people.values()}
    if len(villages) > 1:
        raise ValidationFailed({"lines": "一张收据只能包含同一个村/社区的人员"})
    paid = live_payments(campaign.id, ids)
    if taken := [paid_message(paid[k]) for k in keys if k in paid]:
        # Someone already took this money: the most useful thing to tell, before anything else.
        raise AlreadyPaid("；".join(taken))
    policy = campaign.policy()
    today = today or today_local()
    errors, quoted = {}, []
    for l in lines:
        person = people[l.person_id]
        key = f"{l.kind}_{person.id}"
        if l.kind not in (PENSION, MEDICAL):
            errors[key] = "险种不正确"
            continue
        facts = person.facts()
        findings = pension_findings(facts, policy, today) if l.kind == PENSION else medical_findings(facts, policy)
        blocks = [f.message for f in findings if f.level == BLOCK]
        if blocks:
            errors[key] = f"{person.name}：{'；'.join(blocks)}"
            continue
        if l.kind == PENSION and l.tier_fen not in policy.pension_tiers:
            errors[key] = f"{person.name}：请选择本期的养老缴费档次"
            continue
        if l.kind == PENSION and not tier_open(l.tier_fen, facts, policy):
            errors[key] = (f"{person.name}：{fen_to_yuan_str(l.tier_fen).removesuffix('.00')} 元档仅限"
                           f"{tier_kept_for(l.tier_fen, policy)}人员，请选择其他档次")
            continue
        amount = line_amount(l.kind, facts, policy, l.tier_fen if l.kind == PENSION else None)
        quoted.append(QuotedLine(person, l.kind, l.tier_fen if l.kind == PENSION else None, amount, findings))
    if errors:
        raise ValidationFailed(errors)
    return Quote(campaign=campaign, village=next(iter(people.values())).village, lines=quoted)


def request_fingerprint(lines: list[LineRequest], method: str, payer_name: str) -> str:
    """What a submission asks for, so a replayed client_id can be told from a different request."""
    body = {"lines": sorted([l.person_id, l.kind, l.tier_fen or 0] for l in lines),
            "method": method, "payer": payer_name}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _next_receipt_number(plan: "_Plan") -> str:
    """Year, village and a per-village sequence that only ever goes up: 2018-200001-00042."""
    which = {"c_id": plan.campaign_id, "v_id": plan.village_id}
    seq = db.session.execute(_BUMP_COUNTER, which).scalar()
    if seq is None:
        try:
            with db.session.begin_nested():
                db.session.execute(insert(_counters).values(
                    campaign_id=plan.campaign_id, village_id=plan.village_id, last_seq=1))
            seq = 1
        except IntegrityError:  # another transaction created it first
            seq = db.session.execute(_BUMP_COUNTER, which).scalar()
    return numbers.receipt_number(plan.campaign_year, plan.village_code, seq, whole_code=plan.whole_code)


CLIENT_ID_CONFLICT = "这笔缴费的编号已用于另一笔不同内容的缴费，请核对后重新录入"


def _stored(actor: Actor, client_id: str):
    """(id, request_hash, visible) of the receipt recorded under this key, or None; `visible`:
    whether the actor may see it. Asked without loading an object (the usual answer is None)."""
    t = Receipt.__table__
    visible = t.c.village_id.in_(visible_village_ids_of_role(actor.role)).label("visible")
    return db.session.execute(select(t.c.id, t.c.request_hash, visible).where(t.c.client_id == client_id),
                              {"scope_user_id": actor.user_id}).first()


def _replay(actor: Actor, client_id: str, fingerprint: str) -> Receipt | None:
    """The receipt already recorded under this key for this very request, or None if the key is
    new. The stored answer goes only to an account that may see that receipt: anyone else (a
    coordinator of another village who copied the key and body) gets exactly the answer of a
    key used for different content, so the reply tells nothing about the receipt."""
    found = _stored(actor, client_id)
    if found is None:
        return None
    if found.request_hash != fingerprint or not found.visible:
        raise Conflict(CLIENT_ID_CONFLICT, field="client_id")
    return _load_receipt(found.id)


def replay_of(actor: Actor, client_id: str | None, fingerprint: str) -> Receipt | None:
    """For a caller that lost a race to its twin (services.sync): the stored receipt of this very
    request, if the actor may see it; None if the key is unknown or holds another request (the
    caller's own error stands); Conflict if it is this request but not the actor's to see."""
    client_id = normalize_client_id(client_id)
    found = _stored(actor, client_id) if client_id else None
    if found is None or found.request_hash != fingerprint:
        return None
    if not found.visible:
        raise Conflict(CLIENT_ID_CONFLICT, field="client_id")
    return _load_receipt(found.id)


def normalize_client_id(client_id: str | None) -> str | None:
    if client_id is None or client_id == "":
        return None
    try:
        return str(uuid.UUID(str(client_id)))
    except ValueError:
        raise ValidationFailed({"client_id": "缴费编号格式不正确"}) from None


@dataclass(frozen=True)
class _Plan:
    """A checked and priced payment as plain values: it outlives the read transaction that made it."""
    campaign_id: int
    campaign_year: int
    price_version: int   # the campaign's price version these lines were priced by
    village_id: int
    village_code: str
    whole_code: bool   # numbering.needs_whole_code: another district's village ends in the same digits
    household_id: int
    first_name: str
    total_fen: int
    gov_total_fen: int
    lines: tuple   # dicts ready for INSERT INTO payments (receipt_id added)


def _plan(quote: Quote, expected_total_fen: int | None) -> _Plan:
    if expected_total_fen is not None and expected_total_fen != quote.total_fen:
        raise ValidationFailed({"expected_total_fen": (
            f"收费时按 {format_yuan(expected_total_fen)} 计算，现在应收 {format_yuan(quote.total_fen)}，"
            "请与交款人核对后重新录入")})
    first = quote.lines[0].person
    subsidies = quote.campaign.policy().pension_tiers
    return _Plan(
        campaign_id=quote.campaign.id, campaign_year=quote.campaign.year, village_id=quote.village.id,
        price_version=quote.campaign.price_version,
        village_code=quote.village.code, household_id=first.household_id,
        whole_code=needs_whole_code(numbers.RECEIPT, Receipt, quote.campaign.year, quote.village.id,
                                    quote.village.code), first_name=first.name,
        total_fen=quote.total_fen, gov_total_fen=quote.gov_total_fen,
        lines=tuple(dict(campaign_id=quote.campaign.id, person_id=l.person.id, kind=l.kind, tier_fen=l.tier_fen,
                         amount_fen=l.amount.amount_fen, gov_fen=l.amount.gov_fen, self_fen=l.amount.self_fen,
                         subsidy_fen=subsidies.get(l.tier_fen) if l.kind == PENSION else None,
                         person_name=l.person.name, id_masked=l.person.id_masked,
                         new_enrollee=l.person.new_enrollee)
                    for l in quote.lines))


def _write(actor: Actor, plan: _Plan, *, method, payer_name, client_id, fingerprint, household_id,
           replaces_id, issued_by, taken_at) -> Receipt:
    """The writes of a payment: a handful of statements on the tables (Core, not ORM-enabled: a
    third of the Python per statement), so the write lock is held briefly. Returns a transient
    Receipt holding exactly what was written, for _attach once the transaction has committed."""
    number = _next_receipt_number(plan)
    now = now_utc()
    taken_at = taken_at or now
    values = dict(number=number, campaign_id=plan.campaign_id, village_id=plan.village_id,
                  household_id=household_id or plan.household_id, issued_by_id=actor.user_id,
                  payer_name=payer_name or plan.first_name, method=method, total_fen=plan.total_fen,
                  gov_total_fen=plan.gov_total_fen, client_id=client_id, request_hash=fingerprint,
                  replaces_id=replaces_id, price_version=plan.price_version, created_at=now, taken_at=taken_at)
    counters.count_payment(plan.campaign_id, plan.village_id, taken_at, plan.lines,
                           plan.total_fen + plan.gov_total_fen)
    receipt_id = db.session.execute(_INSERT_RECEIPT, values).scalar_one()
    lines = [dict(line, receipt_id=receipt_id, created_at=now, taken_at=taken_at) for line in plan.lines]
    ids = db.session.execute(_INSERT_LINES, lines).scalars()
    for line, line_id in zip(lines, ids, strict=True):
        line["id"] = line_id
    record_event(actor, "payment.record", object_type="receipt", object_id=receipt_id,
                 summary=f"收据 {number} {format_yuan(plan.total_fen)}",
                 after={"number": number, "total_fen": plan.total_fen,
                        "lines": [[l["id_masked"], l["kind"], l["amount_fen"], l["gov_fen"]] for l in plan.lines],
                        # Both times: when the money was taken, when the server got it (this event's own time).
                        "taken_at": local_minute(taken_at), "recorded_at": local_minute(now),
                        **({"replaces_id": replaces_id} if replaces_id else {})})
    return Receipt(id=receipt_id, issued_by=issued_by, lines=[Payment(**line) for line in lines], **values)


def _attach(receipt: Receipt) -> Receipt:
    """Make the receipt built by _write a normal persistent object, as if just loaded: what was
    written needs no reading back, and anything else (village, void...) loads on first use."""
    for obj in (receipt, *receipt.lines):
        make_transient_to_detached(obj)
    db.session.add(receipt)
    return receipt


def record_payment(actor: Actor, lines: list[LineRequest], *, method: str = "cash", payer_name: str = "",
                   client_id: str | None = None, household_id: int | None = None,
                   today: date | None = None, before_quote=None, request_hash: str | None = None,
                   replaces_id: int | None = None, expected_total_fen: int | None = None,
                   taken_at: datetime | None = None) -> tuple[Receipt, bool]:
    """Record the lines and issue one receipt. Returns (receipt, created): created is False when
    this client_id was already recorded with the same content (a replay, which is not an error:
    the phone just did not hear the first answer).

    The checks and prices are worked out first, in a read transaction; the writes then take the
    write lock only for the few statements that need it. That is safe because the database
    itself refuses a second live payment (uq_payments_live) and a reused client_id: losing
    such a race ends in IntegrityError, answered below as a replay or as AlreadyPaid.

    `before_quote(session)` runs inside the write transaction first and may return more lines;
    the API registers new enrollees this way (and reissue re-checks the voided receipt), so a
    failed payment leaves nothing half-done. That path holds the lock for the whole payment.
    `request_hash` replaces the fingerprint of `lines` when the caller's request says more than
    they do (the API's ID numbers and new-enrollee details), so a replay is judged on the request.
    `replaces_id`: the voided receipt this one replaces (重开; services.reissue checks it).
    `expected_total_fen`: what the payer was shown; a different price now is refused.
    `taken_at`: when the money changed hands (naive UTC), if not now: a payment taken offline,
    already checked by services.sync; `today` is then its day."""
    client_id = normalize_client_id(client_id)
    if method not in PAYMENT_METHODS:
        raise ValidationFailed({"method": "请选择缴费方式"})
    payer_name = re.sub(r"\s+", "", payer_name or "")[:32]
    fingerprint = request_hash or request_fingerprint(lines, method, payer_name)
    write = dict(method=method, payer_name=payer_name, client_id=client_id, fingerprint=fingerprint,
                 household_id=household_id, replaces_id=replaces_id, issued_by=actor.user, taken_at=taken_at)
    try:
        if before_quote is None:
            try:
                plan = _plan(quote_payment(actor, lines, today), expected_total_fen)
            except ServiceError:
                # A replay is rare (the phone missed our answer) and its first recording makes it
                # fail the checks (already paid): look for it only then, not before every payment.
                if client_id and (existing := _replay(actor, client_id, fingerprint)):
                    return existing, False
                raise
            with unit_of_work(keep_loaded=True):  # Core writes only: nothing loaded goes stale
                receipt = _write(actor, plan, **write)
        else:
            with unit_of_work():
                if client_id and (existing := _replay(actor, client_id, fingerprint)):
                    return existing, False
                lines = list(lines) + list(before_quote(db.session) or [])
                plan = _plan(quote_payment(actor, lines, today), expected_total_fen)
                receipt = _write(actor, plan, **write)
    except IntegrityError:
        # Lost a race: either the same client_id arrived twice at once, or someone else paid
        # for one of these people a moment ago. Tell which.
        if client_id and (existing := _replay(actor, client_id, fingerprint)):
            return existing, False
        campaign = require_collecting_campaign(today)
        paid = live_payments(campaign.id, [l.person_id for l in lines])
        taken = [paid_message(p) for (pid, kind), p in paid.items()
                 if any(l.person_id == pid and l.kind == kind for l in lines)]
        raise AlreadyPaid("；".join(taken) or "刚刚有人为其中的人员缴费，请刷新后重试") from None
    return _attach(receipt), True


def _load_receipt(receipt_id: int) -> Receipt:
    return db.session.scalars(select(Receipt).options(
        joinedload(Receipt.lines), joinedload(Receipt.issued_by), joinedload(Receipt.village))
        .where(Receipt.id == receipt_id)).unique().one()


def get_receipt(actor: Actor, number: str) -> Receipt:
    r = db.session.scalar(select(Receipt).options(
        selectinload(Receipt.lines), joinedload(Receipt.village), joinedload(Receipt.issued_by),
        joinedload(Receipt.void)).where(
        Receipt.number == number, Receipt.village_id.in_(visible_village_ids(actor.user))))
    if r is None:
        raise NotFound("没有找到这张收据，或不在您负责的范围内")
    return r


def void_receipt(actor: Actor, number: str, reason: str) -> Receipt:
    """作废: only the coordinator who issued it; its lines become payable again; nothing deleted."""
    reason = (reason or "").strip()
    with unit_of_work():
        receipt = get_receipt(actor, number)
        if receipt.issued_by_id != actor.user_id:
            raise Forbidden("只有开具这张收据的协管员可以作废")
        if receipt.is_voided:
            raise Conflict("这张收据已经作废")
        if state_of(receipt.campaign) != COLLECTING:
            raise Conflict(f"这张收据属于 {receipt.campaign.year} 年度，该年度已不在集中征收期，只能查看")
        from .handover import ensure_receipt_voidable  # here, so the core never imports it at load time
        ensure_receipt_voidable(receipt)
        if len(reason) < 2:
            raise ValidationFailed({"reason": "请填写作废原因"})
        void = ReceiptVoid(receipt_id=receipt.id, reason=reason[:200], voided_by_id=actor.user_id,
                           voided_at=now_utc())
        db.session.add(void)
        db.session.flush()
        db.session.execute(update(Payment).where(Payment.receipt_id == receipt.id).values(void_id=void.id),
                           execution_options={"synchronize_session": False})
        counters.count_void(receipt, void)
        record_event(actor, "receipt.void", receipt, summary=f"作废收据 {receipt.number}：{reason[:100]}",
                     before={"status": "valid"}, after={"status": "voided", "reason": reason})
    return get_receipt(actor, number)


def receipts_query(actor: Actor, *, mine_only: bool = False, voided: bool | None = None,
                   village_id: int | None = None, campaign: Campaign | None = None):
    q = (select(Receipt).options(joinedload(Receipt.village), joinedload(Receipt.issued_by),
                                 joinedload(Receipt.void))
         .where(Receipt.village_id.in_(visible_village_ids(actor.user))).order_by(Receipt.id.desc()))
    if mine_only:
        q = q.where(Receipt.issued_by_id == actor.user_id)
    if campaign is not None:
        q = q.where(Receipt.campaign_id == campaign.id)
    if voided is True:
        q = q.where(Receipt.id.in_(select(ReceiptVoid.receipt_id)))
    if village_id:
        q = q.where(Receipt.village_id == village_id)
    return q


def count_today(actor: Actor, campaign: Campaign) -> tuple[int, int]:
    """(receipts, fen) the actor issued today, not voided."""
    from ..timeutil import local_day_start_utc
    start = local_day_start_utc(today_local())
    row = db.session.execute(select(func.count(Receipt.id), func.coalesce(func.sum(Receipt.total_fen), 0)).where(
        Receipt.issued_by_id == actor.user_id, Receipt.campaign_id == campaign.id,
        Receipt.taken_at >= start, ~Receipt.id.in_(select(ReceiptVoid.receipt_id)))).one()
    return int(row[0]), int(row[1])
