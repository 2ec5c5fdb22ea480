"""Costs that must depend on the user's villages, not the district: person search as coordinator
(one village), township admin (its villages) and district admin, in every mode (a name's first
character, a full name, one pinyin initial, two or more initials, full pinyin, four ID digits), and
the village worklist page, on districts of 2,000, 40,000 and 400,000 people (villages of about
2,000 people each, bench/district.py), through the real pages, warm.

Keys: search_<role>_p95_ms_<size> and worklist_p95_ms_<size> for each size (2k, 40k, 400k), and
search_scope_p95_ms (the worst p95 of any role at 400k) and search_scope_cpu_growth (the worst
ratio of a role's CPU p95 at 400k to its CPU p95 at 2k); *_cpu_* beside each: CPU time.
SCOPE_SIZES=2000,40000 picks sizes.
"""
import os
import random
import statistics
import time

from bench.district import bench_app, build_district, sync_indexes

SHAPES = {2000: (1, 1), 40000: (2, 10), 400000: (10, 20)}   # people -> (townships, villages each)
LABEL = {2000: "2k", 40000: "40k", 400000: "400k"}
PASSWORD = "Bench2018x"
ROUNDS = int(os.environ.get("SCOPE_ROUNDS", 3))


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _ensure_users(app):
    """The district has dadmin and coord (first village); add a township admin of its township."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Area, User
    from webapp.services import accounts
    from webapp.services.actor import SYSTEM
    with app.app_context():
        if not db.session.scalar(select(User).where(User.username == "tadmin")):
            first = db.session.scalar(select(Area).where(Area.level == "village").order_by(Area.code))
            accounts.create_user(SYSTEM, username="tadmin", name="乡镇管理员", role="township_admin",
                                 area_codes=[first.parent.code], password=PASSWORD, is_demo=True)
        db.session.commit()


def _queries(app, village_code: str | None = None):
    """Queries drawn from the people of a village (the first one unless named), so every role's
    search finds someone."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Area, Person
    with app.app_context():
        first = db.session.scalar(select(Area.id).where(Area.code == village_code) if village_code else
                                  select(Area.id).where(Area.level == "village").order_by(Area.code))
        sample = db.session.execute(select(Person.name, Person.name_initials, Person.name_pinyin, Person.id_tail)
                                    .where(Person.village_id == first).order_by(Person.id).limit(12)).all()
        village_code = db.session.scalar(select(Area.code).where(Area.id == first))
    rng = random.Random(3)
    queries = []
    for name, initials, pinyin, tail in sample:
        queries += [name[0], name, initials[0], initials[:2], pinyin, tail]
    rng.shuffle(queries)
    return queries, village_code


def _time(client, url, params=None, n=1, cpu=time.process_time):
    """[(wall ms, CPU ms)] of n requests. The CPU time of this process (Flask, the template and
    SQLite all run in it) is what the page costs; the wall time adds whatever else the shared
    machine was doing, so before/after comparisons read the CPU figures. `cpu`: seconds of CPU
    so far (on PostgreSQL, bench/city.py adds its server processes')."""
    out = []
    for _ in range(n):
        t0, c0 = time.perf_counter(), cpu()
        resp = client.get(url, query_string=params)
        out.append(((time.perf_counter() - t0) * 1000, (cpu() - c0) * 1000))
        assert resp.status_code == 200, (url, params, resp.status_code)
    return out


def _figures(prefix: str, label: str, ms: list) -> dict:
    wall, cpu = [w for w, _ in ms], [c for _, c in ms]
    return {f"{prefix}_p95_ms_{label}": percentile(wall, 95), f"{prefix}_p50_ms_{label}": statistics.median(wall),
            f"{prefix}_cpu_p95_ms_{label}": percentile(cpu, 95),
            f"{prefix}_cpu_p50_ms_{label}": statistics.median(cpu)}


def measure(n_people: int) -> dict:
    townships, villages = SHAPES[n_people]
    path = build_district(n_people, townships=townships, villages_per_township=villages)
    app = bench_app(path)
    sync_indexes(app)
    _ensure_users(app)
    queries, village_code = _queries(app)
    label = LABEL[n_people]
    return search_figures(app, queries, label) | worklist_figures(app, village_code, label)


ROLE_USERS = (("coordinator", "coord"), ("township", "tadmin"), ("district", "dadmin"))


def _login(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def search_figures(app, queries, label: str, cpu=time.process_time) -> dict:
    """search_<role>_{p95,p50,cpu_p95,cpu_p50}_ms_<label> for each of ROLE_USERS, warm."""
    figures = {}
    for role, username in ROLE_USERS:
        client = _login(app, username)
        for q in queries[:5]:
            _time(client, "/search", {"q": q})      # warm the caches
        ms = [t for _ in range(ROUNDS) for q in queries for t in _time(client, "/search", {"q": q}, cpu=cpu)]
        figures.update(_figures(f"search_{role}", label, ms))
    return figures


def worklist_figures(app, village_code: str, label: str, cpu=time.process_time) -> dict:
    """worklist_{p95,...}_ms_<label>: the coordinator's village pages 1, 2, 10, 30, unpaid and all."""
    client = _login(app, "coord")
    _time(client, f"/villages/{village_code}", n=2)
    ms = []
    for page in (1, 2, 10, 30):
        for status in ("unpaid", "all"):
            ms += _time(client, f"/villages/{village_code}", {"status": status, "page": page}, n=ROUNDS, cpu=cpu)
    return _figures("worklist", label, ms)


def run() -> dict:
    sizes = [int(s) for s in os.environ.get("SCOPE_SIZES", "2000,40000,400000").split(",")]
    figures = {}
    for n in sizes:
        f = measure(n)
        figures.update(f)
        print(f"   {n:>7,} people: " + ", ".join(f"{k.rsplit('_', 1)[0]} {v:.1f}" for k, v in f.items()
                                                  if "cpu_p95" in k or "cpu_p50" in k), flush=True)
    if 2000 in sizes and 400000 in sizes:
        roles = ("coordinator", "township", "district")
        figures["search_scope_p95_ms"] = max(figures[f"search_{r}_p95_ms_400k"] for r in roles)
        figures["search_scope_cpu_growth"] = max(
            figures[f"search_{r}_cpu_p95_ms_400k"] / figures[f"search_{r}_cpu_p95_ms_2k"] for r in roles)
    return figures
