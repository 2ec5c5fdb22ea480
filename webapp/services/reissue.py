"""重开收据: after a receipt is voided, its coordinator issues the replacement.

The replacement is an ordinary payment (services.payments.record_payment) that names the receipt
it replaces (Receipt.replaces_id). It may correct what was wrong (a tier, a forgotten person's
medical line) but only for the people on the voided receipt, only once, only in the campaign the
voided receipt belongs to, and only while that campaign is collecting.
"""
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Receipt
from ..rules import roles
from . import payments
from .actor import Actor
from .campaigns import collecting_campaign
from .errors import Conflict, Forbidden, ValidationFailed


@dataclass(frozen=True)
class ReissuePlan:
    """What the reissue form starts from: the voided receipt and its people and lines, and why
    it cannot be reissued (None when it can)."""
    receipt: Receipt
    people: list          # Person objects, in the order of the receipt's lines
    lines: list           # LineRequest of the voided receipt
    refusal: str | None = None


def replacement_of(receipt_id: int) -> Receipt | None:
    return db.session.scalar(select(Receipt).where(Receipt.replaces_id == receipt_id).limit(1))


def _check(actor: Actor, old: Receipt):
    if not actor.is_role(roles.COORDINATOR) or old.issued_by_id != actor.user_id:
        raise Forbidden("只有开具这张收据的协管员可以重开")
    if not old.is_voided:
        raise Conflict("只有已作废的收据才能重开，请先作废")
    if (new := replacement_of(old.id)) is not None:
        raise Conflict(f"这张收据已经重开过，新收据为 {new.number}")
    if old.campaign_id != getattr(collecting_campaign(), "id", None):
        raise Conflict("只能重开本期征缴的收据")


def reissue_plan(actor: Actor, number: str) -> ReissuePlan:
    old = payments.get_receipt(actor, number)
    try:
        _check(actor, old)
        refusal = None
    except (Forbidden, Conflict) as e:
        refusal = e.message
    people, seen = [], set()
    for l in old.lines:
        if l.person_id not in seen:
            seen.add(l.person_id)
            people.append(l.person)
    lines = [payments.LineRequest(l.person_id, l.kind, l.tier_fen) for l in old.lines]
    return ReissuePlan(old, people, lines, refusal)


def _check_lines(old: Receipt, lines: list):
    allowed = {l.person_id for l in old.lines}
    if any(l.person_id not in allowed for l in lines):
        raise ValidationFailed({"lines": "重开的收据只能包含原收据上的人员"})


def quote_reissue(actor: Actor, number: str, lines: list) -> payments.Quote:
    """Price the replacement for the payer to confirm (nothing is stored)."""
    old = payments.get_receipt(actor, number)
    _check(actor, old)
    _check_lines(old, lines)
    return payments.quote_payment(actor, lines)


def reissue_receipt(actor: Actor, number: str, lines: list, *, method: str, payer_name: str,
                    client_id: str | None) -> tuple[Receipt, bool]:
    """Issue the replacement in one transaction with its checks; (receipt, created) as
    record_payment returns it, so a double tap yields the same replacement."""
    old = payments.get_receipt(actor, number)
    old_id, household_id = old.id, old.household_id

    def checks_in_transaction(session):
        # Again inside the payment's transaction: two taps from two phones cannot both pass.
        current = session.get(Receipt, old_id)
        _check(actor, current)
        _check_lines(current, lines)
        return []

    return payments.record_payment(
        actor, lines, method=method, payer_name=payer_name, client_id=client_id,
        household_id=household_id, replaces_id=old_id, before_quote=checks_in_transaction)
