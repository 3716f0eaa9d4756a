"""Where a sealed bid's server time goes: a diagnostic for the deadline surge, not a benchmark
(run_all skips it). It submits bids one at a time through the portal's WSGI application,
in-process (exactly what a gunicorn worker calls), with a raw multipart body, and splits
each request's time into its stages by wrapping the functions that do the work.

    .venv/bin/python bench/_profile_bid.py [--bids 40] [--document-mb 1] [--conn-max-age 0]

It uses its own database (portal_bench_profile) and media directory, removed afterwards.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (
    BENCH,
    PYTHON,
    Sandbox,
    export_source,
    multipart,
    postmaster_pid,
    remove_source,
    run_checked,
    tree_cpu_seconds,
)

SEED = BENCH / "_surge_seed.py"


class Stages:
    """CPU (thread time) and wall time spent in each wrapped function, per name."""

    def __init__(self):
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, owner, attribute: str, name: str) -> None:
        original = getattr(owner, attribute)
        stages = self

        def wrapper(*args, **kwargs):
            cpu, wall = time.thread_time(), time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                stages.cpu[name] = stages.cpu.get(name, 0.0) + time.thread_time() - cpu
                stages.wall[name] = stages.wall.get(name, 0.0) + time.perf_counter() - wall
                stages.calls[name] = stages.calls.get(name, 0) + 1

        setattr(owner, attribute, wrapper)


def _start_response(status: list[str], line: str, headers, *exc_info) -> None:
    status.append(line)


def child(args) -> None:
    """In the sandbox's environment: Django set up, the stages wrapped, the bids sent."""
    import django

    django.setup()
    from django.core.files.storage import FileSystemStorage
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.http.multipartparser import MultiPartParser

    from portal import sealing
    from portal.wsgi import application
    from trading.services import bids, common

    stages = Stages()
    stages.wrap(MultiPartParser, "parse", "multipart parsing (upload read)")
    stages.wrap(sealing, "check_secret_strength", "secret strength check")
    stages.wrap(sealing, "pack_bid", "pack_bid (manifest, document digests)")
    stages.wrap(sealing, "receipt_digest", "receipt_digest")
    stages.wrap(sealing, "_derive_secret_kek", "scrypt key derivation")
    stages.wrap(sealing, "_gcm_encrypt", "AES-GCM encryption")
    stages.wrap(sealing.SealedEnvelope, "to_bytes", "envelope serialisation (CRC-32)")
    stages.wrap(sealing.SealedEnvelope, "ciphertext_digest", "envelope digest")
    stages.wrap(FileSystemStorage, "save", "envelope file write")
    stages.wrap(bids, "_record_bid", "_record_bid transaction (DB)")
    stages.wrap(common, "append_entry", "  of which trade-log append")
    stages.wrap(BaseDatabaseWrapper, "connect", "PostgreSQL connection setup")

    queries: list[float] = []

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(time.perf_counter() - began)

    seed = json.loads(Path(args.seed).read_text())
    path = f"/api/v1/projects/{seed['project']}/bids/"
    document_bytes = int(args.document_mb * 2**20)
    totals_cpu, totals_wall, per_bid_queries = [], [], []
    postmaster = postmaster_pid()
    postgres_cpu = 0.0
    for index, token in enumerate(seed["tokens"][: args.bids]):
        content_type, body = multipart(
            {
                "lot": str(seed["lot"]),
                "price": "4321000.00",
                "secret": f"profile-bidder-{index:04d}-passphrase",
                "security_form": "cash",
                "security_amount": seed["security"],
            },
            [("documents", f"bid-{index}.pdf", os.urandom(document_bytes))],
        )
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Token {token}",
            "HTTP_ACCEPT": "application/json",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status: list[str] = []
        before = len(queries)
        with connection.execute_wrapper(timed):
            cpu, wall = time.thread_time(), time.perf_counter()
            response = application(environ, functools.partial(_start_response, status))
            b"".join(response)
            response.close()  # request_finished: closes the connection when CONN_MAX_AGE=0
            totals_cpu.append(time.thread_time() - cpu)
            totals_wall.append(time.perf_counter() - wall)
        per_bid_queries.append(len(queries) - before)
        if not status or not status[0].startswith("201"):
            sys.exit(f"bid {index} refused: {status} {b''.join(response)[:300]!r}")
        if index == 0:
            # the first request pays for imports and caches: count from the second on
            stages.cpu.clear(), stages.wall.clear(), stages.calls.clear()
            totals_cpu.clear(), totals_wall.clear(), per_bid_queries.clear(), queries.clear()
            postgres_cpu = tree_cpu_seconds(postmaster) if postmaster else 0.0
    if postmaster:
        postgres_cpu = tree_cpu_seconds(postmaster) - postgres_cpu
    n = len(totals_cpu)
    report = {
        "bids": n,
        "document_mb": args.document_mb,
        "conn_max_age": connection.settings_dict["CONN_MAX_AGE"],
        "per_bid_ms": {
            "request_cpu": round(1000 * sum(totals_cpu) / n, 1),
            "request_wall": round(1000 * sum(totals_wall) / n, 1),
            "queries": round(sum(per_bid_queries) / n, 1),
            "query_wall": round(1000 * sum(queries) / n, 1),
            # every database on the server: other work on this machine shows up here
            "postgres_cpu": round(1000 * postgres_cpu / n, 1),
        },
        "stages_ms_per_bid": {
            name: {
                "cpu": round(1000 * stages.cpu[name] / n, 2),
                "wall": round(1000 * stages.wall[name] / n, 2),
            }
            for name in stages.cpu
        },
    }
    print(json.dumps(report))


