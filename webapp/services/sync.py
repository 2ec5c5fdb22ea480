"""The phone's API use cases: a payment sent from the offline outbox, and the look-ups it needs.

A payment names its people by `person_id` (anyone on the worklist the phone has) or by
`id_number` (someone typed in at the door, perhaps not registered yet). A line whose ID number
is not registered anywhere carries the person's details and registers them as a new enrollee
inside the payment's own transaction (`record_payment(before_quote=...)`): if the payment fails,
nobody is left half-registered.

The outbox may send the same request many times (it cannot know whether an earlier answer was
lost), hours later. `client_id` is the idempotency key: the request's fingerprint covers everything
the phone sent, so an identical replay gets the original receipt back and anything else under
the same key is a conflict.
"""
import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..idvault import idvault
from ..models import Person, Receipt
from ..rules import roles
from ..rules.categories import KINDS, MEDICAL, PENSION
from ..rules.idnumber import InvalidIdNumber, parse_id_number
from ..timeutil import local_minute, now_utc, to_local
from . import payments, people
from .actor import Actor
from .errors import AlreadyPaid, Forbidden, NotFound, ValidationFailed
from .scope import villages_of, visible_village_ids

# A payment taken offline may reach the server days later; it counts, and prints, at the time
# the money was taken (the phone's `recorded_at`), as long as the phone's clock is believable:
# not ahead of the server by more than a phone's usual drift, not older than a week (no
# coordinator is offline that long: an older time is a phone whose clock was reset). Anything
# else is refused rather than recorded at the server's time, which would print a time the payer
# never paid at; before the campaign's collection window, quote_payment refuses it (closed).
OFFLINE_GRACE = timedelta(days=7)
CLOCK_SKEW = timedelta(minutes=10)

NEW_PERSON_FIELDS = ("name", "address", "phone", "village", "relation")


@dataclass(frozen=True)
class LineInput:
    kind: str
    person_id: int | None = None
    id_number: str = ""
    amount_fen: int | None = None      # the pension tier, in fen; medical is priced by the server
    # Only for an ID number that is not registered yet (a new enrollee):
    name: str = ""
    address: str = ""
    phone: str = ""
    village: str = ""                  # village code, needed when the coordinator has several
    relation: str = ""


@dataclass(frozen=True)
class PaymentSubmission:
    client_id: str
    lines: tuple[LineInput, ...]
    method: str = "cash"
    payer_name: str = ""
    household_id: int | None = None    # where new enrollees join; a new household otherwise
    expected_total_fen: int | None = None   # what the phone showed the payer
    recorded_at: datetime | None = None     # when the money was taken (naive UTC)


