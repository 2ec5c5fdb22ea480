"""A synthetic district of N people in a SQLite file under bench/data/, built once and reused.

Rows go in through SQLAlchemy Core executemany with every derived column computed the way the
services compute it (pinyin keys, keyed hash, ciphertext, masked ID, tail), so searches see
the same data a real district would give them."""
import random
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
BENCH_KEYS = {"1": bytes(range(100, 132))}
RECEIPT_KEYS = {"1": bytes(range(132, 164))}


def bench_app(db_path: Path, **extra):
    from webapp import create_app
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "SECRET_KEY": "bench", "ID_KEYS": BENCH_KEYS,
        "RECEIPT_KEYS": RECEIPT_KEYS, "INSTANCE_PATH": str(DATA / "instance"), "WTF_CSRF_ENABLED": False,
        "CHECK_PDF_ENGINE_AT_STARTUP": False, "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SLOW_QUERY_MS": None,   # bulk inserts of a synthetic district are slow on purpose
    }
    config.update(extra)
    return create_app(config)


def schema_tag() -> str:
    """A short hash of the tables and columns: a cached database built by older code is not reused."""
    import hashlib

    import webapp.models  # noqa: F401 - every table registered
    from webapp.extensions import db
    desc = sorted((t.name, tuple(sorted(c.name for c in t.columns))) for t in db.metadata.tables.values())
    return hashlib.sha1(repr(desc).encode()).hexdigest()[:8]


def cached_db(stem: str) -> Path:
    """bench/data/<stem>-<schema tag>.db; files of other tags (older schemas) are removed."""
    DATA.mkdir(exist_ok=True)
    tag = schema_tag()
    for old in DATA.glob(f"{stem}-*.db*"):
        if not old.name.startswith(f"{stem}-{tag}.db"):
            old.unlink()
    return DATA / f"{stem}-{tag}.db"


class PeopleMaker:
    """Households and their members as rows, every derived column computed the way the services
    compute it (pinyin keys, keyed hash, ciphertext, masked ID, tail): what both generators, the
    SQLite district (executemany) and the PostgreSQL city (COPY, bench/city.py), insert. Needs an
    app context (the ID vault's keys). ID numbers are valid (check digit) and unique per maker."""

    def __init__(self, rng: random.Random, region: str):
        self.rng, self.region = rng, region
        self.keys = {}       # name -> (initials, pinyin): computed once per distinct name
        self.used = set()
        self.today = date.today()

    def household(self, household_id: int, village_id: int, limit: int = 5) -> tuple[dict, list[dict]]:
        """(household row, 1-5 person rows, at most `limit`); the head first."""
        from webapp.idvault import idvault
        from webapp.rules.masking import mask_id_number
        from webapp.rules.pinyin import name_initials, name_pinyin
        from webapp.services.demo import GIVEN, SURNAMES, make_id_number
        rng = self.rng
        household = {"id": household_id, "village_id": village_id, "number": f"{household_id:07d}",
                     "address": f"{household_id % 300}号"}
        members = []
        for k in range(min(limit, rng.choice((1, 2, 3, 3, 4, 5)))):
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            if name not in self.keys:
                self.keys[name] = (name_initials(name), name_pinyin(name))
            birth = self.today - timedelta(days=rng.randrange(365, 85 * 365))
            number = make_id_number(rng, birth, rng.random() < 0.5, self.region)
            while number in self.used:
                number = make_id_number(rng, birth, rng.random() < 0.5, self.region)
            self.used.add(number)
            members.append({
                "village_id": village_id, "household_id": household_id, "is_head": k == 0,
                "relation": "户主" if k == 0 else "子女", "name": name,
                "name_initials": self.keys[name][0], "name_pinyin": self.keys[name][1],
                "id_hash": idvault.lookup_hash(number), "id_cipher": idvault.encrypt(number),
                "id_masked": mask_id_number(number), "id_tail": number[-4:], "birth_date": birth,
                "sex": "M" if int(number[16]) % 2 else "F", "address": "", "phone": "",
            })
        return household, members


