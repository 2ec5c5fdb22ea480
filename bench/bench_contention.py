"""Slow work never blocks the door (issue 13 part 6): payments' latency while a district admin
previews a 100,000-row plan list and while one exports a district's 附件2, against gunicorn on
SQLite (gunicorn.conf.py as in production: 2 sync workers on 2 cores).

A steady stream of payments (CLIENTS phones, each paying every INTERVAL_S, POST /api/v1/payments
as bench_load.py sends them) runs through three windows:
  payments_p95_quiet_ms          nothing else running;
  payments_p95_during_import_ms  while the preview of bench_import's 100,000-row .xlsx runs
                                 (POST /paperwork/imports/plan: read, check every row, store the job);
  payments_p95_during_confirm_ms while that list is confirmed (checked again, then 100,000 people
                                 inserted in one transaction: no budget, see docs/performance.md);
  payments_p95_during_export_ms  while 附件2 of the whole district is exported again and again
                                 (GET /paperwork/exports, EXPORT_PAYMENTS pension payments).
A payment counts for a window when it was in flight at any moment of it. The ratios
payments_p95_import_ratio / payments_p95_export_ratio (window p95 / quiet p95) have the budget 2.
The server shares the machine's two cores with the preview, the export and the clients, so part
of any slowdown is CPU, not locking; a payment stuck behind a held write lock shows up as seconds.
"""
import http.client
import json
import multiprocessing
import os
import re
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

from bench.bench_load import PASSWORD, Client, build, gunicorn, percentile

CLIENTS = 4
INTERVAL_S = 0.1          # each phone pays every 100 ms: 40 payments/s in all, a busy morning
QUIET_S = float(os.environ.get("CONTENTION_QUIET_S", 10))
EXPORT_S = float(os.environ.get("CONTENTION_EXPORT_S", 10))
EXPORT_PAYMENTS = 200     # pension payments per village seeded for the export (16 villages)
ADMIN = "dadmin"


def seed(setup: dict):
    """A district admin, villages 017-020 that bench_import's list also names, and pension payments
    for the export to read."""
    from bench.district import bench_app
    from webapp.extensions import db
    from webapp.models import User
    from webapp.services import accounts, areas
    from webapp.services.actor import SYSTEM, Actor
    from webapp.services.errors import ValidationFailed
    from webapp.services.payments import LineRequest, record_payment
    app = bench_app(setup["db"], INSTANCE_PATH=str(setup["instance"]))
    with app.app_context():
        accounts.create_user(SYSTEM, username=ADMIN, name="区管理员", role="district_admin",
                             area_codes=["410411"], password=PASSWORD, is_demo=True)
        for i in range(17, 21):
            areas.create_area(SYSTEM, parent_code="410411200", code=f"410411200{i:03d}", name=f"{i}村",
                              kind="village", point_kind="village_committee")
        for username, ids in setup["people"].items():
            actor = Actor(db.session.query(User).filter_by(username=username).one(), "127.0.0.1")
            for pid in ids[-EXPORT_PAYMENTS:]:
                try:
                    record_payment(actor, [LineRequest(pid, "pension")], client_id=str(uuid.uuid4()))
                except ValidationFailed:   # over 59: not in the pension scheme
                    pass
        db.session.remove()
        db.engine.dispose()


def _unregistered(setup: dict, rows: list) -> list:
    """bench_import's rows without the households of anyone bench_load already registered (the two
    generators share ID numbers now and then): the list must be one a clerk could confirm."""
    import sqlite3

    from bench.district import bench_app
    from webapp.idvault import idvault
    app = bench_app(setup["db"], INSTANCE_PATH=str(setup["instance"]))
    with app.app_context():
        hashes = {idvault.lookup_hash(r[3]): r[1] for r in rows}
    con = sqlite3.connect(setup["db"])
    taken = {hashes[h] for (h,) in con.execute("SELECT id_hash FROM people") if h in hashes}
    con.close()
    return [r for r in rows if r[1] not in taken]


def _paced_client(port, username, person_ids, start_at, stop, out):
    """One phone paying every INTERVAL_S (on a fixed schedule: a slow answer is not made up for by
    sending the next one sooner) until `stop` is set."""
    client = Client(port)
    client.conn.timeout = 120   # a payment stuck behind a held write lock is measured, not dropped
    client.login(username)
    results, due = [], start_at
    for pid in person_ids[:-EXPORT_PAYMENTS]:
        if stop.is_set():
            break
        time.sleep(max(0.0, due - time.time()))
        due = max(due + INTERVAL_S, time.time())
        body = json.dumps({"client_id": str(uuid.uuid4()), "method": "cash",
                           "lines": [{"person_id": pid, "kind": "medical"}]})
        began, t0 = time.time(), time.perf_counter()
        try:
            status, _ = client.request("POST", "/api/v1/payments", body,
                                       {"Content-Type": "application/json", "X-CSRFToken": client.token})
        except (OSError, http.client.HTTPException):
            status = 0
            client.conn.close()   # the next request opens a new connection
        results.append((began, time.perf_counter() - t0, status))
    out.put(results)


