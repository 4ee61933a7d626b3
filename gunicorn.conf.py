"""gunicorn settings for production: ``gunicorn wsgi:app``. Each can be overridden by env."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = 5000
max_requests_jitter = 500
# Import the app once, in the master: a worker (re)started is then a fork, not a new import of
# the whole app (about 2 s of CPU, taken from the requests of a busy two-core machine); the
# workers share the app's memory pages. No database connection crosses the fork
# (core.pool.forget_connections_after_fork).
preload_app = True
accesslog = None  # the app logs one structured line per request itself (app/logs.py)
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