def main() -> None:
    parser = argparse.ArgumentParser(description="Where a sealed bid's server time goes.")
    parser.add_argument("--bids", type=int, default=40)
    parser.add_argument("--document-mb", type=float, default=1)
    parser.add_argument("--conn-max-age", type=int, default=0)
    parser.add_argument("--source", default=".", help='"." the working tree, or a git ref')
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    source, source_info = export_source(args.source)
    sandbox = Sandbox("profile", extra_env={"CONN_MAX_AGE": str(args.conn_max_age)}, source=source)
    try:
        sandbox.create()
        sandbox.manage("migrate", "--noinput")
        seed_file = sandbox.media_root / "seed.json"
        sandbox.script(SEED, "seed", "--bidders", str(args.bids + 1), "--out", str(seed_file))
        seed = json.loads(seed_file.read_text())
        deadline = datetime.now(UTC) + timedelta(hours=1)
        sandbox.script(
            SEED, "announce", "--project", str(seed["project"]), "--deadline", deadline.isoformat()
        )
        out = run_checked(
            [
                PYTHON,
                __file__,
                "--child",
                "--seed",
                str(seed_file),
                "--bids",
                str(args.bids + 1),
                "--document-mb",
                str(args.document_mb),
            ],
            sandbox.env(),
            timeout=600,
            cwd=sandbox.source,  # importing Celery puts the working directory first on sys.path
        )
        report = json.loads(out.strip().splitlines()[-1])
    finally:
        sandbox.drop()
        remove_source(source)
    per = report["per_bid_ms"]
    print(f"code: {source_info['source']} {source_info.get('commit', '')}")
    print(
        f"{report['bids']} bids × {report['document_mb']} MB, one at a time, in-process, "
        f"CONN_MAX_AGE {report['conn_max_age']}"
    )
    print(
        f"per bid: {per['request_cpu']} ms CPU, {per['request_wall']} ms wall, "
        f"{per['queries']} queries taking {per['query_wall']} ms wall; PostgreSQL "
        f"{per['postgres_cpu']} ms CPU"
    )
    print(f"{'stage':<42} {'CPU ms':>8} {'wall ms':>8}")
    for name, value in report["stages_ms_per_bid"].items():
        print(f"{name:<42} {value['cpu']:>8} {value['wall']:>8}")


if __name__ == "__main__":
    main()