def _clients(port, people, start_at, stop, out):
    threads = [threading.Thread(target=_paced_client, args=(port, u, ids, start_at, stop, out))
               for u, ids in list(people.items())[:CLIENTS]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()


def _upload(admin: Client, filename: str, data: bytes) -> int:
    """The preview; returns the job's id."""
    status, page = admin.request("GET", "/paperwork/imports/plan")
    token = _csrf(page)
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in (("csrf_token", token), ("village", ""), ("progress_token", uuid.uuid4().hex)):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    admin.conn.request("POST", "/paperwork/imports/plan", body=b"".join(parts),
                       headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": admin.cookie})
    resp = admin.conn.getresponse()
    resp.read()
    assert resp.status == 302, f"the preview answered {resp.status}"
    return int(resp.getheader("Location").rstrip("/").rsplit("/", 1)[1])


def _confirm(admin: Client, job_id: int):
    status, page = admin.request("GET", f"/paperwork/imports/{job_id}")
    form = urllib.parse.urlencode({"csrf_token": _csrf(page), "progress_token": uuid.uuid4().hex})
    status, _ = admin.request("POST", f"/paperwork/imports/{job_id}/confirm", form,
                              {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302, f"the confirm answered {status}"


def _p95_in(results, start, end):
    """p95 (ms) of the payments in flight at some moment of [start, end]."""
    lat = [r[1] * 1000 for r in results if r[2] == 201 and r[0] <= end and r[0] + r[1] >= start]
    return percentile(lat, 95), len(lat)


def run() -> dict:
    from bench.bench_import import ROWS, make_rows, make_xlsx
    folder = Path(tempfile.mkdtemp(prefix="lx-contention-"))
    setup = build(folder)
    seed(setup)
    plan = make_xlsx(_unregistered(setup, make_rows(ROWS + 1000))[:ROWS])
    with gunicorn(folder, f"sqlite:///{setup['db']}", setup["instance"]) as (port, _pid):
        admin = Client(port)
        admin.conn.timeout = 600   # the preview answers only when it is done
        admin.login(ADMIN)
        ctx = multiprocessing.get_context("spawn")
        stop, out = ctx.Event(), ctx.Queue()
        start_at = time.time() + 2.0
        proc = ctx.Process(target=_clients, args=(port, setup["people"], start_at, stop, out))
        proc.start()
        time.sleep(max(0.0, start_at + 1.0 - time.time()))   # 1 s of warm-up
        windows = {"quiet": (time.time(), time.time() + QUIET_S)}
        time.sleep(QUIET_S + 1.0)
        t0 = time.time()
        job_id = _upload(admin, "plan.xlsx", plan)
        windows["import"] = (t0, time.time())
        time.sleep(1.0)
        t0 = time.time()
        _confirm(admin, job_id)
        windows["confirm"] = (t0, time.time())
        time.sleep(1.0)
        t0, exports = time.time(), 0
        while time.time() < t0 + EXPORT_S:
            status, data = admin.request("GET", "/paperwork/exports?kind=pension&area=410411&fmt=xlsx")
            assert status == 200 and data[:2] == b"PK", f"the export answered {status}"
            exports += 1
        windows["export"] = (t0, time.time())
        time.sleep(1.0)
        stop.set()
        results = [r for _ in range(CLIENTS) for r in out.get(timeout=120)]
        proc.join(30)
    figures, counts = {}, {}
    for name, (start, end) in windows.items():
        key = {"quiet": "payments_p95_quiet_ms", "import": "payments_p95_during_import_ms",
               "confirm": "payments_p95_during_confirm_ms", "export": "payments_p95_during_export_ms"}[name]
        figures[key], counts[name] = _p95_in(results, start, end)
    quiet = figures["payments_p95_quiet_ms"]
    figures["payments_p95_import_ratio"] = figures["payments_p95_during_import_ms"] / quiet
    figures["payments_p95_export_ratio"] = figures["payments_p95_during_export_ms"] / quiet
    for name in ("import", "confirm"):
        start, end = windows[name]
        figures[f"payments_max_during_{name}_ms"] = max(
            (r[1] * 1000 for r in results if r[0] <= end and r[0] + r[1] >= start), default=0)
    figures["contention_preview_s"] = windows["import"][1] - windows["import"][0]
    figures["contention_confirm_s"] = windows["confirm"][1] - windows["confirm"][0]
    errors = [r for r in results if r[2] != 201]
    figures["contention_payment_errors"] = len(errors)
    print(f"   {len(results)} payments ({CLIENTS} phones, one every {INTERVAL_S * 1000:.0f} ms each), "
          f"errors {len(errors)}", flush=True)
    print(f"   quiet: p95 {quiet:.1f} ms ({counts['quiet']} payments)", flush=True)
    print(f"   100,000-row preview ({figures['contention_preview_s']:.1f} s): "
          f"p95 {figures['payments_p95_during_import_ms']:.1f} ms, "
          f"max {figures['payments_max_during_import_ms']:.0f} ms "
          f"({counts['import']} payments)", flush=True)
    print(f"   its confirm ({figures['contention_confirm_s']:.1f} s): "
          f"p95 {figures['payments_p95_during_confirm_ms']:.1f} ms, "
          f"max {figures['payments_max_during_confirm_ms']:.0f} ms ({counts['confirm']} payments)", flush=True)
    print(f"   附件2 district export x{exports}: "
          f"p95 {figures['payments_p95_during_export_ms']:.1f} ms ({counts['export']} payments)", flush=True)
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(run())
