"""Run every benchmark in bench/ and print their figures (`make bench`).

A benchmark is a module of bench/ whose name does not start with an underscore (those are
helpers and diagnostics); each is run with its defaults in a process of its own and prints
its own table. A benchmark that writes its result as JSON to the path in the environment
variable BENCH_RESULT_JSON (with a `headline` of its key figures and `target_met`) has its
headline repeated in the summary printed at the end.

    .venv/bin/python bench/run_all.py [--only deadline_surge] [--strict]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = Path(tempfile.gettempdir()) / "portal-bench"


def benchmarks() -> list[Path]:
    return sorted(
        path
        for path in BENCH.glob("*.py")
        if not path.name.startswith("_") and path.name != Path(__file__).name
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="Run every benchmark in bench/.")
    parser.add_argument("--only", action="append", default=[], help="a benchmark's name")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a benchmark misses its target"
    )
    args = parser.parse_args()
    chosen = [p for p in benchmarks() if not args.only or p.stem in args.only]
    if not chosen:
        print(f"no benchmark matches {args.only}; there are {[p.stem for p in benchmarks()]}")
        return 2
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    outcomes = []
    for path in chosen:
        result_file = RESULTS / f"{path.stem}-{stamp}.json"
        print(f"\n=== {path.stem} ===", flush=True)
        began = time.monotonic()
        env = {**os.environ, "BENCH_RESULT_JSON": str(result_file)}
        code = subprocess.call([sys.executable, str(path)], env=env)
        elapsed = time.monotonic() - began
        headline, met = {}, None
        if result_file.exists():
            result = json.loads(result_file.read_text())
            headline, met = result.get("headline", {}), result.get("target_met")
        outcomes.append((path.stem, code, elapsed, headline, met, result_file))

    print("\n=== summary ===")
    failed = False
    for name, code, elapsed, headline, met, result_file in outcomes:
        status = "error" if code else {True: "target met", False: "target missed"}.get(met, "-")
        failed |= bool(code) or (args.strict and met is False)
        figures = ", ".join(f"{k} {v}" for k, v in headline.items() if k != "target_met")
        print(f"{name:<24} {status:<14} {elapsed:6.0f} s  {figures}")
        if result_file.exists():
            print(f"{'':<24} {result_file}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
