"""Benchmark: one expert draw from a pool of 100,000 experts, with avoidance against a
project's 50 bidders (their employees and the experts with declared relations to them), the
tenderee and the agent. Target: under 200 ms per draw.

    .venv/bin/python bench/expert_draw.py [--experts 100000] [--draws 200] [--keep]
        [--database portal_bench_experts] [--reuse] [--scenario N] [--profile FILE]

It creates its own database, `portal_bench_experts` by default (`--database` names another,
so two people benchmarking on one server never drop each other's), dropped first if it
exists and again at the end unless --keep or --reuse (`--reuse` keeps a database that a
previous --keep or --reuse run loaded with the same --experts, and only migrates it);
migrates it, loads a synthetic pool with COPY (the screening copy, `PoolEntry`, is filled by
its triggers as in production), vacuums and analyses it as autovacuum would, then times
`experts.services.draw_experts` — the whole draw as the API runs it: the provider call, the
screening of the sub-pool, the commitment and its trade-log
entry (first transaction), then the draw, the re-check of every invited expert and the
invitations (second transaction). Each draw is cancelled afterwards, outside the timing, so
every draw sees the same pool.

The pool: experts spread over nine cities, 1–3 specialties each among the 31 leaf
specialties of the seed; 90 % active, 5 % suspended, 3 % retired, 2 % blacklisted (with a
blacklist period); 1 % employed by one of the 50 bidders and 20 % with one or two declared
relations (5 % of them with a bidder); 3 % on leave over the evaluation; 3,000 already booked
by other draws at that time. Environment: ADMIN_DSN (default
postgresql://postgres@127.0.0.1:5432/postgres).

`--scenario N` (1–3, repeatable) runs only those scenarios; `--profile FILE` writes a cProfile
of the counted draws (the timings are then not comparable); `--queries` also reports the
database round trips of one draw, by statement; `--phases [FILE]` times each phase of every
counted draw (wall, CPU, database wait, collections: the provider call, the screening's
queries and pure filter, the digests, each COMMIT, the re-check, the invitations...) and
prints them for the middle of the draws beside the slowest 2 % (FILE: every draw's phases
as JSON lines). It wraps the draw's functions in this process only; the production code
carries no timing. The measuring process warms itself as a web worker does
(`portal.warmup.warm`, which also freezes the start-up heap out of the garbage collector's
reach); `--cold` leaves that out.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv").exists() else sys.executable
DATABASE = "portal_bench_experts"
ADMIN_DSN = os.environ.get("ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
COMMAND = "  .venv/bin/python bench/expert_draw.py " + os.environ.get(
    "EXPERT_BENCH_ARGS", " ".join(sys.argv[1:])
)


def database_url(database: str) -> str:
    return f"{ADMIN_DSN.rsplit('/', 1)[0]}/{database}"


def bench_env(database: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PORTAL_ENV="test",
        DEBUG="false",
        DATABASE_URL=database_url(database),
        PYTHONPATH=str(REPO),
        DJANGO_SETTINGS_MODULE="portal.settings",
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)  # notifications run in-process (eager), never on a shared queue
    env["EXPERT_BENCH_ARGS"] = " ".join(a for a in sys.argv[1:] if a != "--child")
    return env


def admin(statement: str, params=()) -> list[tuple]:
    import psycopg2

    connection = psycopg2.connect(ADMIN_DSN)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


# --- The orchestrating process (no Django) ------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database", default=DATABASE, help="the benchmark's own database")
    parser.add_argument(
        "--reuse", action="store_true", help="use the pool a --keep run left (implies --keep)"
    )
    parser.add_argument(
        "--scenario", type=int, action="append", choices=[1, 2, 3], help="only these scenarios"
    )
    parser.add_argument("--profile", help="write a cProfile of the counted draws to this file")
    parser.add_argument("--queries", action="store_true", help="list one draw's statements")
    parser.add_argument(
        "--cold", action="store_true", help="skip the web worker's warm-up (portal.warmup)"
    )
    parser.add_argument(
        "--phases",
        nargs="?",
        const="-",
        metavar="FILE",
        help="time each phase of every counted draw; FILE: also write each draw's as JSON lines",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.database.startswith("portal_bench"):
        parser.error("the benchmark's database is named portal_bench…")
    if args.child:
        return child(args)
    exists = admin("SELECT 1 FROM pg_database WHERE datname = %s", (args.database,))
    if not (args.reuse and exists):
        admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        admin(f'CREATE DATABASE "{args.database}"')
    try:
        started = time.monotonic()
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=REPO,
            env=bench_env(args.database),
            check=True,
        )
        print(f"migrated in {time.monotonic() - started:.1f} s", flush=True)
        result = subprocess.run(
            [PYTHON, __file__, "--child", *sys.argv[1:]],
            cwd=REPO,
            env=bench_env(args.database),
            check=False,
        )
        return result.returncode
    finally:
        if not (args.keep or args.reuse):
            admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


# --- The measuring process (Django, the benchmark's database) ------------------------------


def child(args) -> int:
    import django

    django.setup()
    from django.conf import settings

    from portal.celery import app as celery_app

    # As in production, the invitations' notifications are queued (here on Celery's in-memory
    # broker), not sent inside the request: the draw is measured, not an SMTP server.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://"
    # The draw runs in a web worker, which warms itself when it starts (deploy/gunicorn.conf.py
    # → portal.warmup: the imports of the first requests, then the start-up heap frozen out
    # of the garbage collector's full collections). `--cold` measures without it.
    if not args.cold:
        from portal.warmup import warm

        warm()
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.db import connection
    from django.utils import timezone

    from experts import providers, services
    from experts.models import ExpertDraw, Specialty

    assert connection.settings_dict["NAME"] == args.database, "refusing to run outside the bench DB"
    rng = random.Random(20260302)
    shanghai = ZoneInfo("Asia/Shanghai")
    start = timezone.localtime().replace(tzinfo=shanghai).replace(
        hour=9, minute=0, second=0, microsecond=0
    ) + timedelta(days=3)
    window = (start, start + timedelta(hours=8))

    loaded = time.monotonic()
    world = existing_pool(args.experts)
    if world is None:
        world = load_pool(rng, args.experts, window)
    window = world["window"]
    print(
        f"{'loaded' if world['loaded'] else 'reused'} {args.experts:,} experts, "
        f"{world['specialties']:,} specialty rows, "
        f"{world['relations']:,} relations, {world['booked']:,} bookings "
        f"in {time.monotonic() - loaded:.1f} s",
        flush=True,
    )
    parties = providers.ProjectParties(
        project_id=1,
        title="基准测试项目",
        category="engineering",
        centre_id=world["centre"].pk,
        region_id=world["city"].pk,
        tenderee_uscc=world["tenderee"].uscc,
        agent_uscc=world["agent"].uscc,
        bidder_usccs=frozenset(e.uscc for e in world["bidders"]),
        lot_ids=frozenset({1}),
    )
    providers.register_project_parties(lambda project_id: parties)
    leaves = list(Specialty.objects.filter(level=3).values_list("code", flat=True))
    assert "A0201" in leaves and "C0104" in leaves

    scenarios = [
        (
            "engineering committee: A0201 x5 + C0104 x2, 2 reserves each, whole pool",
            [services.SpecialtyCount("A0201", 5), services.SpecialtyCount("C0104", 2)],
            "any",
        ),
        (
            "same, local experts only (one city of nine)",
            [services.SpecialtyCount("A0201", 5), services.SpecialtyCount("C0104", 2)],
            "local",
        ),
        (
            "a second-level specialty: A02 x7 (four leaves), whole pool",
            [services.SpecialtyCount("A02", 7)],
            "any",
        ),
    ]
    if args.scenario:
        scenarios = [scenarios[n - 1] for n in sorted(set(args.scenario))]
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    clock = install_phase_clock() if args.phases else None
    phase_log = open(args.phases, "w") if args.phases not in (None, "-") else None  # noqa: SIM115
    report = []
    started_load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    for title, lines, scope in scenarios:

        def draw_once(lines=lines, scope=scope):
            return services.draw_experts(
                actor=world["drawer"],
                project_id=1,
                specialties=lines,
                needed_from=window[0],
                needed_until=window[1],
                region_scope=scope,
                backups=2,
            )

        if args.queries:
            print_queries(title, draw_once, world["drawer"])
        timings, cpu, sizes, exclusions, phased = [], [], [], [], []
        collections = 0
        for index in range(args.draws + 5):
            counted = index >= 5  # warm-up draws are not counted
            if profiler is not None and counted:
                profiler.enable()
            if clock is not None:
                collections = sum(s["collections"] for s in gc.get_stats()) - collections
                clock.start()
            began, began_cpu = time.perf_counter(), time.process_time()
            draw = draw_once()
            elapsed = time.perf_counter() - began
            elapsed_cpu = time.process_time() - began_cpu
            if clock is not None:
                phases = clock.stop()
                if counted:
                    phased.append(
                        {
                            "index": index - 5,
                            "at": round(time.time(), 3),
                            "wall": elapsed,
                            "cpu": elapsed_cpu,
                            "gc_between": collections,  # since the previous draw ended
                            "full_collections": clock.full_collections,
                            # As text: thousands of kept dicts and lists would make the
                            # collector's full collections, the very thing measured, slower
                            # as the run goes on (text is not tracked by the collector).
                            "phases": json.dumps(phases),
                        }
                    )
                    if phase_log is not None:
                        phase_log.write(
                            json.dumps(
                                {
                                    "scenario": title,
                                    **phased[-1],
                                    "phases": json.loads(phased[-1]["phases"]),
                                }
                            )
                            + "\n"
                        )
                collections = sum(s["collections"] for s in gc.get_stats())
            if profiler is not None and counted:
                profiler.disable()
            assert draw.state == ExpertDraw.State.DRAWN, draw.failure_reason
            services.cancel_draw(draw=draw, actor=world["drawer"], reason="benchmark")
            if counted:
                timings.append(elapsed)
                cpu.append(elapsed_cpu)
                sizes.append(sum(len(g.eligible) for g in draw.groups.all()))
                exclusions.append(len(draw.exclusions))
        # Where the tail is: the slowest draws' wall time beside their own CPU (a slow draw
        # with ordinary CPU waited — on PostgreSQL, the disk or the scheduler).
        slowest = sorted(zip(timings, cpu, strict=True), reverse=True)[:4]
        timings.sort()
        row = {
            "scenario": title,
            "draws": len(timings),
            "eligible_per_draw": int(statistics.median(sizes)),
            "exclusions_per_draw": int(statistics.median(exclusions)),
            "median_ms": round(statistics.median(timings) * 1000, 1),
            "p99_ms": round(timings[max(0, int(len(timings) * 0.99) - 1)] * 1000, 1),
            "max_ms": round(timings[-1] * 1000, 1),
            "python_cpu_median_ms": round(statistics.median(cpu) * 1000, 1),
            # The least disturbed draws: on a shared machine the steadier figure for an A/B.
            "python_cpu_p10_ms": round(sorted(cpu)[len(cpu) // 10] * 1000, 1),
            # Does a draw cost more as draws accumulate? The CPU median of each fifth, in order.
            "python_cpu_by_fifth_ms": [
                round(statistics.median(cpu[n * len(cpu) // 5 : (n + 1) * len(cpu) // 5]) * 1000)
                for n in range(5)
            ]
            if len(cpu) >= 5
            else [],
            "slowest_wall_cpu_ms": [[round(w * 1000), round(c * 1000)] for w, c in slowest],
        }
        report.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
        if phased:
            print_phases(title, phased)
    print()
    print(f"Expert draw from a pool of {args.experts:,}, avoidance against 50 bidders:")
    for row in report:
        verdict = "meets" if row["p99_ms"] < 200 else "MISSES"
        print(
            f"  {row['scenario']}\n    eligible {row['eligible_per_draw']:,}, "
            f"excluded {row['exclusions_per_draw']:,}: median {row['median_ms']} ms, "
            f"p99 {row['p99_ms']} ms, max {row['max_ms']} ms ({verdict} the 200 ms target); "
            f"CPU of the Python process, median {row['python_cpu_median_ms']} ms"
        )
    if profiler is not None:
        profiler.dump_stats(args.profile)
        print(f"\ncProfile of the counted draws written to {args.profile}")
    print(f"\nCommand:\n{COMMAND}")
    print(f"Load average (1, 5, 15 min) at the start of the draws: {started_load}")
    print(f"Load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(
        f"PostgreSQL {connection.cursor().connection.server_version}, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    return 0


# --- Where a draw's time goes: `--phases` ------------------------------------------------


class PhaseClock:
    """Wall time, CPU time and database waits of each phase of a draw, measured by wrapping
    the functions the draw calls (module attributes replaced in this process only: the
    production code carries no timing). Each phase is keyed by its path (``request/screen/
    split/facts``) and charged only its own time, not its callees'; the time of a phase's own
    lines (building rows, the ORM's compilation) is its ``self`` entry."""

    def __init__(self):
        import gc

        self.stack: list[str] = []
        self.marks: list[tuple[float, float]] = []
        # path → [wall, cpu, db, statements, collections' wall, collections' CPU]
        self.current: dict[str, list[float]] = {}
        self.active = False
        gc.callbacks.append(self._gc)
        self._gc_began = self._gc_began_cpu = 0.0
        self.full_collections = 0

    def _charge(self, index: int, value: float) -> None:
        path = "/".join(self.stack)
        self.current.setdefault(path, [0.0, 0.0, 0.0, 0, 0.0, 0.0])[index] += value

    def _switch(self) -> None:
        """Charge the time since the last switch to the phase on top of the stack."""
        wall, cpu = time.perf_counter(), time.process_time()
        if self.stack:
            last_wall, last_cpu = self.marks[-1]
            self._charge(0, wall - last_wall)
            self._charge(1, cpu - last_cpu)
        if self.marks:
            self.marks[-1] = (wall, cpu)

    def enter(self, label: str) -> None:
        if not self.active:
            return
        self._switch()
        self.stack.append(label)
        self.marks.append((time.perf_counter(), time.process_time()))

    def leave(self) -> None:
        if not self.active:
            return
        self._switch()
        self.stack.pop()
        self.marks.pop()
        if self.marks:
            self.marks[-1] = (time.perf_counter(), time.process_time())

    def wrap(self, owner, name: str, label: str) -> None:
        import functools

        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            self.enter(label)
            try:
                return original(*args, **kwargs)
            finally:
                self.leave()

        setattr(owner, name, timed)

    def database(self, execute, sql, params, many, context):
        """An execute_wrapper: the statement's wait charged to the phase that sent it."""
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if self.active and self.stack:
                self._charge(2, time.perf_counter() - began)
                self._charge(3, 1)

    def _gc(self, phase, info) -> None:
        if phase == "start":
            self._gc_began = time.perf_counter()
            self._gc_began_cpu = time.process_time()
        elif self.active and self.stack:
            # Wall and CPU apart: on a loaded machine a collection's wall time includes the
            # time the process waited for a core.
            self._charge(4, time.perf_counter() - self._gc_began)
            self._charge(5, time.process_time() - self._gc_began_cpu)
            if info["generation"] == 2:
                self.full_collections += 1

    def start(self) -> None:
        self.current = {}
        self.full_collections = 0
        self.active = True
        self.enter("draw")

    def stop(self) -> dict[str, list[float]]:
        self.leave()
        self.active = False
        return self.current


def install_phase_clock() -> PhaseClock:
    """Wrap the functions of a draw, outermost first, each labelled with its phase."""
    from django.db import connection

    from experts import avoidance, draw_plan, policies, providers, sealed_seed, selectors
    from experts.models import DrawGroup, DrawInvitation, ExpertDraw
    from experts.services import draws

    clock = PhaseClock()
    for owner, name, label in [
        (draws, "request_draw", "request"),
        (draws, "execute_draw", "execute"),
        (providers, "project_parties", "provider"),
        (policies, "can_request_draw", "policy"),
        (selectors, "specialties_by_code", "rules and regions"),
        (selectors, "pool_rules", "rules and regions"),
        (selectors, "avoidance_rules", "rules and regions"),
        (selectors, "home_region_codes", "rules and regions"),
        (ExpertDraw.objects, "create", "insert draw"),
        (ExpertDraw, "save", "save draw"),
        (DrawGroup.objects, "bulk_create", "insert groups"),
        (DrawInvitation.objects, "bulk_create", "insert invitations"),
        (draws, "draw_gate", "gate lock"),
        (selectors, "screen_sub_pool", "screen"),
        (selectors, "split_sub_pool", "split"),
        (selectors, "_members_by_group", "sub-pool ids"),
        (selectors, "_fetch", "fetch"),
        (selectors, "screening_facts_at_once", "facts"),
        (selectors, "_flagged_with_facts", "flagged and facts"),
        (selectors, "_facts_of_rows", "facts from rows"),
        (selectors, "_candidates", "candidates"),
        (avoidance, "screen_pool", "pure filter"),
        (draws, "_check_sufficient", "sufficient"),
        (draw_plan, "group_digest", "digest"),
        (draw_plan, "eligible_digest", "digest"),
        (draws, "_exclusions_record", "exclusions record"),
        (sealed_seed, "seal", "seal"),
        (draws, "log_draw", "trade log"),
        (draws, "_lock_draw", "lock draw"),
        (draws, "_sequence", "replay"),
        (draws, "_settle", "settle"),
        (draws, "_obstacles", "re-check"),
        (draws, "_notify", "notify"),
    ]:
        if hasattr(owner, name):  # an older commit (an A/B) may not have it
            clock.wrap(owner, name, label)
    # The COMMIT itself (Django's atomic block calls the connection's `_commit`).
    clock.wrap(connection, "_commit", "COMMIT")
    connection.execute_wrappers.append(clock.database)
    return clock


def print_phases(title: str, draws: list[dict]) -> None:
    """Per phase: the mean over the middle of the draws (ranked 40–60 % by wall time) beside
    the mean over the slowest 2 %: wall, CPU, database wait and the garbage collector's wall
    and CPU time, ms (a phase's own time, its callees' apart)."""
    draws = [{**d, "phases": json.loads(d["phases"])} for d in draws]
    ranked = sorted(draws, key=lambda d: d["wall"])
    n = len(ranked)
    middle = ranked[int(n * 0.4) : max(int(n * 0.6), int(n * 0.4) + 1)]
    slow = ranked[-max(1, round(n * 0.02)) :]
    paths = sorted({p for d in draws for p in d["phases"]})

    def mean(rows, path, index):
        return sum(d["phases"].get(path, [0] * 6)[index] for d in rows) / len(rows)

    print(
        f"\n{title}: phases, mean of the middle {len(middle)} draws (40–60 %) | the slowest "
        f"{len(slow)} ({', '.join(str(round(d['wall'] * 1000)) for d in slow)} ms); ms"
    )
    print(
        f"  {'phase':44s} {'wall':>6s} {'cpu':>6s} {'db':>6s} {'gc':>5s} {'gcCPU':>5s} | "
        f"{'wall':>6s} {'cpu':>6s} {'db':>6s} {'gc':>5s} {'gcCPU':>5s} {'Δwall':>6s}"
    )
    for path in paths:
        m = [mean(middle, path, i) * (1 if i == 3 else 1000) for i in range(6)]
        s = [mean(slow, path, i) * (1 if i == 3 else 1000) for i in range(6)]
        if max(m[0], s[0]) < 0.3:
            continue
        print(
            f"  {path[5:] or '(draw itself)':44s} {m[0]:6.1f} {m[1]:6.1f} {m[2]:6.1f} {m[4]:5.1f} "
            f"{m[5]:5.1f} | {s[0]:6.1f} {s[1]:6.1f} {s[2]:6.1f} {s[4]:5.1f} {s[5]:5.1f} "
            f"{s[0] - m[0]:+6.1f}"
        )
    full = [(d["index"], round(d["wall"] * 1000)) for d in draws if d["full_collections"]]
    print(f"  draws with a full collection inside (index, wall ms): {full}")
    for label, rows in (("middle", middle), ("slowest", slow)):
        print(
            f"  {label}: wall {sum(d['wall'] for d in rows) / len(rows) * 1000:.1f}, "
            f"CPU {sum(d['cpu'] for d in rows) / len(rows) * 1000:.1f}, "
            f"collections between draws {sum(d['gc_between'] for d in rows) / len(rows):.1f}, "
            f"scenario order {[d['index'] for d in rows]}"
        )


def print_queries(title: str, draw_once, drawer) -> None:
    """One draw's statements (after a warm-up draw): the round trips by kind, with the wall
    time each kind took (the server's work and the transfer, seen from the client)."""
    from collections import defaultdict

    from django.db import connection

    from experts import services

    spent: dict[str, list[float]] = defaultdict(list)

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[" ".join(sql.split()[:6])[:90]].append(time.perf_counter() - began)

    services.cancel_draw(draw=draw_once(), actor=drawer, reason="benchmark")
    began = time.perf_counter()
    with connection.execute_wrapper(timed):
        draw = draw_once()
    elapsed = time.perf_counter() - began
    services.cancel_draw(draw=draw, actor=drawer, reason="benchmark")
    total = sum(len(times) for times in spent.values())
    in_db = sum(sum(times) for times in spent.values())
    print(
        f"{title}: {total} statements in one draw of {elapsed * 1000:.1f} ms, "
        f"{in_db * 1000:.1f} ms of them waiting on the database"
    )
    for statement, times in sorted(spent.items(), key=lambda item: -sum(item[1])):
        print(f"  {len(times):3d} × {sum(times) * 1000:6.1f} ms  {statement}")


def existing_pool(size: int) -> dict | None:
    """The pool a previous run left in this database (`--keep`, `--reuse`), or None."""
    from django.db import connection

    from experts import services
    from experts.models import (
        DrawInvitation,
        ExpertDraw,
        ExpertProfile,
        ExpertRelation,
        ExpertSpecialty,
    )
    from portal.accounts.models import User
    from portal.centres.models import Centre
    from portal.entities.models import MarketEntity

    centre = Centre.objects.filter(code="bench").select_related("region").first()
    if centre is None:
        return None
    found = ExpertProfile.objects.count()
    if found != size:
        raise SystemExit(f"the database holds a pool of {found:,} experts, not {size:,}")
    # The draws are cancelled after each run; cancel any a crashed run left live.
    drawer = User.objects.get(username="bench_drawer")
    for draw in ExpertDraw.objects.filter(project_id=1, state__in=["committed", "drawn"]):
        services.cancel_draw(draw=draw, actor=drawer, reason="benchmark")
    with connection.cursor() as cursor:
        # Every run leaves its draws, invitations and trade-log entries behind: statistics
        # and the visibility map as autovacuum would keep them (this server may run without
        # it), so that a reused pool is planned like a fresh one, run after run.
        cursor.execute("VACUUM ANALYZE")
    other = ExpertDraw.objects.get(project_id=999)
    entities = list(MarketEntity.objects.filter(name__startswith="单位").order_by("pk")[:52])
    return {
        "loaded": False,
        "window": (other.needed_from, other.needed_until),
        "centre": centre,
        "city": centre.region,
        "tenderee": entities[0],
        "agent": entities[1],
        "bidders": entities[2:52],
        "drawer": drawer,
        "specialties": ExpertSpecialty.objects.count(),
        "relations": ExpertRelation.objects.count(),
        "booked": DrawInvitation.objects.filter(draw=other).count(),
    }


def load_pool(rng: random.Random, size: int, window) -> dict:
    """A synthetic pool, written with COPY (the ORM would take minutes for 100,000)."""
    from datetime import date, timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from experts.id_number import check_character as id_check
    from experts.models import (
        DrawGroup,
        ExpertDraw,
        Specialty,
    )
    from portal.accounts.models import Role, User
    from portal.centres.models import Centre, Region
    from portal.entities.models import MarketEntity
    from portal.entities.uscc import CHARSET
    from portal.entities.uscc import check_character as uscc_check

    def uscc(n: int) -> str:
        org = ""
        value = n
        for _ in range(8):
            org = CHARSET[value % 10] + org
            value //= 10
        body = f"91350600{org}0"[:17]
        return body + uscc_check(body)

    def copy(table: str, columns: list[str], rows) -> int:
        buffer = io.StringIO()
        count = 0
        for row in rows:
            buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
            count += 1
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT text)", buffer
            )
            cursor.execute(  # the table names are this file's constants
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        return count

    now = timezone.now()
    with transaction.atomic():
        province = Region.objects.create(code="350000", name="福建省", level="province")
        cities = [
            Region.objects.create(code=f"350{n}00", name=f"城市{n}", level="city", parent=province)
            for n in range(1, 10)
        ]
        city = cities[5]  # 350600
        Region.objects.create(code="350681", name="龙海区", level="county", parent=city)
        centre = Centre.objects.create(code="bench", name="基准测试中心", level="city", region=city)
        entities = MarketEntity.objects.bulk_create(
            MarketEntity(
                uscc=uscc(n),
                name=f"单位{n}",
                entity_type="enterprise",
                legal_representative="张三",
                region=city,
                contact_phone="0596-0000000",
            )
            for n in range(1, 2101)
        )
        tenderee, agent, bidders, others = entities[0], entities[1], entities[2:52], entities[52:]
        drawer = User.objects.create(username="bench_drawer", role=Role.EXPERT_DRAWER)
        specialties = list(Specialty.objects.filter(level=3).values_list("pk", flat=True))

        base = 1_000_000
        timestamp = now.isoformat()
        copy(
            "accounts_user",
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "role",
                "display_name",
                "phone",
                "is_entity_admin",
                "department",
            ],
            (
                (
                    base + n,
                    "!",
                    "f",
                    f"bench_expert_{n}",
                    "",
                    "",
                    "",
                    "f",
                    "t",
                    timestamp,
                    "expert",
                    "",
                    "",
                    "f",
                    "",
                )
                for n in range(size)
            ),
        )
        statuses = ["active"] * 90 + ["suspended"] * 5 + ["retired"] * 3 + ["blacklisted"] * 2
        profiles = []
        for n in range(size):
            employer = ""
            roll = rng.random()
            if roll < 0.01:
                employer = rng.choice(bidders).uscc
            elif roll < 0.6:
                employer = rng.choice(others).uscc
            body = f"35{n:015d}"[:17]
            status = rng.choice(statuses)
            profiles.append(
                (
                    base + n,
                    f"专家{n}",
                    body + id_check(body),
                    employer,
                    "单位",
                    "senior",
                    "f",
                    "2005-01-01",
                    status,
                    "",
                    timestamp,
                    None if status == "candidate" else timestamp,
                    None,
                    None,
                    rng.choice(cities).pk,
                    base + n,
                )
            )
        copy(
            "experts_expertprofile",
            [
                "id",
                "full_name",
                "id_number",
                "employer_uscc",
                "employer_name",
                "title",
                "title_equivalent",
                "career_started_on",
                "status",
                "status_reason",
                "applied_at",
                "admitted_at",
                "last_assessed_on",
                "employer_id",
                "region_id",
                "user_id",
            ],
            profiles,
        )
        with connection.cursor() as cursor:
            # The trigger that copies the specialty rows into the screening table joins them
            # with the profiles: let the planner know the 100,000 profiles just loaded.
            cursor.execute("ANALYZE experts_expertprofile")
        specialty_rows = copy(
            "experts_expertspecialty",
            ["expert_id", "specialty_id"],
            (
                (base + n, specialty)
                for n in range(size)
                for specialty in rng.sample(specialties, rng.randint(1, 3))
            ),
        )
        relation_rows = copy(
            "experts_expertrelation",
            [
                "expert_id",
                "entity_uscc",
                "entity_name",
                "kind",
                "started_on",
                "ended_on",
                "note",
                "declared_at",
            ],
            (
                (
                    base + n,
                    (rng.choice(bidders) if rng.random() < 0.05 else rng.choice(others)).uscc,
                    "单位",
                    rng.choice(["employment", "shareholding", "relative", "other"]),
                    None,
                    None
                    if rng.random() < 0.5
                    else date(2020, 1, 1) + timedelta(rng.randint(0, 2000)),
                    "",
                    timestamp,
                )
                for n in range(size)
                if rng.random() < 0.2
                for _ in range(rng.randint(1, 2))
            ),
        )
        drawer_id = drawer.pk

        def leave(n: int):
            over = rng.random() < 0.6  # 3 % of the pool away over the evaluation
            begins = window[0] - timedelta(days=1) if over else window[0] + timedelta(days=10)
            return (
                base + n,
                begins.isoformat(),
                (begins + timedelta(days=2)).isoformat(),
                "leave",
                "",
                drawer_id,
                timestamp,
            )

        copy(
            "experts_unavailability",
            ["expert_id", "starts_at", "ends_at", "reason", "note", "declared_by_id", "created_at"],
            (leave(n) for n in range(size) if rng.random() < 0.05),
        )
        blacklisted = [p[0] for p in profiles if p[8] == "blacklisted"]
        copy(
            "experts_blacklistentry",
            [
                "expert_id",
                "starts_at",
                "ends_at",
                "reason",
                "conduct_id",
                "decided_by_id",
                "lifted_at",
            ],
            (
                (
                    expert,
                    (now - timedelta(days=30)).isoformat(),
                    (now + timedelta(days=300)).isoformat(),
                    "benchmark",
                    None,
                    None,
                    None,
                )
                for expert in blacklisted
            ),
        )
        other = ExpertDraw.objects.create(
            project_id=999,
            project_title="其他项目",
            category="engineering",
            centre=centre,
            region=city,
            tenderee_uscc=others[0].uscc,
            parties={},
            requested_by=drawer,
            requested_at=now,
            needed_from=window[0],
            needed_until=window[1],
            region_scope="any",
            home_regions=[],
            state="drawn",
            algorithm="expert-draw/v1",
            commitment="0" * 64,
            eligible_digest="0" * 64,
            rules={},
        )
        group = DrawGroup.objects.create(
            draw=other,
            position=0,
            specialty_id=specialties[0],
            specialty_code="A0101",
            count=1,
            eligible=[],
            eligible_digest="0" * 64,
        )
        booked = sorted(rng.sample(range(size), 3000))
        booked_rows = copy(
            "experts_drawinvitation",
            [
                "draw_id",
                "group_id",
                "expert_id",
                "invite_seq",
                "state",
                "starts_at",
                "ends_at",
                "invited_at",
                "respond_by",
                "reason",
            ],
            (
                (
                    other.pk,
                    group.pk,
                    base + n,
                    seq,
                    "confirmed",
                    window[0].isoformat(),
                    window[1].isoformat(),
                    timestamp,
                    timestamp,
                    "",
                )
                for seq, n in enumerate(booked)
            ),
        )
    with connection.cursor() as cursor:
        # What autovacuum does to a pool in steady state: statistics, and the visibility map
        # that lets the screening read its sub-pool from the index alone.
        cursor.execute("VACUUM ANALYZE")
    return {
        "loaded": True,
        "window": window,
        "centre": centre,
        "city": city,
        "tenderee": tenderee,
        "agent": agent,
        "bidders": bidders,
        "drawer": drawer,
        "specialties": specialty_rows,
        "relations": relation_rows,
        "booked": booked_rows,
    }


if __name__ == "__main__":
    sys.exit(main())
