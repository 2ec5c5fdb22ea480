"""Roster PDFs for the notice board, and progress figures over a whole district.

- roster_pdf_2000_s: a published 2,000-row roster to PDF (A4) through the real path (snapshot rows
  from the database, pages, chunks rendered in parallel processes, merged, written to the cache),
  the cache emptied before each run; median of RUNS runs in a process that has rendered before.
- roster_pdf_2000_first_s: the same, the first time in a fresh process (it starts the forkserver).
- roster_pdf_2000_cpu_s: the CPU seconds of that render's work (all chunks in one process): the
  figure that does not grow when other programs share the machine.
- roster_pdf_2000_a3_s: the same rows on A3.
- roster_pdf_naive_2000_s: the same rows as one long <table> in one WeasyPrint render, as one
  would write it first.
- roster_pdf_cached_ms: the unchanged roster downloaded again through its page (login, scope
  check, file from the cache), median of 30.
- progress_dashboard_400k_ms: the district admin's dashboard (/progress/, every township and
  village, ranking, three charts) over 400,000 people with ~60 % of households paid, median of 10;
  progress_service_400k_ms the figures alone; progress_coordinator_home_400k_ms a coordinator's
  home with their own progress; progress_admin_home_400k_ms the district admin's home (today's
  and the campaign's amounts, 14-day chart).
"""
import random
import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

N_ROWS = 2000
RUNS = 3
VILLAGE = "410411200001"


