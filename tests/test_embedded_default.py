"""The embedded default still works: a newcomer's `make run` on SQLite with no other service.

Runs the same steps as `make run` in subprocesses — migrate, load the demo data twice
(idempotent), serve — and makes real HTTP requests to the running server.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def embedded_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        PORTAL_ENV="development",
        DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    return env


def _manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def test_migrate_demo_twice_and_serve_on_sqlite(embedded_env):
    _manage(embedded_env, "migrate", "--noinput")
    first = _manage(embedded_env, "load_demo")
    second = _manage(embedded_env, "load_demo")
    assert "demo_bidder" in first.stdout
    assert first.stdout == second.stdout  # idempotent: the same accounts, nothing duplicated

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=embedded_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                home = urllib.request.urlopen(f"{base}/", timeout=5)  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert home.status == 200
        body = home.read().decode()
        assert "公共资源交易" in body
        regions = urllib.request.urlopen(f"{base}/api/v1/regions/", timeout=5)  # noqa: S310
        assert b"350600" in regions.read()
    finally:
        server.terminate()
        server.wait(timeout=10)
