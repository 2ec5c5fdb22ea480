"""The progress counters (models/progress_counters.py): written in the transaction of every change
that moves a figure, read by the dashboard, the admin home and the city page.

Where they are moved (each in its own service's unit of work):

- a payment (`payments._write` -> `count_payment`): its lines, its receipt, and a new enrollee's
  coverage starting;
- a void or an approved 冲红 (`count_void`): lines and receipt move from "live" to "voided on
  day V", a new enrollee's coverage may end;
- a person registered (`people.build_person`) or imported (`imports._insert_plan`) ->
  `count_new_people`; a person's categories edited (`people.update_person`) -> `person_changing`
  then `person_changed`;
- a campaign created or its pension birth window changed -> `rebuild(campaign_id)`.

Every increment is an upsert adding to the row (INSERT ... ON CONFLICT DO UPDATE SET n = n + x),
so two app nodes never lose one. People whose figures move are locked first (FOR UPDATE on
PostgreSQL; SQLite has one writer at a time), so a new enrollee's "first live payment" is judged
on committed data.

`rebuild` recounts from the people, payments, receipts and voids themselves with the SQL in
`BACKFILL` (the migration runs the same statements); `differences` compares the stored rows
with that recount (`flask recount-progress --check`).
"""
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import Date, bindparam, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import Campaign, Payment, Person, ReceiptVoid
from ..models.progress_counters import OPEN_DAY, ProgressLines, ProgressPeople, ProgressReceipts
from ..rules.categories import MEDICAL, PENSION
from ..rules.eligibility import Policy, pension_birth_window
from ..timeutil import to_local

TABLES = (ProgressPeople, ProgressLines, ProgressReceipts)
_VALUES = {ProgressPeople: ("expected_pension", "expected_medical", "new_enrollees"),
           ProgressLines: ("lines", "fen", "gov_fen"),
           ProgressReceipts: ("receipts", "fen")}


def local_day(at: datetime) -> date:
    return to_local(at).date()


def expects(campaign: Campaign, person) -> dict:
    """{kind: expected?}: the Python twin of progress.pension_expected / medical_expected and of
    the CASEs in BACKFILL (a test holds them together)."""
    born_from, born_until = pension_birth_window(campaign.policy())
    return {PENSION: (born_from <= person.birth_date <= born_until
                      and not person.is_student and not person.employee_pension),
            MEDICAL: not person.employee_medical}


# --- deltas and upserts ----------------------------------------------------------------------

class Deltas:
    """Changes to counter rows, summed per key before they are written (one upsert per table)."""

    def __init__(self):
        self.rows = {t: defaultdict(lambda t=t: [0] * len(_VALUES[t])) for t in TABLES}

    def add(self, table, key: tuple, *values, sign: int = 1):
        row = self.rows[table][key]
        for i, v in enumerate(values):
            row[i] += sign * int(v)

    def merge(self, other: "Deltas", sign: int = 1):
        for table, rows in other.rows.items():
            for key, values in rows.items():
                self.add(table, key, *values, sign=sign)
        return self

    def write(self, executor=None):
        executor = executor or db.session
        dialect = executor.get_bind().dialect.name if hasattr(executor, "get_bind") else executor.dialect.name
        make_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        for table, rows in self.rows.items():
            keys = [c.name for c in table.__table__.primary_key.columns]
            names = _VALUES[table]
            # In key order: two transactions touching the same rows lock them in the same order
            # (PostgreSQL), so they wait for each other instead of deadlocking.
            params = [dict(zip(keys, key, strict=True)) | dict(zip(names, values, strict=True))
                      for key, values in sorted(rows.items()) if any(values)]
            if not params:
                continue
            stmt = make_insert(table.__table__).values(params)
            stmt = stmt.on_conflict_do_update(
                index_elements=keys, set_={n: table.__table__.c[n] + stmt.excluded[n] for n in names})
            executor.execute(stmt)


def _people_rows(deltas: Deltas, campaigns, person, sign: int = 1):
    day = local_day(person.created_at)
    for c in campaigns:
        e = expects(c, person)
        deltas.add(ProgressPeople, (c.id, person.village_id, day), e[PENSION], e[MEDICAL], 0, sign=sign)


def _campaigns() -> list[Campaign]:
    return db.session.scalars(select(Campaign).order_by(Campaign.id)).all()


def count_new_people(people) -> None:
    """People just inserted (objects or rows with village_id, created_at and the facts)."""
    deltas, campaigns = Deltas(), _campaigns()
    for p in people:
        _people_rows(deltas, campaigns, p)
    deltas.write()


