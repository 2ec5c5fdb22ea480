"""payments_per_s, payments_p95_ms: 16 concurrent clients recording payments over HTTP
(POST /api/v1/payments, session cookie and CSRF token as a phone sends them) against gunicorn on
SQLite (WAL, synchronous=FULL). Afterwards every acknowledged payment is checked to be in the
database exactly once, and nothing else is. Beside it, sqlite_commits_per_s: the raw rate of
synced single-row commits on the same disk, measured in the same run — the ceiling any design
on one SQLite file must live under.

The clients run in their own process (threads there), so their Python does not share a GIL
with the server's workers; they do share the machine's two cores with them, as they would not
in the field, so the figure is conservative.
"""
import http.client
import json
import multiprocessing
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 16
PER_VILLAGE = 900
DURATION_S = float(os.environ.get("LOAD_SECONDS", 15))
WARMUP_S = 2.0
PASSWORD = "Bench2018x"


def sqlite_commits_per_s(folder: Path, n: int = 2000) -> float:
    """Single-row INSERT + COMMIT, WAL + synchronous=FULL, one connection."""
    con = sqlite3.connect(folder / "raw.db", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    t0 = time.perf_counter()
    for i in range(n):
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO t (v) VALUES (?)", (f"row {i}",))
        con.execute("COMMIT")
    rate = n / (time.perf_counter() - t0)
    con.close()
    return rate


def write_instance(folder: Path) -> Path:
    """folder/instance with the bench's ID and receipt keys, for a gunicorn on a bench database."""
    from bench.district import BENCH_KEYS, RECEIPT_KEYS
    instance = folder / "instance"
    instance.mkdir(parents=True)
    (instance / "id_key.json").write_text(json.dumps({k: v.hex() for k, v in BENCH_KEYS.items()}))
    (instance / "receipt_keys.json").write_text(json.dumps({k: v.hex() for k, v in RECEIPT_KEYS.items()}))
    (instance / "secret_key").write_text("bench-load")
    return instance


def build(folder: Path, database_url: str | None = None) -> dict:
    """A district with one village per client, PER_VILLAGE people each, a coordinator per village;
    in folder/load.db, or in `database_url` (bench_nodes.py: a PostgreSQL schema)."""
    sys.path.insert(0, str(ROOT))
    from bench.district import bench_app
    instance = write_instance(folder)
    db_path = folder / "load.db"
    extra = {"SQLALCHEMY_DATABASE_URI": database_url} if database_url else {}
    app = bench_app(db_path, INSTANCE_PATH=str(instance), **extra)
    people = {}
    with app.app_context():
        import random
        from datetime import date, timedelta

        from sqlalchemy import insert, select

        from webapp.extensions import db
        from webapp.idvault import idvault
        from webapp.models import Area, Household, Person
        from webapp.rules.masking import mask_id_number
        from webapp.services import accounts, areas, campaigns
        from webapp.services.actor import SYSTEM
        from webapp.services.demo import campaign_input_open_today, make_id_number
        from webapp.timeutil import today_local

        db.create_all()
        areas.create_area(SYSTEM, parent_code=None, code="410411", name="湛河区")
        areas.create_area(SYSTEM, parent_code="410411", code="410411200", name="曹镇乡", kind="township")
        campaigns.create_campaign(SYSTEM, campaign_input_open_today(today_local()))
        rng = random.Random(16)
        used = set()
        hh_id = 0
        for c in range(CLIENTS):
            code = f"410411200{c + 1:03d}"
            areas.create_area(SYSTEM, parent_code="410411200", code=code, name=f"{c + 1}村",
                              kind="village", point_kind="village_committee")
            accounts.create_user(SYSTEM, username=f"load{c:02d}", name=f"协管{c}", role="coordinator",
                                 area_codes=[code], password=PASSWORD, is_demo=True)
            vid = db.session.scalar(select(Area.id).where(Area.code == code))
            rows = []
            for i in range(PER_VILLAGE):
                hh_id += 1
                db.session.execute(insert(Household), [{"id": hh_id, "village_id": vid, "address": "x"}])
                birth = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
                number = make_id_number(rng, birth, i % 2 == 0)
                while number in used:
                    number = make_id_number(rng, birth, i % 2 == 0)
                used.add(number)
                rows.append({"village_id": vid, "household_id": hh_id, "is_head": True, "relation": "户主",
                             "name": f"居民{i}", "name_initials": "jm", "name_pinyin": "jumin",
                             "id_hash": idvault.lookup_hash(number), "id_cipher": idvault.encrypt(number),
                             "id_masked": mask_id_number(number), "id_tail": number[-4:], "birth_date": birth,
                             "sex": "M", "address": "x", "phone": "13800138000"})
            db.session.execute(insert(Person), rows)
            db.session.commit()
            people[f"load{c:02d}"] = list(db.session.scalars(
                select(Person.id).where(Person.village_id == vid).order_by(Person.id)))
        db.engine.dispose()
    return {"db": db_path, "instance": instance, "people": people}


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One phone: a keep-alive connection, its session cookie and CSRF token."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        self.token = ""

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read()
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie" and v.startswith("session="):
                self.cookie = v.split(";", 1)[0]
        return resp.status, data

    def login(self, username):
        status, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
        form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token})
        status, _ = self.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, status
        status, me = self.request("GET", "/api/v1/me")
        self.token = json.loads(me)["csrf_token"]


