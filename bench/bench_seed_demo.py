"""`seed-demo` (run by `make run`/`make test` set-up on an empty database): two campaigns since
issue 12 (last year's closed one with payments, hand-overs and rosters, this year's collecting
one). Wall time and this process's CPU time (the CPU figure is what a busy shared machine does
not inflate), and `--if-empty` on the filled database (what every later `make` pays)."""
import tempfile
import time
from pathlib import Path


def run() -> dict:
    from bench.district import bench_app
    from webapp.extensions import db
    from webapp.services import demo

    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(Path(tmp) / "demo.db", INSTANCE_PATH=tmp)
        with app.app_context():
            db.create_all()
            wall, cpu = time.perf_counter(), time.process_time()
            demo.seed_demo()
            figures = {"seed_demo_s": time.perf_counter() - wall, "seed_demo_cpu_s": time.process_time() - cpu}
            wall = time.perf_counter()
            assert not demo.database_is_empty()
            figures["seed_demo_if_empty_ms"] = (time.perf_counter() - wall) * 1000
            db.session.remove()
            db.engine.dispose()
    return figures
