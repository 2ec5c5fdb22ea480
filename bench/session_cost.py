"""What the server-side session check costs a payment: POST /api/v1/payments in a loop through
Flask's test client (one process, SQLite, no HTTP), mean and median per request.

Not part of `make bench`; run before/after a change to the login path:
    python -m bench.session_cost            # N=400 by default (PAYMENTS=...)
SESSION_TOUCH_INTERVAL=0 shows what writing last_seen on every request would cost instead.
"""
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    sys.path.insert(0, str(ROOT))
    from tests.conftest import FreshContextClient, make_test_config
    from tests.factories import World
    from webapp import create_app
    from webapp.extensions import db

    n = int(os.environ.get("PAYMENTS", 400))
    extra = {}
    if "SESSION_TOUCH_INTERVAL" in os.environ:
        extra["SESSION_TOUCH_INTERVAL"] = timedelta(seconds=float(os.environ["SESSION_TOUCH_INTERVAL"]))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        app = create_app(make_test_config(f"sqlite:///{tmp / 'bench.db'}", tmp, **extra))
        app.test_client_class = FreshContextClient
        with app.app_context():
            db.create_all()
            world = World()
            people = [world.person().id for _ in range(n + 20)]
            db.session.commit()
            client = app.test_client()
            assert client.post("/login", data={"username": "coord1", "password": World.PASSWORD}).status_code == 302
            from sqlalchemy import event
            statements = []
            event.listen(db.engine, "before_cursor_execute",
                         lambda _c, _cur, sql, *_a: statements.append(sql.split(None, 1)[0].upper()))
            times, cpu = [], []
            for i, pid in enumerate(people):
                body = {"client_id": str(uuid.uuid4()), "lines": [{"person_id": pid, "kind": "medical"}]}
                if i == 20:  # after warm-up
                    statements.clear()
                t0, c0 = time.perf_counter(), time.process_time()
                resp = client.post("/api/v1/payments", json=body)
                if i >= 20:
                    times.append((time.perf_counter() - t0) * 1000)
                    cpu.append((time.process_time() - c0) * 1000)
                assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
            db.session.remove()
            db.engine.dispose()
    per = len(times)
    writes = sum(1 for s in statements if s in ("INSERT", "UPDATE", "DELETE"))
    print(f"payments={per} median_ms={statistics.median(times):.2f} mean_ms={statistics.mean(times):.2f} "
          f"cpu_median_ms={statistics.median(cpu):.2f} statements_per_payment={len(statements) / per:.2f} "
          f"writes_per_payment={writes / per:.2f}")


if __name__ == "__main__":
    main()
