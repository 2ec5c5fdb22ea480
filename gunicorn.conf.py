"""gunicorn settings for `make run` and production. Environment variables override."""
import multiprocessing
import os

# Processes use the cores; a second thread per process covers the moments one waits on the
# disk or the write queue. Measured with `make bench` (bench/bench_load.py) on 2 cores:
# 4 processes x 2 threads did the most payments per second; 2 x 4 about a third fewer (the GIL
# makes a thread holding the write lock wait behind its siblings' Python).
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
threads = int(os.environ.get("WEB_THREADS", 2))
timeout = 60            # a roster PDF for a big village can take a few seconds
graceful_timeout = 30
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
