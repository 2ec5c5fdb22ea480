"""plan_import_100k_s: a 100,000-row plan list (.xlsx), checked and imported into a fresh SQLite
database, timed from the uploaded bytes to the commit; plan_import_100k_cpu_s: the same in CPU
time (the machine is shared; this one is not inflated by other programs); plan_import_100k_csv_s:
the same list as CSV.

Households of 1-5 people across 20 villages, every ID number valid (demo.make_id_number), names
and addresses synthetic; the database starts with the areas and a campaign only."""
import io
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROWS = 100_000
VILLAGES = 20


def make_rows(n: int = ROWS, seed: int = 100, region: str = "410411"):
    """Plan rows for villages 410411200001-020; ID numbers of `region` (bench/city.py imports
    into a city holding 410411's people: its rows come from elsewhere, so none is already there)."""
    from webapp.services.demo import _name, make_id_number
    rng = random.Random(seed)
    used = set()
    rows = []
    hh = 0
    while len(rows) < n:
        hh += 1
        village = f"410411200{(hh % VILLAGES) + 1:03d}"
        address = f"第{hh % 40 + 1}组{rng.randrange(1, 300)}号"
        for k in range(rng.choice((1, 2, 3, 3, 4, 5))):
            if len(rows) >= n:
                break
            birth = date(1935, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
            number = make_id_number(rng, birth, rng.random() < 0.5, region)
            while number in used:
                number = make_id_number(rng, birth, rng.random() < 0.5, region)
            used.add(number)
            relation = "户主" if k == 0 else rng.choice(("配偶", "子女", "子女", "父母"))
            category = rng.choice(("", "", "", "", "", "", "低保", "在校学生", "农村居民"))
            phone = f"13{rng.randrange(0, 10)}{rng.randrange(10**7, 10**8)}" if rng.random() < 0.7 else ""
            rows.append([village, f"{hh:07d}", _name(rng), number, relation, address, phone, category, "否"])
    return rows


def make_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    from webapp.services.imports import PLAN_TEMPLATE_HEADERS
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("征缴计划清单")
    ws.append(["湛河区征缴计划清单"])
    ws.append(PLAN_TEMPLATE_HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def make_csv(rows) -> bytes:
    import csv

    from webapp.services.imports import PLAN_TEMPLATE_HEADERS
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(PLAN_TEMPLATE_HEADERS)
    w.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def fresh_app(tmp: Path):
    from webapp import create_app
    from webapp.extensions import db
    from webapp.services import areas, campaigns
    from webapp.services.actor import SYSTEM
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}", "INSTANCE_PATH": str(tmp),
                      "SECRET_KEY": "bench", "ID_KEYS": {"1": bytes(range(32))}, "RECEIPT_KEYS": {"1": bytes(32)},
                      "CHECK_PDF_ENGINE_AT_STARTUP": False, "TESTING": True})
    with app.app_context():
        db.create_all()
        areas.create_area(SYSTEM, parent_code=None, code="410411", name="湛河区", full_name="平顶山市湛河区")
        areas.create_area(SYSTEM, parent_code="410411", code="410411200", name="曹镇乡", kind="township")
        for i in range(1, VILLAGES + 1):
            areas.create_area(SYSTEM, parent_code="410411200", code=f"410411200{i:03d}", name=f"第{i}村",
                              kind="village", point_kind="village_committee")
        campaigns.create_campaign(SYSTEM, campaigns.default_input(2018))
    return app


def timed_import(filename: str, data: bytes) -> tuple[float, float]:
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import Person
    from webapp.services.actor import SYSTEM
    from webapp.services.imports import import_plan
    with tempfile.TemporaryDirectory() as tmp:
        app = fresh_app(Path(tmp))
        with app.app_context():
            t0, c0 = time.perf_counter(), time.process_time()
            job = import_plan(SYSTEM, filename, data)
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
            count = db.session.scalar(select(func.count(Person.id)))
            assert job.imported_count == ROWS == count, (job.imported_count, count)
            db.session.remove()
            db.engine.dispose()
    return elapsed, cpu


def run() -> dict:
    rows = make_rows()
    xlsx, csv_bytes = make_xlsx(rows), make_csv(rows)
    print(f"   generated {ROWS:,} rows: xlsx {len(xlsx) / 1e6:.1f} MB, csv {len(csv_bytes) / 1e6:.1f} MB", flush=True)
    xlsx_s, xlsx_cpu = timed_import("plan.xlsx", xlsx)
    print(f"   xlsx: {xlsx_s:.2f} s ({xlsx_cpu:.2f} s CPU)", flush=True)
    csv_s, csv_cpu = timed_import("plan.csv", csv_bytes)
    print(f"   csv:  {csv_s:.2f} s ({csv_cpu:.2f} s CPU)", flush=True)
    return {"plan_import_100k_s": xlsx_s, "plan_import_100k_cpu_s": xlsx_cpu, "plan_import_100k_csv_s": csv_s}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(run())