def create_district(code: str, name: str, townships: int, villages_per_township: int, first_township: int = 200):
    """A district <code> through the area service: townships <code>200, <code>201, ... (from
    first_township), each with villages <township code>001, 002, ... (the plan-import bench's
    codes are 410411200001-020)."""
    from webapp.services import areas
    from webapp.services.actor import SYSTEM
    areas.create_area(SYSTEM, parent_code=None, code=code, name=name)
    for t in range(townships):
        tcode = f"{code}{first_township + t:03d}"
        areas.create_area(SYSTEM, parent_code=code, code=tcode, name=f"{name}第{t + 1}乡", kind="township")
        for v in range(villages_per_township):
            areas.create_area(SYSTEM, parent_code=tcode, code=f"{tcode}{v + 1:03d}", name=f"{t + 1}乡{v + 1}村",
                              kind="village", point_kind="village_committee")


def build_district(n_people: int, townships: int = 10, villages_per_township: int = 20) -> Path:
    """Path of a database holding the district; built only if missing."""
    path = cached_db(f"district_{n_people}")
    if path.exists():
        return path
    tmp = path.with_suffix(".building")
    for p in tmp.parent.glob(tmp.name + "*"):
        p.unlink()
    app = bench_app(tmp)
    t0 = time.perf_counter()
    with app.app_context():
        from webapp.extensions import db
        from webapp.models import Area, Household, Person
        from webapp.services import accounts, campaigns, counters
        from webapp.services.actor import SYSTEM
        from webapp.timeutil import today_local

        db.create_all()
        create_district("410411", "湛河区", townships, villages_per_township)
        village_ids = list(db.session.scalars(select(Area.id).where(Area.level == "village").order_by(Area.code)))
        campaigns.create_campaign(SYSTEM, campaigns.default_input(today_local().year))
        accounts.create_user(SYSTEM, username="dadmin", name="区管理员", role="district_admin",
                             area_codes=["410411"], password="Bench2018x", is_demo=True)
        first_village = db.session.scalar(select(Area.code).where(Area.id == village_ids[0]))
        accounts.create_user(SYSTEM, username="coord", name="协管员", role="coordinator",
                             area_codes=[first_village], password="Bench2018x", is_demo=True)

        people = PeopleMaker(random.Random(400), region="410411")
        conn = db.session.connection()
        person_rows, made, hh_next = [], 0, 1
        while made < n_people:
            village = village_ids[(hh_next - 1) % len(village_ids)]
            household, members = people.household(hh_next, village, limit=n_people - made)
            conn.execute(insert(Household), [household])
            person_rows += members
            made += len(members)
            hh_next += 1
            if len(person_rows) >= 20000:
                conn.execute(insert(Person), person_rows)
                person_rows = []
        if person_rows:
            conn.execute(insert(Person), person_rows)
        counters.rebuild()   # people inserted behind the services' back: recount the progress counters
        db.session.commit()
        count = db.session.scalar(select(func.count(Person.id)))
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    for suffix in ("-wal", "-shm"):
        p = Path(str(tmp) + suffix)
        if p.exists():
            p.unlink()
    tmp.rename(path)
    print(f"   built a district of {count:,} people in {time.perf_counter() - t0:.0f} s: {path.name}")
    return path


def sync_indexes(app):
    """A cached district built before an index change gets the model's indexes: missing ones are
    created and ix_ indexes the model no longer has are dropped, then ANALYZE, so a measurement
    after the change sees exactly the schema a migrated database has."""
    from sqlalchemy import inspect

    from webapp.extensions import db
    with app.app_context():
        engine = db.engine
        changed = False
        for table in db.metadata.sorted_tables:
            existing = {ix["name"] for ix in inspect(engine).get_indexes(table.name)}
            wanted = {ix.name for ix in table.indexes}
            for name in existing - wanted:
                if name.startswith("ix_"):
                    with engine.begin() as conn:
                        conn.exec_driver_sql(f'DROP INDEX "{name}"')
                    changed = True
            for ix in table.indexes:
                if ix.name not in existing:
                    ix.create(engine)
                    changed = True
        if changed:
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")


