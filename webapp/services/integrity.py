"""Stored ID numbers and phones that are not in their one spelling (issue 11).

Before numbers were normalised at every door, a number typed with full-width or Arabic-Indic
digits was stored as typed: its lookup hash differs from the plain number's, so the duplicate
check missed it and one person could be registered (and paid for) twice. `check_identities`
finds such rows and the people they duplicate; `normalise_spellings` rewrites the ones that
duplicate nobody. Duplicates are left to a person: both rows may carry payments, and nothing that
records money is edited in place.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..idvault import idvault
from ..models import Area, Person
from ..rules.contact import InvalidPhone, is_plain_phone, normalize_phone
from ..rules.idnumber import InvalidIdNumber, is_plain_id_number, normalize_id_number, parse_id_number
from ..rules.masking import mask_id_number, mask_phone
from .actor import Actor
from .audit import record_event
from .tx import unit_of_work

_BATCH = 2000
HASH_MISMATCH = "查找用的散列与号码不符"
UNREADABLE = "无法解密（instance/ 中的身份证号密钥与数据库不符？）"


@dataclass(frozen=True)
class PersonRef:
    id: int
    village_id: int
    name: str


@dataclass
class OddNumber:
    person: PersonRef
    normalised: str            # what the stored text normalises to
    problem: str = ""          # why even the normalised number is not valid ('' if it is)


@dataclass
class IdentityReport:
    people: int = 0
    odd_ids: list = field(default_factory=list)          # OddNumber, stored ID not plain ASCII
    id_duplicates: list = field(default_factory=list)    # (normalised ID, [PersonRef, ...]) >= 2 people
    odd_phones: list = field(default_factory=list)       # OddNumber, stored phone not plain
    phone_duplicates: list = field(default_factory=list)  # (normalised phone, [PersonRef, ...]) >= 2 people
    villages: dict = field(default_factory=dict)         # village id -> "乡镇村" label

    @property
    def ok(self) -> bool:
        return not (self.odd_ids or self.id_duplicates or self.odd_phones)

    def where(self, ref: PersonRef) -> str:
        return self.villages.get(ref.village_id, str(ref.village_id))


def _chunks(items, size=500):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _odd_id(number: str, id_hash: str) -> tuple[str, str] | None:
    """(normalised, problem) for a stored number that is not what the code writes today (a
    plain number whose row hash is its own); None when it is."""
    if is_plain_id_number(number) and id_hash == idvault.lookup_hash(number):
        return None
    normalised = normalize_id_number(number)
    try:
        parse_id_number(normalised)
        problem = ""
    except InvalidIdNumber as e:
        problem = str(e)
    if is_plain_id_number(number) and not problem:
        problem = HASH_MISMATCH
    return normalised, problem


def _odd_phone(phone: str) -> tuple[str, str]:
    try:
        return normalize_phone(phone), ""
    except InvalidPhone as e:
        return "", str(e)


def _read_people(report: IdentityReport, odd_by_number: dict, odd_by_phone: dict):
    rows = db.session.execute(select(Person.id, Person.village_id, Person.name, Person.id_cipher,
                                     Person.id_hash, Person.phone).order_by(Person.id)
                              .execution_options(yield_per=_BATCH))
    for pid, village_id, name, cipher, id_hash, phone in rows:
        report.people += 1
        ref = PersonRef(pid, village_id, name)
        try:
            number = idvault.decrypt(cipher)
        except Exception:  # noqa: BLE001 - a row the keys cannot open is reported, not fatal
            report.odd_ids.append(OddNumber(ref, "", UNREADABLE))
            continue
        # A second spelling, or a hash made of the raw spelling, is reported.
        if (odd := _odd_id(number, id_hash)) is not None:
            report.odd_ids.append(OddNumber(ref, *odd))
            odd_by_number[odd[0]].append(ref)
        if phone and not is_plain_phone(phone):
            normalised, problem = _odd_phone(phone)
            report.odd_phones.append(OddNumber(ref, normalised, problem))
            if normalised:
                odd_by_phone[normalised].append(ref)


def _id_duplicates(odd_by_number: dict) -> list:
    """The plain twin of an odd number is found by its hash: only the odd ones need a look-up."""
    out = []
    for number, refs in odd_by_number.items():
        twin = db.session.execute(select(Person.id, Person.village_id, Person.name)
                                  .where(Person.id_hash == idvault.lookup_hash(number))).first()
        members = {r.id: r for r in refs}
        if twin is not None:
            members.setdefault(twin.id, PersonRef(*twin))
        if len(members) > 1:
            out.append((number, sorted(members.values(), key=lambda r: r.id)))
    return out


def _phone_duplicates(odd_by_phone: dict) -> list:
    """A phone may be shared (a household has one); still, two spellings of one phone are listed
    so that the office can see which people it links."""
    plain_holders = defaultdict(list)
    for chunk in _chunks(odd_by_phone):
        for pid, vid, name, phone in db.session.execute(
                select(Person.id, Person.village_id, Person.name, Person.phone).where(Person.phone.in_(chunk))):
            plain_holders[phone].append(PersonRef(pid, vid, name))
    out = []
    for phone, refs in odd_by_phone.items():
        members = {r.id: r for r in refs + plain_holders.get(phone, [])}
        if len(members) > 1:
            out.append((phone, sorted(members.values(), key=lambda r: r.id)))
    return out


def check_identities() -> IdentityReport:
    """Read every person once (decrypting each stored number) and report what is not plain.
    Changes nothing."""
    report = IdentityReport()
    odd_by_number = defaultdict(list)
    odd_by_phone = defaultdict(list)
    _read_people(report, odd_by_number, odd_by_phone)
    report.id_duplicates.extend(_id_duplicates(odd_by_number))
    report.phone_duplicates.extend(_phone_duplicates(odd_by_phone))

    village_ids = {o.person.village_id for o in report.odd_ids + report.odd_phones}
    village_ids |= {r.village_id for _, refs in report.id_duplicates + report.phone_duplicates for r in refs}
    for chunk in _chunks(village_ids):
        for village in db.session.scalars(select(Area).where(Area.id.in_(chunk))):
            town = village.parent.name if village.parent else ""
            report.villages[village.id] = f"{town}{village.name}"
    return report


def fixable_id(odd: OddNumber) -> bool:
    """Valid once normalised (a duplicate is judged separately)."""
    return not odd.problem or odd.problem == HASH_MISMATCH


def normalise_spellings(actor: Actor) -> dict:
    """Rewrite, in one transaction and audited per person, every odd ID number that is valid once
    normalised and duplicates nobody, and every odd phone that is a valid mobile once normalised.
    Returns counts; duplicates and invalid numbers stay for a person to resolve."""
    report = check_identities()
    duplicated = {r.id for _, refs in report.id_duplicates for r in refs}
    fixed_ids = fixed_phones = 0
    with unit_of_work():
        for odd in report.odd_ids:
            if not fixable_id(odd) or odd.person.id in duplicated:
                continue
            person = db.session.get(Person, odd.person.id)
            before = person.id_masked
            person.set_id_number(parse_id_number(odd.normalised))
            record_event(actor, "person.normalise_id", person,
                         summary=f"身份证号改为标准写法 {mask_id_number(odd.normalised)}",
                         before={"id_masked": before}, after={"id_masked": person.id_masked})
            fixed_ids += 1
        for odd in report.odd_phones:
            if odd.problem:
                continue
            person = db.session.get(Person, odd.person.id)
            before = person.phone
            person.phone = odd.normalised
            record_event(actor, "person.normalise_phone", person,
                         summary=f"手机号改为标准写法 {mask_phone(odd.normalised)}",
                         before={"phone": before}, after={"phone": odd.normalised})
            fixed_phones += 1
    return {"ids": fixed_ids, "phones": fixed_phones}
