"""A web worker warms itself when it starts (deploy/gunicorn.conf.py → portal.warmup): the
first bid at a live auction's opening must not pay for imports, and no request pays for a
full collection walking the start-up heap. Run in a fresh interpreter, with the database
and the broker pointed at closed ports, so the test also proves that warming touches
neither."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
import django
django.setup()
before = {name: name in sys.modules for name in ("auctions.api.views", "trading.views")}
from portal.celery import app
finalized_before = app.finalized
from portal.warmup import warm
warm()
after = {name: name in sys.modules for name in ("auctions.api.views", "trading.views")}
finalized = [finalized_before, app.finalized]
import gc
frozen = gc.get_freeze_count()
print(json.dumps({"before": before, "after": after, "finalized": finalized, "frozen": frozen}))
"""


def test_a_worker_imports_the_bid_path_and_registers_its_tasks_without_any_io():
    env = dict(os.environ)
    env.update(
        PORTAL_ENV="test",
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert not any(state["before"].values()), state  # Django's setup alone leaves them cold
    assert all(state["after"].values()), state
    assert state["finalized"] == [False, True]
    # The start-up heap is out of the collector's reach: a full collection no longer walks it.
    assert state["frozen"] > 50_000, state
