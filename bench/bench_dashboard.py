"""Dashboards that cost the same in a small district and a large one (issue 17 part 1): the
district admin's dashboard (/progress/: every township and village, ranking, three charts) and
home (/admin/), and the city admin's page (/progress/city), read from the progress counters, on
districts of 2,000, 40,000 and 400,000 people (villages of ~2,000, ~60 % of households paid
over 20 days, 1 % of receipts voided: bench/district.py district_with_payments), warm.

Keys, for each size (2k, 40k, 400k):
- dashboard_p95_ms_<size>, admin_home_p95_ms_<size>, city_dashboard_p95_ms_<size>: the pages
  (p50 and CPU p95 beside each);
- dashboard_recount_p95_ms_<size>, admin_home_recount_p95_ms_<size>: the same figures counted
  from people and payments (`recount=True`, the computation the pages used before the counters),
  service only, no page around it.
DASHBOARD_SIZES=2000,40000 picks sizes; DASHBOARD_ROUNDS (default 15) requests per figure.
"""
import os
import time

from bench.bench_scope import LABEL, PASSWORD, SHAPES, _figures, _time
from bench.district import bench_app, district_with_payments

ROUNDS = int(os.environ.get("DASHBOARD_ROUNDS", 15))


def _ensure_city_admin(app):
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import User
    from webapp.services import accounts
    from webapp.services.actor import SYSTEM
    with app.app_context():
        if not db.session.scalar(select(User).where(User.username == "cadmin")):
            accounts.create_user(SYSTEM, username="cadmin", name="市管理员", role="city_admin",
                                 area_codes=["4104"], password=PASSWORD, is_demo=True)
        db.session.commit()


def _service_ms(app, call, n) -> list:
    """[(wall ms, CPU ms)] of n calls of call(actor) for the district admin."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import User
    from webapp.services.actor import Actor
    out = []
    with app.app_context():
        admin = Actor(db.session.scalar(select(User).where(User.username == "dadmin")), "bench")
        call(admin)   # warm
        for _ in range(n):
            t0, c0 = time.perf_counter(), time.process_time()
            call(admin)
            out.append(((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000))
            db.session.rollback()
    return out


def measure(n_people: int) -> dict:
    from webapp.services import progress

    townships, villages = SHAPES[n_people]
    app = bench_app(district_with_payments(n_people, townships, villages))
    _ensure_city_admin(app)
    label = LABEL[n_people]
    figures = {}
    district = app.test_client()
    assert district.post("/login", data={"username": "dadmin", "password": PASSWORD}).status_code == 302
    city = app.test_client()
    assert city.post("/login", data={"username": "cadmin", "password": PASSWORD}).status_code == 302
    for key, client, url in (("dashboard", district, "/progress/"), ("admin_home", district, "/admin/"),
                             ("city_dashboard", city, "/progress/city")):
        _time(client, url, n=2)
        figures.update(_figures(key, label, _time(client, url, n=ROUNDS)))
    rounds = max(3, ROUNDS // 3)   # the recount is slow at 400k
    figures.update(_figures("dashboard_recount", label,
                            _service_ms(app, lambda a: progress.progress_report(a, recount=True), rounds)))
    figures.update(_figures("admin_home_recount", label,
                            _service_ms(app, lambda a: progress.home_summary(a, recount=True), rounds)))
    return figures


def run() -> dict:
    sizes = [int(s) for s in os.environ.get("DASHBOARD_SIZES", "2000,40000,400000").split(",")]
    figures = {}
    for n in sizes:
        f = measure(n)
        figures.update(f)
        print(f"   {n:>7,} people: " + ", ".join(f"{k.rsplit('_', 1)[0]} {v:.1f}" for k, v in f.items()
                                                  if "_p95_" in k and "cpu" not in k), flush=True)
    return figures
