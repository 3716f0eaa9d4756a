"""gunicorn's configuration for the portal's web tier (the image's command, and the
benchmarks, load it with `--config deploy/gunicorn.conf.py`; command-line options win).

- Workers: gunicorn's design guidance, (2 × cores) + 1, on the cores this process may run on
  (a container's CPU set, not the host's count); WEB_CONCURRENCY overrides it. With 2 cores:
  5 workers, so a worker waiting on PostgreSQL or Redis leaves a core to another.
- Sync workers behind nginx, which buffers the request and the response (gunicorn's
  deployment guide): a slow client never holds a worker. GUNICORN_WORKER_CLASS=gthread
  (with GUNICORN_THREADS) serves clients without a proxy with keep-alive.
- Every worker keeps one PostgreSQL connection per thread (CONN_MAX_AGE, portal/settings.py):
  workers × threads connections per web container, well under PostgreSQL's 100.

docs/PERFORMANCE.md (issue 8) has the measurements behind these choices.
"""

import os

cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (cores or 1) + 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
# Seconds an idle keep-alive connection is kept (gthread; a sync worker closes the connection
# after each response). Longer than nginx's upstream keepalive_timeout (4 s in
# deploy/nginx.conf.template), so nginx, not the worker, closes an idle connection and never
# sends a request on a connection the worker is closing.
keepalive = 5


def post_worker_init(worker):
    """Import now what the first requests would (portal/warmup.py): a live auction's opening
    burst must not find every worker cold."""
    from portal.warmup import warm

    warm()
