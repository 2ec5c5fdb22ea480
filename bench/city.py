"""A city of 4,000,000 people on PostgreSQL, built once with COPY and reused: `make bench-city`.

Eight districts (Pingdingshan's codes) of 10 townships x 25 villages of 2,000 people each, made
by the SQLite district's own row maker (bench.district.PeopleMaker: valid ID numbers, pinyin keys,
keyed hash and ciphertext as the services store them), and about 45% of the people already paid
for medical insurance (a quarter of the working-age ones for pension too), one receipt per
household, numbered and counted as services.payments numbers them, so dashboards and exports
read a campaign in full swing (the generated payments have no audit events: nothing reads those
for these pages).

The schema comes from the migrations (`flask db upgrade`, as a production database gets it); the
rows go in through psycopg's COPY with the tables' secondary indexes, unique and
foreign-key constraints out of the way, which are put back afterwards (every constraint then checks
all rows at once), then VACUUM ANALYZE. A table `bench_city` records what was built; a city whose
record and row counts match is reused (`python -m bench.city --rebuild` builds anew).

    python -m bench.city [--rebuild] [--people-per-village N] [--districts N] [--build-only]

CITY_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/citybench) names the
database; it is dropped and created again on a rebuild, so it must be one of its own. The
2,000-person city the growth is measured against lives beside it, in <name>_2k.
"""
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import make_url

from bench.district import PeopleMaker, bench_app, create_district

ROOT = Path(__file__).resolve().parents[1]
GENERATOR_VERSION = 2      # bump when the rows made change: a city of another version is rebuilt
DISTRICTS = (("410411", "湛河区"), ("410402", "新华区"), ("410403", "卫东区"), ("410404", "石龙区"),
             ("410421", "宝丰县"), ("410422", "叶县"), ("410423", "鲁山县"), ("410425", "郏县"))
PASSWORD = "Bench2018x"
MEDICAL_PAID, PENSION_PAID = 0.45, 0.25
MARKER_DDL = ("CREATE TABLE IF NOT EXISTS bench_city (version integer, people integer, households integer, "
              "districts integer, villages integer, built_s real, built_at timestamp)")
BULK_TABLES = ("households", "people", "receipts", "payments", "receipt_counters")


@dataclass(frozen=True)
class CityShape:
    districts: int = 8
    townships: int = 10
    villages_per_township: int = 25
    people_per_village: int = 2000

    @property
    def villages(self) -> int:
        return self.districts * self.townships * self.villages_per_township

    @property
    def people(self) -> int:
        return self.villages * self.people_per_village


def default_url() -> str:
    import os
    return os.environ.get("CITY_DATABASE_URL") or \
        "postgresql+psycopg://postgres@127.0.0.1:5432/citybench?application_name=citybench"


def small_url(url: str) -> str:
    """The 2,000-person city beside it: the same server, database <name>_2k."""
    u = make_url(url)
    return u.set(database=f"{u.database}_2k").render_as_string(hide_password=False)


def _libpq(url: str, dbname: str | None = None) -> str:
    """The SQLAlchemy URL as psycopg's conninfo (optionally another database on the same server)."""
    u = make_url(url).set(drivername="postgresql")
    if dbname:
        u = u.set(database=dbname)
    return u.render_as_string(hide_password=False)


def city_app(url: str, **extra):
    return bench_app(Path("unused.db"), SQLALCHEMY_DATABASE_URI=url, **extra)


def recorded(url: str) -> dict | None:
    """What bench_city says was built, if the database exists and its rows still match."""
    import psycopg
    try:
        conn = psycopg.connect(_libpq(url), connect_timeout=5)
    except psycopg.OperationalError:
        return None
    with conn:
        row = conn.execute("SELECT to_regclass('bench_city')").fetchone()
        if row[0] is None:
            return None
        row = conn.execute("SELECT version, people, households, districts, villages, built_s "
                           "FROM bench_city").fetchone()
        if row is None:
            return None
        info = dict(zip(("version", "people", "households", "districts", "villages", "built_s"), row, strict=True))
        people, households = conn.execute(
            "SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM households)").fetchone()
        if (people, households) != (info["people"], info["households"]):
            return None
        info["bytes"] = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return info