def district_with_payments(n_people: int, townships: int = 10, villages_per_township: int = 20) -> Path:
    """A copy of build_district's district with ~60 % of households paid over 20 days, 1 % of
    receipts voided, and the progress counters recounted. Built once into bench/data/."""
    path = cached_db(f"progress_{n_people}")
    if path.exists():
        return path
    base = build_district(n_people, townships, villages_per_township)
    tmp = path.with_suffix(".building")
    shutil.copyfile(base, tmp)
    app = bench_app(tmp)
    t0 = time.perf_counter()
    with app.app_context():
        from sqlalchemy import insert, select

        from webapp.extensions import db
        from webapp.models import Area, Campaign, Payment, Person, Receipt, ReceiptVoid, User, user_areas
        from webapp.services import counters
        from webapp.timeutil import local_day_start_utc, today_local

        db.create_all()   # tables of later features the base file may lack
        campaign = db.session.scalar(select(Campaign))
        coord = db.session.scalar(select(User).where(User.username == "coord"))
        # One coordinator per village issues its receipts (as in life); "coord" keeps the first.
        issuer = {a.id: coord.id for a in coord.areas}
        villages = db.session.execute(select(Area.id, Area.code).where(Area.level == "village")).all()
        for vid, code in villages:
            if vid not in issuer:
                u = User(username=f"c{code}", name=f"协管员{code[-3:]}", role="coordinator", must_change_password=False,
                         password_hash=coord.password_hash, is_demo=True)
                db.session.add(u)
                db.session.flush()
                db.session.execute(insert(user_areas), [{"user_id": u.id, "area_id": vid}])
                issuer[vid] = u.id
        rng = random.Random(60)
        households: dict[int, list] = {}
        for row in db.session.execute(select(Person.id, Person.household_id, Person.village_id, Person.birth_date,
                                             Person.name, Person.id_masked)):
            households.setdefault(row.household_id, []).append(row)
        conn = db.session.connection()
        receipts, lines, voids, rid, today = [], [], [], 0, today_local()
        for hid, members in households.items():
            if rng.random() > 0.6:
                continue
            rid += 1
            day = today - timedelta(days=rng.randrange(0, 20))
            at = local_day_start_utc(day) + timedelta(hours=rng.randrange(8, 20))
            void_id = None
            if rng.random() < 0.01:
                void_id = len(voids) + 1
                voids.append({"id": void_id, "receipt_id": rid, "reason": "录错",
                              "voided_by_id": issuer[members[0].village_id],
                              "voided_at": at + timedelta(hours=1)})
            total = 0
            for p in members:
                pension = campaign.pension_born_from <= p.birth_date <= campaign.pension_born_until
                for kind, amount in [("medical", 25000)] + ([("pension", 20000)] if pension else []):
                    lines.append({"receipt_id": rid, "campaign_id": campaign.id, "person_id": p.id, "kind": kind,
                                  "tier_fen": amount if kind == "pension" else None, "amount_fen": amount,
                                  "gov_fen": 0, "self_fen": amount, "person_name": p.name, "id_masked": p.id_masked,
                                  "created_at": at, "taken_at": at, "void_id": void_id})
                    total += amount
            receipts.append({"id": rid, "number": f"B-{rid:07d}", "campaign_id": campaign.id,
                             "village_id": members[0].village_id, "household_id": hid,
                             "issued_by_id": issuer[members[0].village_id],
                             "payer_name": members[0].name, "total_fen": total, "created_at": at, "taken_at": at})
        for i in range(0, len(receipts), 20000):
            conn.execute(insert(Receipt), receipts[i:i + 20000])
        conn.execute(insert(ReceiptVoid), voids)
        for i in range(0, len(lines), 20000):
            conn.execute(insert(Payment), lines[i:i + 20000])
        counters.rebuild()
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
        print(f"   added {len(receipts):,} receipts, {len(lines):,} payment lines in {time.perf_counter() - t0:.0f} s")
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    tmp.rename(path)
    return path
