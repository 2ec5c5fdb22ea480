"""payments_per_s_2nodes (beside bench_load's one-node SQLite payments_per_s): the same 16 clients
and district as bench_load.py, through Debian's nginx in front of two app nodes (two gunicorn
masters, each its own instance/ folder, 2 sync workers each) on one PostgreSQL, throttling counts
in Redis. payments_per_s_pg_1node is the same nginx and database with one node, to tell what the
second node adds from what PostgreSQL costs. Every acknowledged payment is then checked to be in
the database exactly once.

PostgreSQL: BENCH_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/test, in a schema of its
own dropped afterwards. Redis: REDIS_URL, else redis://127.0.0.1:6379/0.

On this 2-core machine clients, nginx, PostgreSQL and both nodes share the same two cores, so the
second node cannot add throughput here; on separate machines it adds its cores. The figure shows
what the shared database and the proxy cost and that nothing is lost on the way.
"""
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.bench_load import CLIENTS, WARMUP_S, build, percentile, run_clients

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def _measure(folder: Path, setup: dict, database_url: str, n_nodes: int, prefix: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from tests.ops.live import Gunicorn, Nginx
    nodes = []
    for i in range(n_nodes):
        instance = folder / f"node{n_nodes}-{i}"
        shutil.copytree(setup["instance"], instance)   # the same keys and secret on every node
        (instance / "config.py").write_text(f"RATELIMIT_STORAGE_URI = {REDIS!r}\n"
                                            f"RATELIMIT_KEY_PREFIX = {prefix!r}\n")
        nodes.append(Gunicorn(database_url, instance, workers=2, threads=1,
                              extra_env={"PROXY_FIX": "1", "RATELIMIT_STORAGE_URI": "", "ACCESS_LOG": ""}))
    proxy = Nginx(folder / f"nginx{n_nodes}", [f"127.0.0.1:{n.port}" for n in nodes])
    try:
        for n in nodes:
            n.env["PUBLIC_BASE_URL"] = proxy.url
            n.launch()
        for n in nodes:
            n.wait_ready()
        proxy.start()
        results, start_at, _ = run_clients(proxy.port, setup["people"])
    finally:
        proxy.stop()
        for n in nodes:
            n.stop()
    rows = [r for _, rs in results for r in rs]
    measured = [r for r in rows if r[0] >= start_at + WARMUP_S]
    ok = [r for r in measured if r[2] == 201]
    span = max(r[0] for r in measured) - min(r[0] - r[1] for r in measured)
    latencies = [r[1] * 1000 for r in ok]
    acknowledged = {r[3]: r[4] for r in rows if r[2] == 201}
    engine = create_engine(database_url)
    with engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT client_id, number FROM receipts WHERE client_id IS NOT NULL")).all())
        doubled = conn.execute(text("SELECT count(*) FROM (SELECT person_id FROM payments WHERE void_id IS NULL "
                                    "GROUP BY person_id, kind HAVING count(*) > 1) d")).scalar()
    engine.dispose()
    lost = sum(1 for cid, number in acknowledged.items() if stored.get(cid) != number)
    return {"rate": len(ok) / span, "p50": statistics.median(latencies), "p95": percentile(latencies, 95),
            "errors": sum(1 for r in rows if r[2] != 201), "lost": lost, "doubled": doubled, "n": len(rows)}


def _schema(admin, name):
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in PG else "?"
    return f"{PG}{sep}options=-csearch_path%3D{name}"


def run() -> dict:
    if not shutil.which("nginx"):
        raise RuntimeError("nginx is not installed (make setup-test installs it)")
    folder = Path(tempfile.mkdtemp(prefix="lx-nodes-"))
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    schemas = [f"bench_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    figures = {}
    try:
        # Each measurement gets a district of its own (one schema each), built the same way.
        for n_nodes, schema in zip((1, 2), schemas, strict=True):
            url = _schema(admin, schema)
            t0 = time.perf_counter()
            setup = build(folder / f"district{n_nodes}", database_url=url)
            print(f"   district of {CLIENTS} villages in PostgreSQL built in {time.perf_counter() - t0:.0f} s",
                  flush=True)
            m = _measure(folder, setup, url, n_nodes, f"{prefix}{n_nodes}")
            key = "payments_per_s_2nodes" if n_nodes == 2 else "payments_per_s_pg_1node"
            figures[key] = m["rate"]
            figures[key.replace("per_s", "p95_ms")] = m["p95"]
            if n_nodes == 2:
                figures.update(payments_2nodes_lost=m["lost"], payments_2nodes_doubled=m["doubled"],
                               payments_2nodes_errors=m["errors"])
            print(f"   {n_nodes} node(s) behind nginx on PostgreSQL: {m['n']} payments, {m['rate']:.0f}/s, "
                  f"p50 {m['p50']:.1f} ms, p95 {m['p95']:.1f} ms; errors {m['errors']}, lost {m['lost']}, "
                  f"doubled {m['doubled']}", flush=True)
    finally:
        with admin.connect() as conn:
            for s in schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{s}" CASCADE'))
        admin.dispose()
        try:
            import redis
            r = redis.Redis.from_url(REDIS)
            for key in r.scan_iter(f"{prefix}*"):
                r.delete(key)
        except Exception:  # noqa: BLE001 - cleaning up counts of a finished bench
            pass
        shutil.rmtree(folder, ignore_errors=True)
    return figures


if __name__ == "__main__":
    print(run())