def submission_fingerprint(sub: PaymentSubmission) -> str:
    """Everything the phone asked for. ID numbers enter as their keyed hash, so request_hash
    cannot be brute-forced back into an ID number (they have little entropy)."""
    lines = []
    for line in sub.lines:
        d = asdict(line)
        d["id_number"] = idvault.lookup_hash(line.id_number) if line.id_number else ""
        lines.append(d)
    body = {
        "lines": sorted(lines, key=lambda d: json.dumps(d, sort_keys=True)),
        "method": sub.method, "payer": "".join((sub.payer_name or "").split())[:32],
        "household_id": sub.household_id, "expected_total_fen": sub.expected_total_fen,
        "recorded_at": sub.recorded_at.isoformat() if sub.recorded_at else "",
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def taken_at(recorded_at: datetime | None, now: datetime | None = None) -> datetime:
    """When the money changed hands (naive UTC): the phone's time if believable, now if it sent
    none. ValidationFailed (field recorded_at) for a clock that cannot be believed."""
    now = now or now_utc()
    if recorded_at is None:
        return now
    shown = local_minute(recorded_at)
    if recorded_at > now + CLOCK_SKEW:
        raise ValidationFailed({"recorded_at": (
            f"手机记录的收款时间（{shown}）晚于现在，手机时间不准：请把手机设为自动设置时间，"
            "再在该户页面重新收款；已收的现金请勿重复收取")})
    if recorded_at < now - OFFLINE_GRACE:
        raise ValidationFailed({"recorded_at": (
            f"手机记录的收款时间（{shown}）早于 {OFFLINE_GRACE.days} 天前，可能是手机时间不准：请联系镇管理员核对，"
            "核对后在该户页面重新收款，或退还现金")})
    return recorded_at


def _check_shape(sub: PaymentSubmission) -> dict:
    """What can be judged without the database (same answer every time the request is replayed)."""
    errors = {}
    try:
        payments.normalize_client_id(sub.client_id)
        if not sub.client_id:
            errors["client_id"] = "缺少缴费编号（client_id）"
    except ValidationFailed as e:
        errors.update(e.errors)
    if not sub.lines:
        errors["lines"] = "请至少选择一项缴费"
    for i, line in enumerate(sub.lines):
        at = f"lines[{i}]"
        if line.kind not in KINDS:
            errors[f"{at}.kind"] = "险种应为养老（pension）或医疗（medical）"
        if (line.person_id is None) == (not line.id_number):
            errors[at] = "每一项应填写 person_id 或身份证号，且只填一个"
        if line.id_number:
            try:
                parse_id_number(line.id_number)
            except InvalidIdNumber as e:
                errors[f"{at}.id_number"] = str(e)
        if line.kind == PENSION and line.amount_fen is None:
            errors[f"{at}.amount_fen"] = "请选择养老缴费档次（amount_fen）"
        if line.kind == MEDICAL and line.amount_fen is not None:
            errors[f"{at}.amount_fen"] = "医疗保险金额由系统按类别计算，不能填写"
    return errors


def _details(sub: PaymentSubmission, indexes: list[int], errors: dict) -> dict:
    """A new enrollee's details, from whichever of their lines carry them (they must agree)."""
    details = {}
    for i in indexes:
        for f in NEW_PERSON_FIELDS:
            value = (getattr(sub.lines[i], f) or "").strip()
            if value and details.setdefault(f, value) != value:
                errors[f"lines[{i}].{f}"] = "同一人的登记信息前后不一致"
    return details


def _register_new(actor: Actor, sub: PaymentSubmission, number: str, indexes: list[int],
                  household_id: int | None, errors: dict) -> Person | None:
    first = f"lines[{indexes[0]}]"
    d = _details(sub, indexes, errors)
    if not d.get("name"):
        errors[f"{first}.name"] = "该身份证号尚未登记：请填写姓名、住址，作为新参保人员登记"
        return None
    code = d.get("village")
    if not code:
        mine = villages_of(actor)
        if household_id:
            code = people.get_household(actor, household_id).village.code
        elif len(mine) == 1:
            code = mine[0].code
        else:
            errors[f"{first}.village"] = "您负责多个村/社区，请选择新参保人员所在的村/社区"
            return None
    data = people.PersonInput(
        name=d["name"], id_number=number, address=d.get("address", ""), phone=d.get("phone", ""),
        relation=d.get("relation") or ("其他" if household_id else "户主"), household_id=household_id,
        flags={"new_enrollee": True})
    try:
        return people.register_person(actor, code, data)   # joins our transaction, audits itself
    except NotFound:
        errors[f"{first}.village"] = "村/社区代码不正确，或不在您负责的范围内"
    except ValidationFailed as e:
        errors.update({f"{first}.{field}": message for field, message in e.errors.items()})
    return None


def _resolve(actor: Actor, sub: PaymentSubmission, keys: dict) -> list[payments.LineRequest]:
    """Inside the payment's transaction: find or register every ID-number line's person.
    Fills keys[(kind, person_id)] = 'lines[i]'. Scope, prices and "already paid" are then judged
    by payments.quote_payment like every other payment."""
    errors = {}
    person_of = {i: line.person_id for i, line in enumerate(sub.lines) if line.person_id is not None}
    new_people = {}   # ID number -> indexes of its lines
    for i, line in enumerate(sub.lines):
        if not line.id_number:
            continue
        number = parse_id_number(line.id_number).number
        person = people.find_by_id_number(number)
        if person is None:
            new_people.setdefault(number, []).append(i)
        elif not db.session.scalar(select(Person.id).where(
                Person.id == person.id, Person.village_id.in_(visible_village_ids(actor.user)))):
            errors[f"lines[{i}].id_number"] = (f"该身份证号已在{people.where_registered(person)}登记，"
                                               "不在您负责的村/社区，请由当地协管员收取")
        else:
            person_of[i] = person.id
    household_id = sub.household_id
    for number, indexes in new_people.items():
        person = _register_new(actor, sub, number, indexes, household_id, errors)
        if person is not None:
            household_id = household_id or person.household_id   # the next new one joins them
            for i in indexes:
                person_of[i] = person.id
    if errors:
        raise ValidationFailed(errors)
    return _line_requests(sub, person_of, keys)


def _line_requests(sub: PaymentSubmission, person_of: dict, keys: dict) -> list[payments.LineRequest]:
    lines = [payments.LineRequest(person_of[i], line.kind, line.amount_fen if line.kind == PENSION else None)
             for i, line in enumerate(sub.lines)]
    for i, line in enumerate(lines):
        keys.setdefault((line.kind, line.person_id), f"lines[{i}]")
    return lines


def submit_payment(actor: Actor, sub: PaymentSubmission, today: date | None = None) -> tuple[Receipt, bool]:
    """Record a payment sent by the phone. Returns (receipt, created); created is False for a
    replay of a request already recorded."""
    if not actor.is_role(roles.COORDINATOR):
        raise Forbidden("只有协管员可以收费")
    errors = _check_shape(sub)
    if errors:
        raise ValidationFailed(errors)
    fingerprint = submission_fingerprint(sub)
    try:
        when = taken_at(sub.recorded_at)
    except ValidationFailed:
        # A replay days later of a payment recorded in time still gets its receipt.
        if (existing := payments.replay_of(actor, sub.client_id, fingerprint)) is not None:
            return existing, False
        raise
    today = today or to_local(when).date()
    keys = {}
    common = dict(method=sub.method, payer_name=sub.payer_name, client_id=sub.client_id, today=today,
                  request_hash=fingerprint, expected_total_fen=sub.expected_total_fen, taken_at=when)
    try:
        if all(line.person_id is not None for line in sub.lines):
            # Everyone is on the worklist already: the ordinary (fast) payment path.
            lines = _line_requests(sub, {i: line.person_id for i, line in enumerate(sub.lines)}, keys)
            return payments.record_payment(actor, lines, **common)
        return payments.record_payment(actor, [], before_quote=lambda _session: _resolve(actor, sub, keys),
                                       **common)
    except (ValidationFailed, AlreadyPaid) as e:
        # A replay that raced its twin (PostgreSQL runs them side by side): the twin won and
        # recorded exactly this request, so this one gets the same answer.
        # Only to someone who may see it: anyone else gets the conflict (services.payments._replay).
        if (existing := payments.replay_of(actor, sub.client_id, fingerprint)) is not None:
            return existing, False
        if isinstance(e, ValidationFailed):
            raise ValidationFailed(line_errors(e, keys)) from None
        raise


def line_errors(error: ValidationFailed, keys: dict) -> dict:
    """quote_payment names problems `pension_12`; the phone knows its lines by position."""
    out = {}
    for field, message in error.errors.items():
        kind, _, pid = field.partition("_")
        out[keys.get((kind, int(pid)), field) if pid.isdigit() else field] = message
    return out


def find_person(actor: Actor, id_number: str) -> Person:
    """A person on the actor's worklists by full ID number (the phone never stores those)."""
    try:
        number = parse_id_number(id_number).number
    except InvalidIdNumber as e:
        raise ValidationFailed({"id_number": str(e)}) from None
    person = people.find_by_id_number(number)
    if person is None:
        raise NotFound("该身份证号尚未登记，可以作为新参保人员登记")
    return people.get_person(actor, person.id)
