"""Registering people and households, correcting them, renaming them (改名 keeps its history)."""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Area, Household, NameChange, Person
from ..rules.categories import PERSON_FLAGS, RELATIONS
from ..rules.contact import PERSON_PHONE_MAX, InvalidPhone, normalize_phone
from ..rules.idnumber import InvalidIdNumber, parse_id_number
from ..rules.names import clean_name
from ..rules.pinyin import name_initials, name_pinyin
from . import counters
from .actor import Actor
from .audit import diff, record_event, snapshot
from .errors import Forbidden, NotFound, ValidationFailed
from .scope import get_village, visible_village_ids
from .tx import unit_of_work

FLAGS = list(PERSON_FLAGS)
AUDITED = ["name", "address", "phone", "relation", "is_head", "household_id"] + FLAGS



@dataclass
class PersonInput:
    name: str = ""
    id_number: str = ""
    address: str = ""
    phone: str = ""
    relation: str = "户主"
    household_id: int | None = None   # join this household; None: a new household, person is head
    household_number: str = ""        # 户号 for a new household
    flags: dict = field(default_factory=dict)  # FLAGS -> bool


def where_registered(person: Person) -> str:
    v = person.village
    town = v.parent.name if v.parent else ""
    return f"{town}{v.name}"


def find_by_id_number(number: str) -> Person | None:
    from ..idvault import idvault
    return db.session.scalar(select(Person).where(Person.id_hash == idvault.lookup_hash(number)))


def check_person_input(data: PersonInput, village: Area) -> tuple[dict, dict]:
    """Validate every field; returns (errors, cleaned values)."""
    errors, clean = {}, {}
    try:
        clean["name"] = clean_name(data.name)
    except ValueError as e:
        errors["name"] = str(e)
    try:
        info = parse_id_number(data.id_number)
        clean["id"] = info
        existing = find_by_id_number(info.number)
        if existing is not None:
            errors["id_number"] = f"该身份证号已在{where_registered(existing)}登记，不能重复登记"
    except InvalidIdNumber as e:
        errors["id_number"] = str(e)
    try:
        clean["phone"] = normalize_phone(data.phone, PERSON_PHONE_MAX)
    except InvalidPhone as e:
        errors["phone"] = str(e)
    clean["address"] = (data.address or "").strip()[:128]
    if data.relation not in RELATIONS:
        errors["relation"] = "请选择与户主关系"
    if data.household_id:
        hh = db.session.get(Household, data.household_id)
        if hh is None or hh.village_id != village.id:
            errors["household_id"] = "所选户不在该村/社区"
        else:
            clean["household"] = hh
            if data.relation == "户主" and hh.head is not None:
                errors["relation"] = f"该户已有户主（{hh.head.name}），请选择与户主关系"
            if not clean["address"]:
                clean["address"] = hh.address
    if not clean["address"]:
        errors["address"] = "请填写住址"
    return errors, clean


def build_person(data: PersonInput, village: Area, clean: dict) -> Person:
    """Create the rows (household if new, person) in the caller's transaction."""
    hh = clean.get("household")
    if hh is None:
        hh = Household(village_id=village.id, number=(data.household_number or "").strip()[:32],
                       address=clean["address"])
        db.session.add(hh)
        db.session.flush()
    person = Person(village_id=village.id, household_id=hh.id, name=clean["name"],
                    name_initials=name_initials(clean["name"]), name_pinyin=name_pinyin(clean["name"]),
                    address=clean["address"], phone=clean["phone"],
                    relation="户主" if clean.get("household") is None else data.relation,
                    is_head=clean.get("household") is None or data.relation == "户主",
                    **{f: bool(data.flags.get(f)) for f in FLAGS})
    person.set_id_number(clean["id"])
    db.session.add(person)
    db.session.flush()
    counters.count_new_people([person])
    return person