def _locked_people(person_ids) -> list:
    return db.session.execute(
        select(Person.id, Person.village_id, Person.created_at, Person.birth_date, Person.is_student,
               Person.employee_pension, Person.employee_medical, Person.new_enrollee)
        .where(Person.id.in_(sorted(set(person_ids)))).order_by(Person.id).with_for_update()).all()


def count_payment(campaign_id: int, receipt_village_id: int, at: datetime, lines: list[dict],
                  total_fen: int) -> None:
    """A receipt about to be inserted with these lines (dicts with person_id, kind, amount_fen,
    gov_fen), at `at`. Called in the payment's transaction, before the lines exist."""
    campaign = db.session.get(Campaign, campaign_id)
    day = local_day(at)
    people = {p.id: p for p in _locked_people(line["person_id"] for line in lines)}
    deltas = Deltas()
    for line in lines:
        p = people[line["person_id"]]
        covered = int(expects(campaign, p)[line["kind"]])
        deltas.add(ProgressLines, (campaign_id, p.village_id, line["kind"], day, OPEN_DAY, covered),
                   1, line["amount_fen"], line["gov_fen"])
    deltas.add(ProgressReceipts, (campaign_id, receipt_village_id, day, OPEN_DAY), 1, total_fen)
    newcomers = [p for p in people.values() if p.new_enrollee]
    if newcomers:
        covered_already = set(db.session.scalars(select(Payment.person_id).where(
            Payment.campaign_id == campaign_id, Payment.void_id.is_(None),
            Payment.person_id.in_([p.id for p in newcomers]))))
        for p in newcomers:
            if p.id not in covered_already:
                deltas.add(ProgressPeople, (campaign_id, p.village_id, day), 0, 0, 1)
    deltas.write()


# --- a person's whole contribution, for voids and edits --------------------------------------

def _payment_intervals(person_ids, ignore_void_id=None) -> dict:
    """{person_id: [(campaign_id, kind, paid_day, void_day, amount_fen, gov_fen)]}."""
    out = defaultdict(list)
    rows = db.session.execute(
        select(Payment.person_id, Payment.campaign_id, Payment.kind, Payment.taken_at, Payment.amount_fen,
               Payment.gov_fen, Payment.void_id, ReceiptVoid.voided_at)
        .outerjoin(ReceiptVoid, ReceiptVoid.id == Payment.void_id)
        .where(Payment.person_id.in_(list(person_ids))))
    for pid, cid, kind, taken, amount, gov, void_id, voided_at in rows:
        voided = void_id is not None and void_id != ignore_void_id
        out[pid].append((cid, kind, local_day(taken), local_day(voided_at) if voided else OPEN_DAY, amount, gov))
    return out


def _coverage_changes(intervals) -> dict:
    """{day: change in "has a live payment at the end of the day"}: at each day a payment was
    made or voided, covered at its end minus covered at the end of the day before (a payment
    made on day P and voided on day V is live at the end of the days P <= D < V)."""
    days = {d for _, _, d, _, _, _ in intervals} | {v for *_, v, _, _ in intervals if v != OPEN_DAY}
    out = {}
    for x in days:
        now = any(d <= x < v for _, _, d, v, _, _ in intervals)
        before = any(d < x <= v for _, _, d, v, _, _ in intervals)
        if now != before:
            out[x] = int(now) - int(before)
    return out


def contribution(person_ids, ignore_void_id=None) -> Deltas:
    """What these people add to every counter, from their rows and payments (`ignore_void_id`:
    as if that void had not happened)."""
    deltas, campaigns = Deltas(), {c.id: c for c in _campaigns()}
    people = _locked_people(person_ids)
    payments = _payment_intervals([p.id for p in people], ignore_void_id)
    for p in people:
        _people_rows(deltas, campaigns.values(), p)
        by_campaign = defaultdict(list)
        for cid, kind, d, v, amount, gov in payments.get(p.id, ()):
            covered = int(expects(campaigns[cid], p)[kind])
            deltas.add(ProgressLines, (cid, p.village_id, kind, d, v, covered), 1, amount, gov)
            by_campaign[cid].append((cid, kind, d, v, amount, gov))
        if p.new_enrollee:
            for cid, intervals in by_campaign.items():
                for day, change in _coverage_changes(intervals).items():
                    deltas.add(ProgressPeople, (cid, p.village_id, day), 0, 0, change)
    return deltas


def person_changing(person_ids) -> Deltas:
    """Call before changing people's categories (or village); pass the result to person_changed."""
    db.session.flush()
    return contribution(person_ids)


def person_changed(before: Deltas, person_ids) -> None:
    db.session.flush()
    contribution(person_ids).merge(before, sign=-1).write()


