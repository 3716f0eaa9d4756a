"""Benchmark: alert latency — from a trade-log commit to the alert being visible — under a
steady stream of events, and the catch-up time for a backlog left by a worker outage.
Target: p99 under 2 s at 200 events/s.

    .venv/bin/python bench/alert_latency.py                      # short: 20 s, 10,000 backlog
    .venv/bin/python bench/alert_latency.py --seconds 60 --backlog 100000   # the full run

It creates its own database (`portal_bench_alerts`, dropped at the end unless --keep),
migrates it, starts a real Celery worker (solo pool) on a queue of its own, then:

1. Stream: `--producers` processes append `--rate` entries per second in all, each entry in
   its own transaction, so
   each commit kicks the evaluation exactly as trading's services do; one in ten is an
   anomaly the `process.step_outside_state` rule alerts on. A watcher in each producer polls
   the alerts table every 20 ms; latency = first seen − commit returned. The target counts
   as met only if the producers actually reached 90 % of the rate.
2. Outage: the worker is stopped, `--backlog` entries are committed (their kicks wait in
   Redis), then the beat's sweep runs — the same `evaluate_pending()` the worker's task runs —
   and the time to bring the cursor to the head is measured.
Environment: DATABASE_URL/REDIS_URL as for the tests (see bench/_harness.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid

from _harness import PYTHON, REDIS_URL, REPO, Sandbox

PRODUCER = REPO / "bench" / "_alert_producer.py"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def _json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def start_worker(sandbox: Sandbox, queue: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            queue,
            "-P",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        env=sandbox.env(SUPERVISION_TASK_QUEUE=queue),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="length of the stream")
    parser.add_argument("--rate", type=float, default=200, help="events per second")
    parser.add_argument("--backlog", type=int, default=10_000, help="entries left by an outage")
    parser.add_argument(
        "--producers", type=int, default=4, help="processes committing the stream in parallel"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    sandbox = Sandbox("alerts")
    queue = f"supervision-bench-{uuid.uuid4().hex[:8]}"
    sandbox.create()
    worker = None
    try:
        sandbox.manage("migrate", "--noinput")
        env = {"SUPERVISION_TASK_QUEUE": queue}
        worker = start_worker(sandbox, queue)
        time.sleep(3)  # the worker connects
        sandbox.extra_env.update(env)
        sandbox.script(PRODUCER, "stream", "2", str(args.rate))  # warm-up
        stream = _stream(sandbox, args.seconds, args.rate, args.producers)
        lat = stream["latencies"]
        stop(worker)
        worker = None
        appended = _backlog(sandbox, args.backlog, args.producers)
        before = _json(sandbox.script(PRODUCER, "cursor"))
        drained = _json(sandbox.script(PRODUCER, "drain", timeout=7200))
        after = _json(sandbox.script(PRODUCER, "cursor"))
    finally:
        if worker is not None:
            stop(worker)
        _drop_queue(queue)
        if not args.keep:
            sandbox.drop()

    p50, p99 = percentile(lat, 50), percentile(lat, 99)
    rows = [
        ("stream: events committed", f"{stream['entries']} at {stream['achieved_rate']:.0f}/s"),
        (
            "stream: alerts expected / seen",
            f"{stream['alerts_expected']} / {stream['alerts_seen']}",
        ),
        ("commit → alert visible p50", f"{p50 * 1000:.0f} ms"),
        ("commit → alert visible p99", f"{p99 * 1000:.0f} ms"),
        ("commit → alert visible max", f"{max(lat) * 1000:.0f} ms" if lat else "—"),
        ("outage: backlog committed", f"{appended['entries']} in {appended['seconds']:.1f} s"),
        ("outage: cursor behind head", f"{before['head'] - before['cursor']} entries"),
        (
            "outage: catch-up",
            f"{drained['seconds']:.1f} s ({drained['entries'] / max(drained['seconds'], 1e-9):.0f}"
            " entries/s)",
        ),
        (
            "outage: alerts expected / raised",
            f"{appended['alerts_expected']} / {drained['alerts']}",
        ),
        ("after catch-up: cursor = head", str(after["cursor"] == after["head"])),
    ]
    print("alert latency benchmark (" + " ".join(sys.argv[1:]) + ")")
    for label, value in rows:
        print(f"  {label:<34} {value}")
    target_met = (
        bool(lat)
        and p99 < 2.0
        and stream["alerts_seen"] == stream["alerts_expected"]
        and stream["achieved_rate"] >= 0.9 * args.rate
    )
    print(f"  target p99 < 2 s: {'met' if target_met else 'NOT met'}")
    if os.environ.get("BENCH_RESULT_JSON"):
        with open(os.environ["BENCH_RESULT_JSON"], "w") as handle:
            json.dump(
                {
                    "headline": f"alert p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms at "
                    f"{stream['achieved_rate']:.0f}/s; backlog {drained['entries']} in "
                    f"{drained['seconds']:.1f} s",
                    "target_met": target_met,
                },
                handle,
            )
    return 0


def _stream(sandbox: Sandbox, seconds: float, rate: float, producers: int) -> dict:
    """`producers` processes, each committing rate/producers entries per second."""
    processes = [
        subprocess.Popen(
            [
                PYTHON,
                str(PRODUCER),
                "stream",
                str(seconds),
                str(rate / producers),
                str(n * 10_000_000 + 100_000_000),
            ],
            env=sandbox.env(),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for n in range(producers)
    ]
    results = [_json(p.communicate(timeout=seconds + 300)[0]) for p in processes]
    return {
        "entries": sum(r["entries"] for r in results),
        "achieved_rate": sum(r["achieved_rate"] for r in results),
        "alerts_expected": sum(r["alerts_expected"] for r in results),
        "alerts_seen": sum(r["alerts_seen"] for r in results),
        "latencies": sorted(x for r in results for x in r["latencies"]),
    }


def _backlog(sandbox: Sandbox, total: int, producers: int) -> dict:
    """The outage's backlog, committed by `producers` processes in parallel."""
    start = time.time()
    processes = [
        subprocess.Popen(
            [PYTHON, str(PRODUCER), "backlog", str(total // producers), str(n * 1_000_000)],
            env=sandbox.env(),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for n in range(producers)
    ]
    results = [_json(p.communicate(timeout=7200)[0]) for p in processes]
    return {
        "entries": sum(r["entries"] for r in results),
        "alerts_expected": sum(r["alerts_expected"] for r in results),
        "seconds": time.time() - start,
    }


def _drop_queue(queue: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete(queue)


if __name__ == "__main__":
    sys.exit(main())
