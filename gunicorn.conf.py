"""gunicorn settings for `make run` and production. Environment variables override."""
import multiprocessing
import os

# Threads serve the many slow phones; processes use the cores.
workers = int(os.environ.get("WEB_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", 4))
timeout = 60            # a roster PDF for a big village can take a few seconds
graceful_timeout = 30
keepalive = 5
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