def client_process(port: int, username: str, person_ids: list, start_at: float, stop_at: float, out):
    """Runs in the client process: pay for one person after another until stop_at."""
    client = Client(port)
    client.login(username)
    while time.time() < start_at:
        time.sleep(0.001)
    results = []
    for pid in person_ids:
        if time.time() >= stop_at:
            break
        cid = str(uuid.uuid4())
        body = json.dumps({"client_id": cid, "method": "cash", "lines": [{"person_id": pid, "kind": "medical"}]})
        t0 = time.perf_counter()
        try:
            status, data = client.request("POST", "/api/v1/payments", body,
                                          {"Content-Type": "application/json", "X-CSRFToken": client.token})
        except OSError as e:
            status, data = 0, str(e).encode()
        elapsed = time.perf_counter() - t0
        number = json.loads(data).get("receipt_number") if status == 201 else None
        results.append((time.time(), elapsed, status, cid, number))
    out.put((username, results))


def run_clients(port: int, people: dict) -> list:
    start_at = time.time() + 1.0
    stop_at = start_at + WARMUP_S + DURATION_S
    queue = multiprocessing.get_context("spawn").Queue()
    # One process for all 16 clients (threads), apart from the server's processes.
    proc = multiprocessing.get_context("spawn").Process(
        target=_client_threads, args=(port, people, start_at, stop_at, queue))
    proc.start()
    results = [queue.get(timeout=DURATION_S + 120) for _ in range(len(people) + 1)]
    proc.join(30)
    client_cpu = next(r for u, r in results if u == "__client_cpu_s__")
    return [r for r in results if r[0] != "__client_cpu_s__"], start_at, client_cpu


def _client_threads(port, people, start_at, stop_at, queue):
    import resource
    threads = [threading.Thread(target=client_process, args=(port, u, ids, start_at, stop_at, queue))
               for u, ids in people.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    queue.put(("__client_cpu_s__", usage.ru_utime + usage.ru_stime))


def _server_cpu(master_pid: int) -> float:
    """CPU seconds used so far by gunicorn's master and workers (utime + stime from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in [master_pid] + [int(p) for p in Path(f"/proc/{master_pid}/task/{master_pid}/children")
                                .read_text().split()]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (FileNotFoundError, IndexError):
            pass
    return total


@contextmanager
def gunicorn(folder: Path, database_url: str, instance: Path):
    """A gunicorn of the app (gunicorn.conf.py) on a free port, up and answering /healthz:
    yields (port, master pid); stopped afterwards. Its log: folder/gunicorn.log."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, INSTANCE_PATH=str(instance),
               PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", ACCESS_LOG="")
    log = (folder / "gunicorn.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                               "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield port, server.pid
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summarise(results: list, start_at: float) -> dict:
    """The clients' results as rows, the measured ones after the warm-up (ok: 201), errors,
    latencies (ms), the rate (per_s) and {client_id: receipt number} of every acknowledged one."""
    rows = [r for _, rs in results for r in rs]
    measured = [r for r in rows if r[0] >= start_at + WARMUP_S]
    ok = [r for r in measured if r[2] == 201]
    span = max(r[0] for r in measured) - min(r[0] - r[1] for r in measured) if measured else float("inf")
    return {"rows": rows, "ok": ok, "errors": [r for r in rows if r[2] != 201], "per_s": len(ok) / span,
            "latencies": [r[1] * 1000 for r in ok], "acknowledged": {r[3]: r[4] for r in rows if r[2] == 201}}


def run() -> dict:
    folder = Path(tempfile.mkdtemp(prefix="lx-load-"))
    commits = sqlite_commits_per_s(folder)
    print(f"   raw SQLite synced commits: {commits:.0f}/s", flush=True)
    setup = build(folder)
    with gunicorn(folder, f"sqlite:///{setup['db']}", setup["instance"]) as (port, pid):
        cpu_before = _server_cpu(pid)
        results, start_at, client_cpu = run_clients(port, setup["people"])
        server_cpu = _server_cpu(pid) - cpu_before
    stream = summarise(results, start_at)
    rows, ok, errors, latencies, acknowledged = (stream[k] for k in ("rows", "ok", "errors", "latencies",
                                                                     "acknowledged"))

    con = sqlite3.connect(setup["db"])
    stored = dict(con.execute("SELECT client_id, number FROM receipts WHERE client_id IS NOT NULL"))
    doubled = con.execute("SELECT count(*) FROM (SELECT person_id FROM payments WHERE void_id IS NULL "
                          "GROUP BY person_id, kind HAVING count(*) > 1)").fetchone()[0]
    con.close()
    lost = [cid for cid, number in acknowledged.items() if stored.get(cid) != number]
    unacknowledged_stored = set(stored) - set(acknowledged)
    figures = {
        "payments_per_s": stream["per_s"],
        "payments_p50_ms": statistics.median(latencies),
        "payments_p95_ms": percentile(latencies, 95),
        "payments_errors": len(errors),
        "payments_lost": len(lost),
        "payments_doubled": doubled,
        "sqlite_commits_per_s": commits,
    }
    print(f"   {len(rows)} payments by {CLIENTS} clients, {len(ok)} in the {DURATION_S:.0f} s measured: "
          f"{figures['payments_per_s']:.0f}/s, p50 {figures['payments_p50_ms']:.1f} ms, "
          f"p95 {figures['payments_p95_ms']:.1f} ms; errors {len(errors)}, lost {len(lost)}, "
          f"doubled {doubled}, stored but never acknowledged {len(unacknowledged_stored)}", flush=True)
    print(f"   CPU per payment: server {server_cpu / len(rows) * 1000:.1f} ms, "
          f"clients {client_cpu / len(rows) * 1000:.1f} ms (2 cores: {2000 / (server_cpu / len(rows) * 1000):.0f}/s "
          "would saturate them with the server alone)", flush=True)
    figures["payments_server_cpu_ms"] = server_cpu / len(rows) * 1000
    if errors:
        print("   first errors:", [(r[2], r[4]) for r in errors[:3]])
    return figures


if __name__ == "__main__":
    print(run())
