"""Find a person: by name, by pinyin initials (`zs` finds 张三) or full pinyin, or by the last four
or more digits of the ID number. Always scoped to the user's villages, always index-backed.

The cost must follow the user's villages, not the district (or city) around them. The scope is
first resolved to the list of village ids (one small indexed query), then used in one of two ways:

- a small share of the installation's villages (a coordinator in a district, a township admin in
  a city): `village_id IN (...)` on the (village_id, key) indexes, so only the matches inside
  those villages are read and sorted;
- a large share (a district admin, a township admin in one district): the key's own index is
  walked in the order the answer is given and the scope is checked on each row
  (`village_id + 0` keeps the planner off the village indexes), stopping at `limit` matches
  instead of collecting and sorting every match. With matches spread evenly that reads about
  limit x (all villages / the user's villages) rows, so this is chosen only while that ratio is
  at most WALK_RATIO.

Each kind of query is answered in the order of the key it matched, so that the index order is
the answer's order: names by name, initials by initials then name, pinyin by pinyin. Latin input
asks initials first, then full pinyin, and concatenates the two (without repeats)."""
import re

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..idvault import idvault
from ..models import Area, Person
from ..rules.idnumber import normalize_id_number
from ..rules.typed_text import fold_typed
from .actor import Actor
from .scope import visible_village_ids

# Characters beyond any that can follow a prefix, for index-friendly range scans.
_TOP = "\U0010ffff"
# The key's index is walked (instead of the scope's village indexes) when the user sees at least
# 1/WALK_RATIO of all villages: then about WALK_RATIO x limit index rows find `limit` matches.
WALK_RATIO = 20


def _prefix(column, prefix: str):
    return (column >= prefix) & (column < prefix + _TOP)


def scope_village_ids(actor: Actor, village_id: int | None = None) -> list[int]:
    ids = list(db.session.scalars(visible_village_ids(actor.user)))
    if village_id:
        return [village_id] if village_id in ids else []
    return ids


def _walk(villages: list[int]) -> bool:
    all_villages = db.session.scalar(select(func.count(Area.id)).where(Area.level == "village"))
    return len(villages) * WALK_RATIO >= all_villages


def _scoped(stmt, villages: list[int], walk: bool):
    if not walk:
        return stmt.where(Person.village_id.in_(villages))
    # The expression (not the bare column) cannot use an index: the planner walks the key's index.
    return stmt.where((Person.village_id + 0).in_(villages))


def _people(stmt, villages: list[int], walk: bool, order, limit: int) -> list[Person]:
    stmt = (_scoped(stmt, villages, walk).options(joinedload(Person.household), joinedload(Person.village))
            .order_by(*order, Person.id).limit(limit))
    return list(db.session.scalars(stmt).unique())


def search_people(actor: Actor, query: str, limit: int = 30, village_id: int | None = None) -> list[Person]:
    q = (query or "").strip()
    if not q:
        return []
    villages = scope_village_ids(actor, village_id)
    if not villages:
        return []
    base = select(Person)
    walk = _walk(villages)
    # The same folding as when the number was stored (full-width, Arabic-Indic digits...).
    digits = normalize_id_number(q)
    if re.fullmatch(r"[0-9]{3,17}[0-9X]", digits):
        if len(digits) == 18:
            return _people(base.where(Person.id_hash == idvault.lookup_hash(digits)), villages, walk, [], limit)
        if len(digits) < 4:
            return []
        # About one person in 10,000 shares a four-digit tail: few rows, whatever the scope.
        stmt = _scoped(base.where(Person.id_tail == digits[-4:]), villages, walk).options(
            joinedload(Person.household), joinedload(Person.village)).order_by(Person.name, Person.id)
        rows = list(db.session.scalars(stmt).unique())
        if len(digits) > 4:
            rows = [p for p in rows if p.id_number.endswith(digits)]
        return rows[:limit]
    latin = fold_typed(q).replace(" ", "")   # ｚｓ typed on a Chinese keyboard is zs
    if re.fullmatch(r"[A-Za-z]+", latin):
        key = latin.lower()
        found = _people(base.where(_prefix(Person.name_initials, key)), villages, walk,
                        [Person.name_initials, Person.name], limit)
        if len(found) < limit:
            seen = {p.id for p in found}
            more = _people(base.where(_prefix(Person.name_pinyin, key)), villages, walk,
                           [Person.name_pinyin], limit + len(found))
            found += [p for p in more if p.id not in seen][:limit - len(found)]
        return found
    return _people(base.where(_prefix(Person.name, re.sub(r"\s+", "", q))), villages, walk, [Person.name], limit)
