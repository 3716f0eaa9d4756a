"""DATABASE_POOL (portal/settings.py): the ASGI live service runs each request's sync part in
a thread of its own, so Django's persistent connections do not apply there; with the pool,
the threads take turns on at most N PostgreSQL connections instead of each forking a
backend (200 stream openings at an auction's opening were 200 backends). Run in a fresh
interpreter, since the settings are read once."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, threading
import django
django.setup()
from django.db import connection, connections

pids = []
lock = threading.Lock()

def opening():
    # What a stream opening does under ASGI: its queries in a thread of its own, then every
    # connection closed (StateStreamApi.dispatch).
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with lock:
        pids.append(pid)
    connections.close_all()

for _round in range(5):
    threads = [threading.Thread(target=opening) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
print(json.dumps({"openings": len(pids), "backends": len(set(pids))}))
"""


def run_probe(**extra):
    server = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/x")
    env = dict(os.environ)
    env.update(
        PORTAL_ENV="test",
        DJANGO_SETTINGS_MODULE="portal.settings",
        # Any database of the test server: the probe reads nothing of the portal's.
        DATABASE_URL=urlunsplit(server._replace(path="/postgres")),
        **extra,
    )
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the pool is PostgreSQL's (psycopg)",
)


def test_with_the_pool_forty_openings_in_threads_share_at_most_its_connections():
    done = run_probe(DATABASE_POOL="3", CONN_MAX_AGE="0")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["openings"] == 40
    assert 1 <= result["backends"] <= 3, result


def test_without_the_pool_each_opening_is_a_backend_of_its_own():
    """What the pool is for: the same openings without it fork a backend each."""
    done = run_probe(CONN_MAX_AGE="0")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["backends"] > 3, result


def test_the_pool_with_persistent_connections_is_refused_with_the_rule_named():
    done = run_probe(DATABASE_POOL="3", CONN_MAX_AGE="60")
    assert done.returncode != 0
    assert "DATABASE_POOL needs CONN_MAX_AGE=0" in done.stderr
