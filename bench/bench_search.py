"""search_p95_ms: a district admin's person search (name, pinyin initials, full pinyin, ID digits)
over a district of 400,000 people, answered through the real page (/search?q=...), warm."""
import random
import statistics
import time

from bench.district import bench_app, build_district

N_PEOPLE = 400_000


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run() -> dict:
    path = build_district(N_PEOPLE)
    app = bench_app(path)
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Person, User
    from webapp.services.actor import Actor
    from webapp.services.search import search_people

    with app.app_context():
        sample = db.session.execute(select(Person.name, Person.name_initials, Person.name_pinyin, Person.id_tail)
                                    .where(Person.id % 997 == 0).limit(400)).all()
        admin = db.session.scalar(select(User).where(User.username == "dadmin"))
        rng = random.Random(1)
        queries = []
        for name, initials, pinyin, tail in sample:
            queries += [name, name[0], initials, pinyin[:5], tail]
        rng.shuffle(queries)
        queries = queries[:500]

        actor = Actor(admin, "bench")
        service_ms = []
        for q in queries:
            t0 = time.perf_counter()
            search_people(actor, q)
            service_ms.append((time.perf_counter() - t0) * 1000)

    client = app.test_client()
    client.post("/login", data={"username": "dadmin", "password": "Bench2018x"})
    page_ms, hits = [], 0
    for q in queries:
        t0 = time.perf_counter()
        resp = client.get("/search", query_string={"q": q})
        page_ms.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200
        hits += "找到 0 人" not in resp.get_data(as_text=True)
    figures = {
        "search_p50_ms": statistics.median(page_ms),
        "search_p95_ms": percentile(page_ms, 95),
        "search_service_p95_ms": percentile(service_ms, 95),
        "search_district_people": N_PEOPLE,
    }
    print(f"   {len(queries)} queries, {hits} with results; page p50 {figures['search_p50_ms']:.1f} ms, "
          f"p95 {figures['search_p95_ms']:.1f} ms; service p95 {figures['search_service_p95_ms']:.1f} ms")
    return figures