def register_person(actor: Actor, village_code: str, data: PersonInput) -> Person:
    try:
        with unit_of_work():
            village = get_village(actor, village_code)
            errors, clean = check_person_input(data, village)
            if errors:
                raise ValidationFailed(errors)
            person = build_person(data, village, clean)
            record_event(actor, "person.register", person, summary=f"{person.name} {person.id_masked}",
                         after=snapshot(person, AUDITED) | {"village": village.code})
    except IntegrityError:  # registered by someone else a moment ago
        raise ValidationFailed({"id_number": "该身份证号刚刚已被登记，请搜索后再操作"}) from None
    return person


def get_person(actor: Actor, person_id: int) -> Person:
    person = db.session.scalar(select(Person).where(
        Person.id == person_id, Person.village_id.in_(visible_village_ids(actor.user))))
    if person is None:
        raise NotFound()
    return person


def get_household(actor: Actor, household_id: int) -> Household:
    hh = db.session.scalar(select(Household).where(
        Household.id == household_id, Household.village_id.in_(visible_village_ids(actor.user))))
    if hh is None:
        raise NotFound()
    return hh


def update_person(actor: Actor, person_id: int, *, address: str, phone: str, relation: str,
                  flags: dict) -> Person:
    """Correct contact details and categories. Name: rename_person. ID number: never edited."""
    with unit_of_work():
        person = get_person(actor, person_id)
        errors = {}
        try:
            phone = normalize_phone(phone, PERSON_PHONE_MAX)
        except InvalidPhone as e:
            errors["phone"] = str(e)
        address = (address or "").strip()[:128]
        if not address:
            errors["address"] = "请填写住址"
        if relation not in RELATIONS:
            errors["relation"] = "请选择与户主关系"
        elif relation == "户主" and not person.is_head:
            head = person.household.head
            if head is not None and head.id != person.id:
                errors["relation"] = f"该户已有户主（{head.name}）"
        elif relation != "户主" and person.is_head:
            errors["relation"] = "户主不能改为其他关系"
        if errors:
            raise ValidationFailed(errors)
        before = snapshot(person, AUDITED)
        counted = counters.person_changing([person.id])
        person.address, person.phone, person.relation = address, phone, relation
        person.is_head = relation == "户主"
        for f in FLAGS:
            setattr(person, f, bool(flags.get(f)))
        counters.person_changed(counted, [person.id])
        b, a = diff(before, snapshot(person, AUDITED))
        if a:
            record_event(actor, "person.update", person, summary=person.name, before=b, after=a)
    return person


def rename_person(actor: Actor, person_id: int, new_name: str, reason: str) -> Person:
    if actor.user is None:
        raise Forbidden()
    with unit_of_work():
        person = get_person(actor, person_id)
        errors = {}
        try:
            new_name = clean_name(new_name)
            if new_name == person.name:
                errors["new_name"] = "新姓名与原姓名相同"
        except ValueError as e:
            errors["new_name"] = str(e)
        reason = (reason or "").strip()
        if len(reason) < 2:
            errors["reason"] = "请填写改名原因（如：户口本已更名）"
        if errors:
            raise ValidationFailed(errors)
        old = person.name
        db.session.add(NameChange(person_id=person.id, old_name=old, new_name=new_name,
                                  reason=reason[:200], changed_by_id=actor.user_id))
        person.name = new_name
        person.name_initials = name_initials(new_name)
        person.name_pinyin = name_pinyin(new_name)
        record_event(actor, "person.rename", person, summary=f"{old} → {new_name}：{reason[:100]}",
                     before={"name": old}, after={"name": new_name})
    return person


def name_history(person: Person) -> list[NameChange]:
    return db.session.scalars(select(NameChange).where(NameChange.person_id == person.id)
                              .order_by(NameChange.id)).all()


def reveal_id_number(actor: Actor, person_id: int) -> str:
    """The full ID number, for the roles that need it; every reveal is audited."""
    with unit_of_work():
        person = get_person(actor, person_id)
        record_event(actor, "id_number.view", person, summary=f"{person.name} {person.id_masked}")
    return person.id_number