def count_void(receipt, void) -> None:
    """A receipt just voided (its ReceiptVoid flushed and its lines pointed at it)."""
    person_ids = {line.person_id for line in receipt.lines}
    deltas = contribution(person_ids).merge(contribution(person_ids, ignore_void_id=void.id), sign=-1)
    paid, voided = local_day(receipt.taken_at), local_day(void.voided_at)
    fen = receipt.total_fen + receipt.gov_total_fen
    deltas.add(ProgressReceipts, (receipt.campaign_id, receipt.village_id, paid, OPEN_DAY), 1, fen, sign=-1)
    deltas.add(ProgressReceipts, (receipt.campaign_id, receipt.village_id, paid, voided), 1, fen)
    deltas.write()


# --- the recount -----------------------------------------------------------------------------

def _local_date_sql(column: str, dialect: str) -> str:
    """A naive-UTC timestamp's China-local date (UTC+8 all year: a fixed offset is exact)."""
    if dialect == "postgresql":
        return f"date({column} + interval '8 hours')"
    return f"date({column}, '+8 hours')"


# :born_from and :born_until are the campaign's pension_birth_window (the one rule), bound per
# campaign: the ages on its collection window narrow its birth dates, which SQL cannot work out.
_PENSION_EXPECTED = ("pe.birth_date >= :born_from AND pe.birth_date <= :born_until "
                     "AND NOT pe.is_student AND NOT pe.employee_pension")
_MEDICAL_EXPECTED = "NOT pe.employee_medical"


def backfill_sql(dialect: str) -> dict:
    """{table: INSERT ... SELECT} recounting each counter table from scratch for the campaign
    `:campaign_id`. Plain SQL for SQLite and PostgreSQL alike (only the local-date function
    differs); the migration runs these too."""
    day = lambda col: _local_date_sql(col, dialect)  # noqa: E731
    campaign = "c.id = :campaign_id"
    lines = f"""
        SELECT p.campaign_id AS campaign_id, pe.id AS person_id, pe.village_id AS village_id, p.kind AS kind,
               {day('p.taken_at')} AS paid_day, COALESCE({day('rv.voided_at')}, :open_day) AS void_day,
               CASE WHEN (p.kind = 'pension' AND {_PENSION_EXPECTED}) OR (p.kind = 'medical' AND {_MEDICAL_EXPECTED})
                    THEN 1 ELSE 0 END AS covered,
               p.amount_fen AS amount_fen, p.gov_fen AS gov_fen, pe.new_enrollee AS new_enrollee
        FROM payments p JOIN people pe ON pe.id = p.person_id JOIN campaigns c ON c.id = p.campaign_id
        LEFT JOIN receipt_voids rv ON rv.id = p.void_id
        WHERE {campaign}"""
    # A new enrollee's coverage changes on the days one of their payments was made or voided
    # (see _coverage_changes): covered at the end of day X minus covered at the end of X - 1.
    coverage = f"""
        WITH ne AS (SELECT * FROM ({lines}) l WHERE l.new_enrollee),
        x AS (SELECT campaign_id, person_id, village_id, paid_day AS day FROM ne
              UNION SELECT campaign_id, person_id, village_id, void_day FROM ne WHERE void_day <> :open_day)
        SELECT x.campaign_id, x.village_id, x.day,
               CASE WHEN EXISTS (SELECT 1 FROM ne n WHERE n.person_id = x.person_id AND n.campaign_id = x.campaign_id
                                 AND n.paid_day <= x.day AND n.void_day > x.day) THEN 1 ELSE 0 END
             - CASE WHEN EXISTS (SELECT 1 FROM ne n WHERE n.person_id = x.person_id AND n.campaign_id = x.campaign_id
                                 AND n.paid_day < x.day AND n.void_day >= x.day) THEN 1 ELSE 0 END AS change
        FROM x"""
    return {
        ProgressPeople: f"""
            INSERT INTO progress_people (campaign_id, village_id, day, expected_pension, expected_medical,
                                         new_enrollees)
            SELECT campaign_id, village_id, day, SUM(ep), SUM(em), SUM(ne) FROM (
                SELECT c.id AS campaign_id, pe.village_id AS village_id, {day('pe.created_at')} AS day,
                       CASE WHEN {_PENSION_EXPECTED} THEN 1 ELSE 0 END AS ep,
                       CASE WHEN {_MEDICAL_EXPECTED} THEN 1 ELSE 0 END AS em, 0 AS ne
                FROM people pe CROSS JOIN campaigns c WHERE {campaign}
                UNION ALL
                SELECT campaign_id, village_id, day, 0, 0, change FROM ({coverage}) cov WHERE change <> 0
            ) u GROUP BY campaign_id, village_id, day""",
        ProgressLines: f"""
            INSERT INTO progress_lines (campaign_id, village_id, kind, paid_day, void_day, covered, lines, fen, gov_fen)
            SELECT campaign_id, village_id, kind, paid_day, void_day, covered, COUNT(*), SUM(amount_fen), SUM(gov_fen)
            FROM ({lines}) l GROUP BY campaign_id, village_id, kind, paid_day, void_day, covered""",
        ProgressReceipts: f"""
            INSERT INTO progress_receipts (campaign_id, village_id, paid_day, void_day, receipts, fen)
            SELECT r.campaign_id, r.village_id, {day('r.taken_at')}, COALESCE({day('rv.voided_at')}, :open_day),
                   COUNT(*), SUM(r.total_fen + r.gov_total_fen)
            FROM receipts r JOIN campaigns c ON c.id = r.campaign_id
            LEFT JOIN receipt_voids rv ON rv.receipt_id = r.id
            WHERE {campaign}
            GROUP BY r.campaign_id, r.village_id, {day('r.taken_at')}, COALESCE({day('rv.voided_at')}, :open_day)""",
    }


