"""CPU per request of the live auction's endpoints, in-process: a diagnostic for A/B runs of
two versions of the code on one machine state, not a benchmark (run_all skips it).

    .venv/bin/python bench/_profile_auction_request.py [--source .|<commit>] [--requests 300]
        [--database portal_bench_auction_profile] [--profile cumulative]

Requests go through the portal's WSGI application (the middleware and DRF included, no
HTTP server): a too-low bid at the last accepted price ("refused"), a state read ("state"),
an accepted bid ("accepted": no Celery worker runs, so after the first its supervision kick
finds one pending and is not sent, `supervision.kicks`), the same with the kick sent
("accepted_kick_sent": the pending marker cleared first, as an idle worker would), each
with a bidder's API token. For each: CPU per request
(`time.process_time`), wall time, and Python function calls per request (cProfile), a
figure the machine's load does not move. 50 bidders seeded by `_auction_seed.py` in a
database of its own (dropped afterwards).

The child runs in the source's own directory: Celery's Django fixup puts the working
directory first on `sys.path`, so a child started elsewhere imports that checkout's apps.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import BENCH, Sandbox, export_source, remove_source

SEED = BENCH / "_auction_seed.py"


def child(args) -> None:
    import django

    django.setup()
    from portal.wsgi import application

    seed = json.loads(Path(args.seed).read_text())
    listing, tokens = seed["listing"], seed["tokens"]
    increment = float(seed["increment"])

    def call(method: str, path: str, token: str, body: bytes = b"") -> tuple[int, bytes]:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Token {token}",
            "HTTP_ACCEPT": "application/json",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status: list[str] = []
        response = application(environ, lambda line, headers, *exc: status.append(line))
        content = b"".join(response)
        response.close()
        return int(status[0][:3]), content

    def state(i: int = 0) -> dict:
        code, body = call("GET", f"/api/v1/auctions/{listing}/state/", tokens[i % len(tokens)])
        assert code == 200, body
        return json.loads(body)

    def bid(i: int, amount: float) -> tuple[int, bytes]:
        body = json.dumps({"amount": f"{amount:.2f}"}).encode()
        return call("POST", f"/api/v1/auctions/{listing}/bids/", tokens[i % len(tokens)], body)

    if args.first:
        first_bid(args, bid, listing)
        return
    last = [float(state()["minimum_next_bid"]) - increment]

    def accepted(i: int) -> None:
        last[0] += increment
        code, body = bid(i, last[0])
        assert code == 201, body

    def refused(i: int) -> None:
        code, body = bid(i, last[0])
        assert code == 409, body

    try:
        from supervision.kicks import clear_pending_kick
    except ImportError:  # before the kicks were coalesced: every commit sent one
        clear_pending_kick = None

    def accepted_kick_sent(i: int) -> None:
        """An accepted bid whose supervision kick is sent (no kick pending: the marker is
        cleared first, one Redis DEL included in the figure), as with an idle worker."""
        if clear_pending_kick is not None:
            clear_pending_kick()
        accepted(i)

    report = {}
    kinds = (
        ("accepted", accepted),
        ("accepted_kick_sent", accepted_kick_sent),
        ("refused", refused),
        ("state", state),
    )
    for name, request in kinds:
        for i in range(10):  # warm: imports, caches, compiled queries
            request(i)
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(args.requests):
            request(i)
        n = args.requests
        profile = cProfile.Profile()
        profile.enable()
        for i in range(100):
            request(i)
        profile.disable()
        stats = pstats.Stats(profile)
        report[name] = {
            "cpu_ms": round(1000 * (time.process_time() - cpu) / n, 2),
            "wall_ms": round(1000 * (time.perf_counter() - wall) / n, 2),
            "function_calls": round(stats.total_calls / 100),
        }
        if args.profile:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(args.profile).print_stats(40)
            print(out.getvalue())
    print(json.dumps(report))


def first_bid(args, bid, listing: int) -> None:
    """A worker's first bid, as at an auction's opening: the worker warmed as gunicorn's
    hook does (portal/warmup.py), no connection open yet (a new PostgreSQL backend, a new
    Redis connection), then a second bid for comparison; cProfile of the first."""
    from django.db import connections

    from auctions.models import Listing
    from portal.warmup import warm

    warm()
    start = float(Listing.objects.values_list("starting_price", flat=True).get(pk=listing))
    connections.close_all()  # a fresh backend for the first bid, as after CONN_MAX_AGE
    profile = cProfile.Profile()
    timings = {}
    for name, amount, profiled in (("first", start, True), ("second", None, False)):
        if amount is None:
            amount = float(Listing.objects.values_list("current_price", flat=True).get(pk=listing))
            amount += 2 * float(Listing.objects.values_list("increment", flat=True).get(pk=listing))
        cpu, wall = time.process_time(), time.perf_counter()
        if profiled:
            profile.enable()
        code, body = bid(1, amount)
        if profiled:
            profile.disable()
        assert code == 201, body
        timings[name] = {
            "cpu_ms": round(1000 * (time.process_time() - cpu), 2),
            "wall_ms": round(1000 * (time.perf_counter() - wall), 2),
        }
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats(args.profile or "cumulative").print_stats(45)
    print(out.getvalue())
    print(json.dumps({"first_bid": timings}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=".")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database", default="portal_bench_auction_profile")
    parser.add_argument("--profile", default="", help="print a cProfile sorted by this")
    parser.add_argument(
        "--first", action="store_true", help="a fresh worker's first bid instead (cProfile)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    source, info = export_source(args.source)
    sandbox = Sandbox("auction_profile", database=args.database, source=source)
    sandbox.extra_env["CONN_MAX_AGE"] = "60"
    try:
        sandbox.create()
        sandbox.manage("migrate", "--noinput")
        seed_file = Path(sandbox.media_root) / "seed.json"
        sandbox.script(
            SEED, "seed", "--bidders", "50", "--starts-in", "3", "--lasts", "3600",
            "--out", str(seed_file),
        )  # fmt: skip
        time.sleep(4)  # the auction starts
        out = sandbox.script(
            Path(__file__).resolve(), "--child", "--seed", str(seed_file),
            "--requests", str(args.requests), "--profile", args.profile,
            *(["--first"] if args.first else []),
        )  # fmt: skip
        *profiles, last = out.splitlines()
        print("\n".join(profiles))
        print(json.dumps({"source": info["source"], **json.loads(last)}))
    finally:
        sandbox.drop()
        remove_source(source)


if __name__ == "__main__":
    main()
