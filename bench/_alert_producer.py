"""The Django side of bench/alert_latency.py (run in the sandbox's environment).

    stream SECONDS RATE  — append RATE entries/s for SECONDS, one transaction each (so each
                           commit kicks the evaluation), and watch for their alerts; prints
                           JSON with the commit → alert-visible latency of every entry.
    backlog N           — append N entries as fast as one connection can, print JSON.
    drain               — the beat's sweep run in this process until the cursor reaches the
                          head; prints JSON with the time it took.
    cursor              — print the cursor and the head.

One entry in ten is an anomaly (a lot moved from a state its event does not allow), which the
`process.step_outside_state` rule turns into an alert; the others are ordinary entries naming a
lot, which the evaluation re-examines (the lot does not exist here, so that costs one query).
"""

import json
import sys
import threading
import time

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from portal.tradelog.models import TradeLogEntry  # noqa: E402
from portal.tradelog.services import append_entry  # noqa: E402
from supervision.models import Alert, EvaluationCursor  # noqa: E402
from supervision.services.evaluation import evaluate_pending  # noqa: E402


def _append(i: int):
    anomaly = i % 10 == 0
    with transaction.atomic():
        return append_entry(
            action="lot.award" if anomaly else "bid.submitted",
            object_type="trading.lot",
            object_id=1_000_000 + i,
            payload={"project": None, "lot": 1_000_000 + i, "from": "opened", "to": "awarded"}
            if anomaly
            else {"project": None, "lot": 1_000_000 + i, "bidder": "X"},
        ).seq


def stream(seconds: float, rate: float, offset: int = 0) -> dict:
    committed: dict[int, float] = {}
    seen: dict[int, float] = {}
    stop = threading.Event()

    def watch():
        last = 0
        while not stop.is_set() or any(s not in seen for s in list(committed)):
            rows = list(
                Alert.objects.filter(id__gt=last, rule_code="process.step_outside_state")
                .order_by("id")
                .values_list("id", "trade_log_seq")
            )
            now = time.time()
            for alert_id, seq in rows:
                seen.setdefault(seq, now)
                last = alert_id
            if stop.is_set() and time.time() > stop_at[0] + 30:
                break
            time.sleep(0.02)
        connection.close()

    stop_at = [0.0]
    watcher = threading.Thread(target=watch)
    watcher.start()
    start = time.time()
    i = 0
    while time.time() - start < seconds:
        due = start + i / rate
        delay = due - time.time()
        if delay > 0:
            time.sleep(delay)
        seq = _append(offset + i)
        if (offset + i) % 10 == 0:
            committed[seq] = time.time()
        i += 1
    elapsed = time.time() - start
    stop_at[0] = time.time()
    stop.set()
    watcher.join()
    latencies = sorted(seen[s] - committed[s] for s in committed if s in seen)
    return {
        "entries": i,
        "achieved_rate": i / elapsed,
        "alerts_expected": len(committed),
        "alerts_seen": len(latencies),
        "latencies": latencies,
    }


def backlog(n: int, offset: int = 0) -> dict:
    start = time.time()
    anomalies = 0
    for i in range(n):
        _append(10_000_000 + offset + i)
        anomalies += (10_000_000 + offset + i) % 10 == 0
    return {"entries": n, "alerts_expected": anomalies, "seconds": time.time() - start}


def drain() -> dict:
    start = time.time()
    result = evaluate_pending()
    return {"entries": result.entries, "alerts": result.alerts, "seconds": time.time() - start}


def cursor() -> dict:
    head = TradeLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    row = EvaluationCursor.objects.filter(id=1).first()
    return {"cursor": row.last_seq if row else 0, "head": head}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "stream":
        out = stream(float(args[0]), float(args[1]), int(args[2]) if len(args) > 2 else 0)
    elif command == "backlog":
        out = backlog(int(args[0]), int(args[1]) if len(args) > 1 else 0)
    elif command == "drain":
        out = drain()
    else:
        out = cursor()
    print(json.dumps(out))