_CAMPAIGN_WINDOWS = text("SELECT id, pension_born_from, pension_born_until, pension_min_age, pension_max_age, "
                         "collection_start, collection_end, extended_until FROM campaigns")


def _birth_windows(connection) -> dict:
    """{campaign id: pension_birth_window}, from the campaigns' columns alone (the migration runs
    this on a schema older than today's models)."""
    out = {}
    for cid, born_from, born_until, min_age, max_age, start, end, extended in connection.execute(_CAMPAIGN_WINDOWS):
        start, end, extended = (_as_date(d) for d in (start, end, extended))
        policy = Policy(pension_born_from=_as_date(born_from), pension_born_until=_as_date(born_until),
                        pension_tiers={}, medical_fen={}, pension_min_age=min_age, pension_max_age=max_age,
                        collection_window=(start, max(end, extended or end)))
        out[cid] = pension_birth_window(policy)
    return out


def _as_date(value):
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def backfill(connection, campaign_id: int | None = None) -> None:
    """Delete the counters (of one campaign, or all) and insert them recounted. Runs on a
    Session or a Connection (the migration's)."""
    dialect = connection.get_bind().dialect.name if hasattr(connection, "get_bind") else connection.dialect.name
    windows = _birth_windows(connection)
    for cid in ([campaign_id] if campaign_id is not None else sorted(windows)):
        born_from, born_until = windows[cid]
        for table, statement in backfill_sql(dialect).items():
            connection.execute(delete(table.__table__).where(table.__table__.c.campaign_id == cid))
            values = {"open_day": OPEN_DAY, "born_from": born_from, "born_until": born_until}
            connection.execute(text(statement).bindparams(
                *(bindparam(k, v, type_=Date) for k, v in values.items() if f":{k}" in statement), campaign_id=cid))


def rebuild(campaign_id: int | None = None) -> None:
    """Recount in the caller's transaction (a campaign created or its birth window changed)."""
    db.session.flush()
    backfill(db.session, campaign_id)


def _stored(table, campaign_id) -> dict:
    t = table.__table__
    keys = [c.name for c in t.primary_key.columns]
    q = select(t)
    if campaign_id is not None:
        q = q.where(t.c.campaign_id == campaign_id)
    out = {}
    for row in db.session.execute(q).mappings():
        values = tuple(int(row[n]) for n in _VALUES[table])
        if any(values):
            out[tuple(_key_value(row[k]) for k in keys)] = values
    return out


def _key_value(v):
    return date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 and v[4] == "-" else v


def differences(campaign_id: int | None = None) -> list[tuple[str, tuple, tuple, tuple]]:
    """[(table, key, stored, recounted)] where the stored counters differ from a recount. Reads
    inside a SAVEPOINT that is rolled back: nothing is changed."""
    stored = {t: _stored(t, campaign_id) for t in TABLES}
    savepoint = db.session.begin_nested()
    try:
        backfill(db.session, campaign_id)
        fresh = {t: _stored(t, campaign_id) for t in TABLES}
    finally:
        savepoint.rollback()
    out = []
    for t in TABLES:
        for key in sorted(set(stored[t]) | set(fresh[t]), key=str):
            zero = (0,) * len(_VALUES[t])
            a, b = stored[t].get(key, zero), fresh[t].get(key, zero)
            if a != b:
                out.append((t.__tablename__, key, a, b))
    return out