def _recreate_database(url: str):
    import psycopg
    name = make_url(url).database
    with psycopg.connect(_libpq(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def build_city(url: str | None = None, shape: CityShape = CityShape(), *, rebuild: bool = False,
               schema_ready: bool = False, log=None, config: dict | None = None) -> dict:
    """The city in `url` (built unless a matching one is there): bench_city's record plus bytes.
    schema_ready: the database (a test's private schema) is empty and is not to be recreated;
    config: more of the app's configuration (a test's instance folder)."""
    url = url or default_url()
    log = log or (lambda *a: print(*a, flush=True))
    info = None if rebuild else recorded(url)
    if info and info["version"] == GENERATOR_VERSION and info["people"] == shape.people \
            and info["districts"] == shape.districts:
        return info
    t0 = time.perf_counter()
    if not schema_ready:
        _recreate_database(url)
    app = city_app(url, **(config or {}))
    with app.app_context():
        import flask_migrate

        from webapp.extensions import db
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        _areas_and_accounts(shape)
        db.session.commit()
        t_schema = time.perf_counter()
        log(f"   schema (migrations), {shape.villages:,} villages and accounts: {t_schema - t0:.0f} s")
        plan = _plan(shape)
        db.session.commit()       # the bulk load's DDL must not wait for this session's locks
        raw = db.engine.raw_connection()
        try:
            counts = _bulk_load(raw.driver_connection, plan, log)
        finally:
            raw.close()
        t_counters = time.perf_counter()
        from webapp.services import counters
        counters.rebuild()        # rows loaded behind the services' back: count the dashboards' counters
        db.session.commit()
        log(f"   progress counters: {time.perf_counter() - t_counters:.0f} s")
        built_s = time.perf_counter() - t0
        with db.engine.begin() as conn:
            conn.exec_driver_sql(MARKER_DDL)
            conn.exec_driver_sql("DELETE FROM bench_city")
            conn.exec_driver_sql(
                "INSERT INTO bench_city VALUES (%s, %s, %s, %s, %s, %s, now())",
                (GENERATOR_VERSION, counts["people"], counts["households"], shape.districts, shape.villages,
                 built_s))
        db.engine.dispose()
    info = recorded(url)
    log(f"   built a city of {info['people']:,} people in {built_s:.0f} s: "
        f"{info['bytes'] / 2**30:.2f} GiB ({info['people'] / (info['bytes'] / 2**30):,.0f} people per GiB)")
    return info


def _areas_and_accounts(shape: CityShape):
    """Areas through the area service; a campaign open today; the bench's accounts: a district
    admin of the first district (dadmin), a township admin of its first township (tadmin) and a
    coordinator of its first village (coord)."""
    from webapp.services import accounts, campaigns
    from webapp.services.actor import SYSTEM
    from webapp.services.demo import campaign_input_open_today
    from webapp.timeutil import today_local
    for d, (code, name) in enumerate(DISTRICTS[:shape.districts]):
        # Township codes differ across the city (200-209, 210-219, ...): a receipt number carries
        # only a village code's last six digits (rules/numbers.py), so two districts' villages
        # 200001 would print the same receipt numbers.
        create_district(code, name, shape.townships, shape.villages_per_township,
                        first_township=200 + d * shape.townships)
    campaigns.create_campaign(SYSTEM, campaign_input_open_today(today_local()))
    first = DISTRICTS[0][0]
    for username, name, role, area in (("cityadmin", "市管理员", "city_admin", first[:4]),
                                       ("dadmin", "区管理员", "district_admin", first),
                                       ("tadmin", "乡镇管理员", "township_admin", f"{first}200"),
                                       ("coord", "协管员", "coordinator", f"{first}200001")):
        accounts.create_user(SYSTEM, username=username, name=name, role=role, area_codes=[area],
                             password=PASSWORD, is_demo=True)


def _secondary_indexes(cur) -> tuple[list, list]:
    """(constraints, indexes) of the bulk tables other than primary keys, as (table, name, ddl)."""
    tables = list(BULK_TABLES)
    constraints = cur.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')", (tables,)).fetchall()
    indexes = cur.execute(
        "SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i "
        "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))",
        (tables,)).fetchall()
    return constraints, indexes


def _bulk_load(conn, plan: dict, log) -> dict:
    """COPY every household, person, receipt and payment; returns row counts."""
    cur = conn.cursor()
    constraints, indexes = _secondary_indexes(cur)
    for table, name, _ in constraints:
        cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for _, name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    t0 = time.perf_counter()
    counts = _copy_rows(cur, plan, log)
    t1 = time.perf_counter()
    log(f"   COPY of {counts['people']:,} people, {counts['households']:,} households, "
        f"{counts['receipts']:,} receipts, {counts['payments']:,} payments: {t1 - t0:.0f} s")
    cur.execute("SET maintenance_work_mem = '512MB'")
    for _, _, ddl in indexes:
        cur.execute(ddl)
    for table, name, ddl in constraints:       # unique first (foreign keys may lean on them)
        if not ddl.startswith("FOREIGN"):
            cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {ddl}')
    for table, name, ddl in constraints:
        if ddl.startswith("FOREIGN"):
            cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {ddl}')
    for table in ("households", "people", "receipts", "payments"):
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
    conn.commit()
    t2 = time.perf_counter()
    log(f"   indexes, unique and foreign-key constraints checked: {t2 - t1:.0f} s")
    conn.autocommit = True
    for table in BULK_TABLES:
        cur.execute(f"VACUUM (ANALYZE) {table}")
    for table in ("areas", "users", "user_areas", "campaigns"):   # this schema's only, not the server's
        cur.execute(f"ANALYZE {table}")
    conn.autocommit = False
    log(f"   VACUUM ANALYZE: {time.perf_counter() - t2:.0f} s")
    return counts


PEOPLE_COLUMNS = ("id", "village_id", "household_id", "is_head", "relation", "name", "name_initials",
                  "name_pinyin", "id_hash", "id_cipher", "id_masked", "id_tail", "birth_date", "sex", "address",
                  "phone", "is_student", "is_dibao", "is_tekun", "is_disabled", "employee_pension",
                  "employee_medical", "new_enrollee", "created_at", "updated_at")
RECEIPT_COLUMNS = ("id", "number", "campaign_id", "village_id", "household_id", "issued_by_id", "payer_name",
                   "method", "total_fen", "gov_total_fen", "created_at", "taken_at")
PAYMENT_COLUMNS = ("id", "receipt_id", "campaign_id", "person_id", "kind", "tier_fen", "amount_fen", "gov_fen",
                   "self_fen", "person_name", "id_masked", "new_enrollee", "created_at", "taken_at")


def _copy(cur, table, columns):
    return cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN")


def _plan(shape: CityShape) -> dict:
    """What the rows refer to, read through the app before the bulk load takes its locks."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Area, Campaign, User
    campaign = db.session.scalar(select(Campaign).order_by(Campaign.year.desc()).limit(1))
    return {"shape": shape, "campaign_id": campaign.id, "year": campaign.year,
            "collection_start": campaign.collection_start,
            "medical_fen": {r.category: r.amount_fen for r in campaign.medical_rates}["resident"],
            "tier_fen": min(t.amount_fen for t in campaign.tiers),
            "issuer": db.session.scalar(select(User.id).where(User.username == "dadmin")),
            "villages": db.session.execute(select(Area.id, Area.code).where(Area.level == "village")
                                           .order_by(Area.code)).all()}


def _copy_rows(cur, plan: dict, log) -> dict:
    from webapp.rules import numbers
    from webapp.timeutil import now_utc

    shape, villages, campaign_id = plan["shape"], plan["villages"], plan["campaign_id"]
    medical_fen, tier_fen, issuer = plan["medical_fen"], plan["tier_fen"], plan["issuer"]
    district_of = {code[:6] for _, code in villages}
    makers = {d: PeopleMaker(random.Random(int(d)), region=d) for d in district_of}
    start = datetime.combine(plan["collection_start"], datetime.min.time())
    now = now_utc()
    span_s = max(60, int((now - start).total_seconds()) - 3600)
    rng = random.Random(17)
    counts = dict.fromkeys(("people", "households", "receipts", "payments"), 0)
    created = now - timedelta(days=60)
    t0 = time.perf_counter()
    households, receipts, payments, counters = [], [], [], []
    with _copy(cur, "people", PEOPLE_COLUMNS) as people_copy:   # one COPY at a time per connection
        for n, (village_id, code) in enumerate(villages):
            maker = makers[code[:6]]
            made, seq = 0, 0
            while made < shape.people_per_village:
                counts["households"] += 1
                household, members = maker.household(counts["households"], village_id,
                                                     limit=shape.people_per_village - made)
                made += len(members)
                households.append((household["id"], village_id, household["number"], household["address"], created))
                lines = []
                for m in members:
                    counts["people"] += 1
                    m["id"] = counts["people"]
                    people_copy.write_row(
                        (m["id"], village_id, m["household_id"], m["is_head"], m["relation"], m["name"],
                         m["name_initials"], m["name_pinyin"], m["id_hash"], m["id_cipher"], m["id_masked"],
                         m["id_tail"], m["birth_date"], m["sex"], m["address"], m["phone"], False, False, False,
                         False, False, False, False, created, created))
                    if rng.random() < MEDICAL_PAID:
                        lines.append((m, "medical", None, medical_fen))
                    age = maker.today.year - m["birth_date"].year
                    if 16 <= age <= 59 and rng.random() < PENSION_PAID:
                        lines.append((m, "pension", tier_fen, tier_fen))
                if lines:
                    seq += 1
                    counts["receipts"] += 1
                    at = start + timedelta(seconds=rng.randrange(span_s))
                    total = sum(line[3] for line in lines)
                    receipts.append((counts["receipts"], numbers.receipt_number(plan["year"], code, seq),
                                     campaign_id, village_id, household["id"], issuer, members[0]["name"], "cash",
                                     total, 0, at, at))
                    for m, kind, tier, amount in lines:
                        counts["payments"] += 1
                        payments.append((counts["payments"], counts["receipts"], campaign_id, m["id"], kind, tier,
                                         amount, 0, amount, m["name"], m["id_masked"], False, at, at))
            if seq:
                counters.append((campaign_id, village_id, seq))
            if (n + 1) % 250 == 0:
                rate = counts["people"] / (time.perf_counter() - t0)
                log(f"   {n + 1:,}/{len(villages):,} villages, {counts['people']:,} people ({rate:,.0f}/s)")
    for table, columns, rows in (("households", ("id", "village_id", "number", "address", "created_at"), households),
                                 ("receipts", RECEIPT_COLUMNS, receipts), ("payments", PAYMENT_COLUMNS, payments),
                                 ("receipt_counters", ("campaign_id", "village_id", "last_seq"), counters)):
        with _copy(cur, table, columns) as copy:
            for row in rows:
                copy.write_row(row)
    return counts


# --- measuring on the city --------------------------------------------------------------------
# The SQLite bench's way (bench_scope.py): the real pages through Flask's test client, warm, wall
# time and CPU time. On PostgreSQL a query's work is done by its server process, so CPU here is
# this process's plus that of the server processes serving the app's connections (their
# /proc/<pid>/schedstat, in nanoseconds): the cost of a page however busy the shared machine is.

COORD_VILLAGE, TOWNSHIP, DISTRICT = "410411200001", "410411200", "410411"
SMALL = CityShape(districts=1, townships=1, villages_per_township=1, people_per_village=2000)
PAYMENTS = 40


class ServerCpu:
    """CPU seconds of this process and of the PostgreSQL processes behind an engine's connections."""

    def __init__(self, engine):
        from sqlalchemy import event
        self.pids = set()
        event.listen(engine, "connect", self._connected)
        engine.dispose()          # connections opened from now on are seen

    def _connected(self, dbapi_conn, _record):
        with dbapi_conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            self.pids.add(cur.fetchone()[0])

    def __call__(self) -> float:
        return time.process_time() + sum(backend_cpu_s(pid) for pid in self.pids)


def backend_cpu_s(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


def _timed(fn, n: int, cpu) -> list:
    """[(wall ms, CPU ms)] of n calls of fn()."""
    out = []
    for _ in range(n):
        t0, c0 = time.perf_counter(), cpu()
        fn()
        out.append(((time.perf_counter() - t0) * 1000, (cpu() - c0) * 1000))
    return out


def _pages(app, cpu, label: str) -> dict:
    """Search as each role, the worklist of a 2,000-person village: bench_scope's measurement."""
    from bench.bench_scope import _queries, search_figures, worklist_figures
    queries, village_code = _queries(app, COORD_VILLAGE)
    return search_figures(app, queries, label, cpu) | worklist_figures(app, village_code, label, cpu)


def _unpaid(app, n: int, village_code: str = COORD_VILLAGE) -> list:
    """n people of the village with no live medical payment in the current campaign."""
    from sqlalchemy import exists, select

    from webapp.extensions import db
    from webapp.models import Area, Campaign, Payment, Person
    with app.app_context():
        campaign = select(Campaign.id).order_by(Campaign.year.desc()).limit(1).scalar_subquery()
        paid = exists().where(Payment.person_id == Person.id, Payment.kind == "medical",
                              Payment.void_id.is_(None), Payment.campaign_id == campaign)
        return list(db.session.scalars(
            select(Person.id).join(Area, Area.id == Person.village_id).where(
                Area.code == village_code, ~paid).order_by(Person.id).limit(n)))


def _collect(app, cpu) -> dict:
    """The coordinator's household page, payment (POST /api/v1/payments) and its receipt's PDF
    (uncached: each receipt is new), for PAYMENTS people who had not paid."""
    import uuid

    from bench.bench_scope import _figures, _login, _time
    from webapp.extensions import db
    from webapp.models import Person
    client = _login(app, "coord")
    people = _unpaid(app, PAYMENTS + 3)
    with app.app_context():
        households = [db.session.get(Person, pid).household_id for pid in people]
    _time(client, f"/households/{households[-1]}", n=2)
    page = [t for h in households[:PAYMENTS] for t in _time(client, f"/households/{h}", cpu=cpu)]
    paid, pdf = [], []
    for i, pid in enumerate(people):
        body = {"client_id": str(uuid.uuid4()), "method": "cash", "lines": [{"person_id": pid, "kind": "medical"}]}
        answer = {}

        def pay(body=body, answer=answer):
            resp = client.post("/api/v1/payments", json=body)
            assert resp.status_code == 201, (resp.status_code, resp.get_data(as_text=True)[:300])
            answer.update(resp.get_json())
        ms = _timed(pay, 1, cpu)
        ms_pdf = _time(client, answer["pdf_url"], cpu=cpu)
        if i >= 3:                       # the first ones warm the code paths
            paid += ms
            pdf += ms_pdf
    return _figures("household", "city", page) | _figures("payment", "city", paid) | \
        _figures("receipt_pdf", "city", pdf)


def _dashboards(app, cpu) -> dict:
    """The district dashboard as its district admin (500,000 people), and the city's."""
    from bench.bench_scope import _figures, _login, _time
    client = _login(app, "dadmin")
    first = _time(client, "/progress/", cpu=cpu)
    rounds = 5 if first[0][0] > 1000 else 20
    figures = _figures("dashboard_district", "city", _time(client, "/progress/", n=rounds, cpu=cpu))
    city = city_dashboard(app, cpu)
    return figures | _figures("dashboard_city", "city", city)


def city_dashboard(app, cpu) -> list:
    """[(wall ms, CPU ms)] of the city's progress page (/progress/city) as its city admin sees it."""
    from bench.bench_scope import _login, _time
    client = _login(app, "cityadmin")
    first = _time(client, "/progress/city", cpu=cpu)
    return _time(client, "/progress/city", n=5 if first[0][0] > 1000 else 20, cpu=cpu)


def _annex2(app, cpu) -> dict:
    """附件2 (pension) of one township (25 villages, about 50,000 people) as its admin, xlsx."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import User
    from webapp.services.actor import Actor
    from webapp.services.exports import export_annex
    with app.app_context():
        actor = Actor(db.session.scalar(select(User).where(User.username == "tadmin")), "bench")
        out = {}
        [(wall, cpu_ms)] = _timed(lambda: out.update(f=export_annex(actor, "pension", TOWNSHIP)), 1, cpu)
    return {"annex2_township_s_city": wall / 1000, "annex2_township_cpu_s_city": cpu_ms / 1000,
            "annex2_township_rows_city": out["f"].rows}


def _plan_import(app, cpu) -> dict:
    """A 100,000-row plan list (bench_import's, .xlsx) into 20 of the city's villages, checked
    against 4,000,000 people; the imported people are removed afterwards, so the city stays the
    one recorded (its import job and audit events stay, as after any import)."""
    from sqlalchemy import func, select, text

    from bench.bench_import import ROWS, make_rows, make_xlsx
    from webapp.extensions import db
    from webapp.models import Household, Person
    from webapp.services.actor import SYSTEM
    from webapp.services.imports import import_plan
    data = make_xlsx(make_rows(region="410482"))      # 汝州市: none of them is in the city already
    with app.app_context():
        last_person = db.session.scalar(select(func.max(Person.id)))
        last_household = db.session.scalar(select(func.max(Household.id)))
        db.session.commit()
        jobs = []
        try:
            [(wall, cpu_ms)] = _timed(lambda: jobs.append(import_plan(SYSTEM, "plan.xlsx", data)), 1, cpu)
            assert jobs[0].imported_count == ROWS, jobs[0].imported_count
        finally:
            db.session.rollback()
            db.session.execute(text("DELETE FROM people WHERE id > :p"), {"p": last_person})
            db.session.execute(text("DELETE FROM households WHERE id > :h"), {"h": last_household})
            db.session.commit()
    return {"plan_import_100k_s_city": wall / 1000, "plan_import_100k_cpu_s_city": cpu_ms / 1000}


def _load(url: str) -> dict:
    """bench_load's 16 phones paying over HTTP, against gunicorn on the city: 16 coordinators
    of 16 villages across the districts. payments_per_core_s_city: payments per second one core
    carries, from the CPU the app's processes and their PostgreSQL processes spent per payment."""
    import tempfile

    from sqlalchemy import make_url, select

    from bench import bench_load
    from webapp.extensions import db
    from webapp.models import Area, User
    from webapp.services import accounts
    from webapp.services.actor import SYSTEM
    app = city_app(url)
    with app.app_context():
        codes = db.session.scalars(select(Area.code).where(Area.level == "village").order_by(Area.code)).all()
        villages = codes[1::max(1, len(codes) // bench_load.CLIENTS)][:bench_load.CLIENTS]   # across the city
        for c, code in enumerate(villages):
            if not db.session.scalar(select(User.id).where(User.username == f"load{c:02d}")):
                accounts.create_user(SYSTEM, username=f"load{c:02d}", name=f"协管{c}", role="coordinator",
                                     area_codes=[code], password=PASSWORD, is_demo=True)
        db.session.commit()
    people = {f"load{c:02d}": _unpaid(app, 1200, code) for c, code in enumerate(villages)}
    folder = Path(tempfile.mkdtemp(prefix="lx-city-load-"))
    instance = bench_load.write_instance(folder)
    app_name = "citybench-load"
    load_url = make_url(url).update_query_dict({"application_name": app_name}).render_as_string(False)
    with bench_load.gunicorn(folder, load_url, instance) as (port, pid):
        backends = lambda: _backends_cpu_s(url, app_name)   # noqa: E731
        cpu0 = bench_load._server_cpu(pid) + backends()
        results, start_at, _ = bench_load.run_clients(port, people)
        cpu_s = bench_load._server_cpu(pid) + backends() - cpu0
    stream = bench_load.summarise(results, start_at)
    per_payment_ms = cpu_s / len(stream["rows"]) * 1000
    return {"payments_per_s_city": stream["per_s"], "payments_p95_ms_city": bench_load.percentile(
        stream["latencies"], 95), "payments_errors_city": len(stream["errors"]),
        "payments_cpu_ms_city": per_payment_ms, "payments_per_core_s_city": 1000 / per_payment_ms}


def _backends_cpu_s(url: str, application_name: str) -> float:
    """CPU seconds of the PostgreSQL processes serving connections named application_name."""
    import psycopg
    with psycopg.connect(_libpq(url)) as conn:
        pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                                           (application_name,))]
    return sum(backend_cpu_s(pid) for pid in pids)


def measure(url: str, info: dict) -> dict:
    """Every figure of the city (keys *_city), beside the same pages on a 2,000-person city."""
    figures = {"city_people": info["people"], "city_build_s": info["built_s"], "city_gib": info["bytes"] / 2**30,
               "city_people_per_gb": info["people"] / (info["bytes"] / 1e9)}
    build_city(small_url(url), SMALL)
    small = city_app(small_url(url))
    figures.update(_pages(small, ServerCpu(small_engine(small)), "pg2k"))
    app = city_app(url)
    cpu = ServerCpu(small_engine(app))
    steps = (("search and worklist", lambda: _pages(app, cpu, "city")), ("household, payment, receipt PDF",
             lambda: _collect(app, cpu)), ("dashboards", lambda: _dashboards(app, cpu)),
             ("附件2 of a township", lambda: _annex2(app, cpu)), ("plan import", lambda: _plan_import(app, cpu)),
             ("16 phones paying", lambda: _load(url)))
    for title, step in steps:
        t0 = time.perf_counter()
        got = step()
        figures.update(got)
        print(f"   {title} ({time.perf_counter() - t0:.0f} s): " + ", ".join(
            f"{k} {v:.1f}" for k, v in got.items() if "_p50_" not in k), flush=True)
    roles = ("coordinator", "township", "district")
    figures["search_p95_ms_city"] = max(figures[f"search_{r}_p95_ms_city"] for r in roles)
    figures["search_cpu_growth_city"] = max(
        figures[f"search_{r}_cpu_p95_ms_city"] / figures[f"search_{r}_cpu_p95_ms_pg2k"] for r in roles)
    return figures


def small_engine(app):
    with app.app_context():
        from webapp.extensions import db
        return db.engine


def record(figures: dict) -> int:
    """Into bench/results.json beside the SQLite figures, with the budgets' verdicts."""
    from bench.__main__ import merge_and_report
    return merge_and_report(figures)


def main(argv=None) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m bench.city")
    parser.add_argument("--rebuild", action="store_true", help="build the city anew even if one matches")
    parser.add_argument("--build-only", action="store_true", help="build (or find) the city, measure nothing")
    parser.add_argument("--districts", type=int, default=CityShape.districts)
    parser.add_argument("--townships", type=int, default=CityShape.townships, help="per district")
    parser.add_argument("--villages", type=int, default=CityShape.villages_per_township, help="per township")
    parser.add_argument("--people-per-village", type=int, default=CityShape.people_per_village)
    args = parser.parse_args(argv)
    shape = CityShape(districts=args.districts, townships=args.townships, villages_per_township=args.villages,
                      people_per_village=args.people_per_village)
    info = build_city(shape=shape, rebuild=args.rebuild)
    print(f"   city: {info['people']:,} people, {info['bytes'] / 2**30:.2f} GiB, built in {info['built_s']:.0f} s")
    if args.build_only:
        return 0
    return record(measure(default_url(), info))


if __name__ == "__main__":
    import sys
    sys.exit(main())
