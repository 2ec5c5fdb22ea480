"""gunicorn settings for `make run` and production. Environment variables override."""
import multiprocessing
import os

# One process per core, each serving one request at a time (gunicorn's "sync" workers). A
# payment is about 4 ms of Python and a fraction of a millisecond of waiting on the disk, so a
# second process or thread per core only adds switching, and a thread waiting for the GIL keeps
# the SQLite write queue waiting behind it. Measured with `make bench` (bench/bench_load.py, 16
# clients, 2 cores): 2 sync processes 412-421 payments/s, p95 44 ms; 3 sync processes 299/s;
# 4 processes x 2 threads 262/s, p95 162 ms.
# Sync workers need a proxy that reads slow phones' requests in full before passing them on:
# nginx does (deploy/nginx.conf.example). With PostgreSQL on another machine, where each query
# waits on the network, threads keep the cores busy: try WEB_THREADS=4 (gthread workers).
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", 1))
worker_class = os.environ.get("WEB_WORKER_CLASS", "sync" if threads == 1 else "gthread")
# A sync worker busy longer than this is killed and restarted. The longest requests (a district's
# plan-list import, a big roster PDF or export) take seconds, not minutes.
timeout = 120
graceful_timeout = 30
keepalive = 5           # used by threaded workers only
accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Each worker sweeps unconfirmed import previews on a timer (webapp/housekeeping.py)."""
    from webapp.housekeeping import start_sweeper
    start_sweeper(worker.wsgi)