def _fill_village(world, n: int):
    """n paying people in village V1 (households of 4), inserted in bulk, then their payments."""
    from sqlalchemy import insert, select

    from webapp.extensions import db
    from webapp.idvault import idvault
    from webapp.models import Area, Household, Payment, Person, Receipt
    from webapp.rules.masking import mask_id_number
    from webapp.rules.pinyin import name_initials, name_pinyin
    from webapp.services.demo import GIVEN, SURNAMES, make_id_number
    from webapp.timeutil import local_day_start_utc, today_local

    rng = random.Random(2000)
    village = db.session.scalar(select(Area).where(Area.code == VILLAGE))
    coord = world.user("coord1")
    conn = db.session.connection()
    people, used = [], set()
    for i in range(n):
        hh = i // 4 + 1
        if i % 4 == 0:
            conn.execute(insert(Household), [{"id": hh, "village_id": village.id, "number": f"{hh:05d}",
                                              "address": f"{hh}号"}])
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        birth = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
        number = make_id_number(rng, birth, rng.random() < 0.5)
        while number in used:
            number = make_id_number(rng, birth, rng.random() < 0.5)
        used.add(number)
        people.append({"id": i + 1, "village_id": village.id, "household_id": hh, "is_head": i % 4 == 0,
                       "relation": "户主" if i % 4 == 0 else "子女", "name": name, "name_initials": name_initials(name),
                       "name_pinyin": name_pinyin(name), "id_hash": idvault.lookup_hash(number),
                       "id_cipher": idvault.encrypt(number), "id_masked": mask_id_number(number),
                       "id_tail": number[-4:], "birth_date": birth, "sex": "M", "address": f"{hh}号",
                       "phone": "13800138000"})
    conn.execute(insert(Person), people)
    receipts, lines = [], []
    for hh in range(1, n // 4 + 1):
        members = people[(hh - 1) * 4: hh * 4]
        at = local_day_start_utc(today_local() - timedelta(days=rng.randrange(0, 10))) + timedelta(hours=10)
        total = 0
        for p in members:
            kinds = [("medical", 25000, None)] + ([("pension", 20000, 20000)] if rng.random() < 0.7 else [])
            for kind, amount, tier in kinds:
                lines.append({"receipt_id": hh, "campaign_id": world.campaign.id, "person_id": p["id"], "kind": kind,
                              "tier_fen": tier, "amount_fen": amount, "gov_fen": 0, "self_fen": amount,
                              "person_name": p["name"], "id_masked": p["id_masked"], "created_at": at, "taken_at": at})
                total += amount
        receipts.append({"id": hh, "number": f"{world.campaign.year}-200001-{hh:05d}", "campaign_id": world.campaign.id,
                         "village_id": village.id, "household_id": hh, "issued_by_id": coord.id,
                         "payer_name": members[0]["name"], "total_fen": total, "created_at": at, "taken_at": at})
    conn.execute(insert(Receipt), receipts)
    conn.execute(insert(Payment), lines)
    db.session.commit()


def _naive_html(rows, data) -> str:
    """One long table, the way one would write it first (WeasyPrint repeats the thead itself)."""
    from html import escape
    body = "".join(
        f"<tr><td>{r['seq']}</td><td>{escape(r['name'])}</td><td>{r['id_masked']}</td>"
        f"<td>{(r['pension_fen'] or 0) / 100:.2f}</td><td>{(r['medical_fen'] or 0) / 100:.2f}</td>"
        f"<td>{r['total_fen'] / 100:.2f}</td><td>{r['paid_on']}</td></tr>" for r in rows)
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 12mm; @bottom-center {{ content: "第 " counter(page) " 页 共 " counter(pages) " 页"; }} }}
html {{ font-family: "Noto Sans CJK SC"; font-size: 10pt; }}
table {{ width: 100%; border-collapse: collapse; }} th, td {{ border: 0.3mm solid #000; padding: 0 1.5mm; }}
</style></head><body><h1>{escape(data['title'])}</h1><p>代征单位：{escape(data['unit_name'])}</p>
<table><thead><tr><th>序号</th><th>姓名</th><th>身份证号</th><th>养老保险</th><th>医疗保险</th><th>合计</th>
<th>缴费日期</th></tr></thead><tbody>{body}</tbody></table></body></html>"""


def _roster_figures() -> dict:
    from sqlalchemy import select

    from tests.conftest import make_test_config
    from tests.factories import World
    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import RosterVersion
    from webapp.printing import roster as roster_print
    from webapp.services import roster, roster_pdf
    from webapp.services.site import Site
    from webapp.timeutil import today_local

    tmp = Path(tempfile.mkdtemp(prefix="bench-roster-"))
    app = create_app(make_test_config(f"sqlite:///{tmp / 'bench.db'}", tmp))
    try:
        with app.app_context():
            db.create_all()
            world = World()
            _fill_village(world, N_ROWS)
            version = roster.publish_roster(world.actor("dadmin"), VILLAGE, posting_start=today_local(),
                                            posting_end=today_local() + timedelta(days=6), office_phone="0375-2612345")
            assert version.row_count == N_ROWS
            year, cache = world.campaign.year, Path(app.instance_path) / "cache" / "rosters"
            admin, site = world.actor("dadmin"), Site.of(app)

            def render(paper="A4"):
                shutil.rmtree(cache, ignore_errors=True)
                t0 = time.perf_counter()
                path = roster_pdf.roster_pdf(admin, site, VILLAGE, year, 1, paper)
                return time.perf_counter() - t0, path

            first, path = render()
            runs = [render()[0] for _ in range(RUNS)]
            # The work itself, in CPU seconds, all chunks one after the other in this process: not
            # inflated by other programs on a shared machine (idle, 2 cores: wall ≈ half + ~0.3 s).
            version = db.session.scalar(select(RosterVersion))
            data = roster.roster_dict(version, roster.version_rows(version), site=site)
            parallel = roster_print._render_parallel
            roster_print._render_parallel = lambda htmls: [roster_print._render_chunk(h) for h in htmls]
            try:
                t0 = time.process_time()
                roster_print.render_pdf(data, "A4")
                cpu = time.process_time() - t0
            finally:
                roster_print._render_parallel = parallel
            a3, _ = render("A3")
            size_kb = render()[1].stat().st_size / 1024
            pages = len(roster_print.paginate(roster.version_rows(db.session.scalar(select(RosterVersion)))))

            from weasyprint import HTML

            from webapp.printing import engine as pdf
            rows = roster.version_rows(db.session.scalar(select(RosterVersion)))
            html = _naive_html(rows, roster.roster_dict(db.session.scalar(select(RosterVersion)), rows, site=site))
            pdf.require_engine()
            t0 = time.perf_counter()
            naive_doc = HTML(string=html, base_url=None).render()
            naive_doc.write_pdf()
            naive = time.perf_counter() - t0

        client = app.test_client()
        client.post("/login", data={"username": "dadmin", "password": World.PASSWORD})
        url = f"/rosters/{VILLAGE}/{year}/v1.pdf"
        assert client.get(url).status_code == 200
        cached = []
        for _ in range(30):
            t0 = time.perf_counter()
            resp = client.get(url)
            resp.get_data()
            cached.append((time.perf_counter() - t0) * 1000)
            assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    figures = {"roster_pdf_2000_s": statistics.median(runs), "roster_pdf_2000_first_s": first,
               "roster_pdf_2000_cpu_s": cpu,
               "roster_pdf_2000_a3_s": a3, "roster_pdf_naive_2000_s": naive,
               "roster_pdf_cached_ms": statistics.median(cached), "roster_pdf_2000_kb": size_kb}
    print(f"   {N_ROWS} rows, {pages} pages A4: {figures['roster_pdf_2000_s']:.2f} s (first {first:.2f} s, "
          f"{cpu:.2f} CPU-s of rendering, "
          f"A3 {a3:.2f} s, {size_kb:.0f} KB); one long table: {naive:.1f} s, {len(naive_doc.pages)} pages; "
          f"cached download {figures['roster_pdf_cached_ms']:.1f} ms")
    return figures


# --- progress over a district of 400,000 -------------------------------------------------------

def _progress_figures() -> dict:
    from bench.district import bench_app, district_with_payments

    app = bench_app(district_with_payments(400_000))
    with app.app_context():
        from sqlalchemy import select

        from webapp.extensions import db
        from webapp.models import User
        from webapp.services import progress
        from webapp.services.actor import Actor
        admin = Actor(db.session.scalar(select(User).where(User.username == "dadmin")), "bench")
        service = []
        for _ in range(5):
            t0 = time.perf_counter()
            report = progress.progress_report(admin)
            service.append((time.perf_counter() - t0) * 1000)
        expected = report.total.expected_pension + report.total.expected_medical
        covered = report.total.covered_pension + report.total.covered_medical
    page, home, admin_home = [], [], []
    client = app.test_client()
    client.post("/login", data={"username": "dadmin", "password": "Bench2018x"})
    coordinator = app.test_client()
    coordinator.post("/login", data={"username": "coord", "password": "Bench2018x"})
    for _ in range(10):
        t0 = time.perf_counter()
        assert client.get("/progress/").status_code == 200
        page.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        assert "my-progress" in coordinator.get("/").get_data(as_text=True)
        home.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        assert "home-progress" in client.get("/admin/").get_data(as_text=True)
        admin_home.append((time.perf_counter() - t0) * 1000)
    figures = {"progress_dashboard_400k_ms": statistics.median(page),
               "progress_service_400k_ms": statistics.median(service),
               "progress_coordinator_home_400k_ms": statistics.median(home),
               "progress_admin_home_400k_ms": statistics.median(admin_home)}
    print(f"   400,000 people, {covered:,} of {expected:,} expected lines paid: dashboard "
          f"{figures['progress_dashboard_400k_ms']:.0f} ms (figures {figures['progress_service_400k_ms']:.0f} ms), "
          f"coordinator home {figures['progress_coordinator_home_400k_ms']:.0f} ms, "
          f"district admin home {figures['progress_admin_home_400k_ms']:.0f} ms")
    return figures


def run() -> dict:
    return _roster_figures() | _progress_figures()


if __name__ == "__main__":
    print(run())
