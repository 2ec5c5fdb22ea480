"""Find a person: by name, by pinyin initials (`zs` finds 张三) or full pinyin, or by the last four
or more digits of the ID number. Always scoped to the user's villages, always index-backed."""
import re

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..idvault import idvault
from ..models import Person
from ..rules.idnumber import normalize_id_number
from ..rules.typed_text import fold_typed
from .actor import Actor
from .scope import visible_village_ids

# Characters beyond any that can follow a prefix, for index-friendly range scans.
_TOP = "\U0010ffff"


def _prefix(column, prefix: str):
    return (column >= prefix) & (column < prefix + _TOP)


def search_people(actor: Actor, query: str, limit: int = 30, village_id: int | None = None) -> list[Person]:
    q = (query or "").strip()
    if not q:
        return []
    stmt = select(Person).options(joinedload(Person.household), joinedload(Person.village))
    stmt = stmt.where(Person.village_id.in_(visible_village_ids(actor.user)))
    if village_id:
        stmt = stmt.where(Person.village_id == village_id)
    # The same folding as when the number was stored (full-width, Arabic-Indic digits...).
    digits = normalize_id_number(q)
    if re.fullmatch(r"[0-9]{3,17}[0-9X]", digits):
        if len(digits) == 18:
            return db.session.scalars(stmt.where(Person.id_hash == idvault.lookup_hash(digits))).all()
        if len(digits) < 4:
            return []
        rows = db.session.scalars(stmt.where(Person.id_tail == digits[-4:]).order_by(Person.name)).all()
        if len(digits) > 4:
            rows = [p for p in rows if p.id_number.endswith(digits)]
        return rows[:limit]
    latin = fold_typed(q).replace(" ", "")   # ｚｓ typed on a Chinese keyboard is zs
    if re.fullmatch(r"[A-Za-z]+", latin):
        key = latin.lower()
        stmt = stmt.where(or_(_prefix(Person.name_initials, key), _prefix(Person.name_pinyin, key)))
    else:
        stmt = stmt.where(_prefix(Person.name, re.sub(r"\s+", "", q)))
    return db.session.scalars(stmt.order_by(Person.name, Person.id).limit(limit)).all()
