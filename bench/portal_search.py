"""Portal search benchmark: the public list, filtered, and a two-character Chinese search
("道路") over 1,000,000 announcements, under gunicorn with 50 concurrent clients, beside a
trivial Django view on the same server (the ceiling).

    .venv/bin/python bench/portal_search.py [--rows 1000000] [--clients 50] [--seconds 20]
        [--proxy none|nginx|both] [--reuse] [--keep] [--database portal_bench_…]

Steps: a database of its own (portal_bench_portal_search, or --database), migrated; regions
and centres of the nine cities of Fujian; ROWS announcements with realistic Chinese titles
(city, district, place, object, work, kind of notice) written with COPY into the portal's
publication index
(secondary indexes dropped during the load and rebuilt after, the search trigger filling
the tsvector row by row); gunicorn with the shipped configuration (deploy/gunicorn.conf.py:
(2 × cores) + 1 sync workers; CONN_MAX_AGE 60 as in production), optionally nginx in front
(deploy/nginx.conf.template, its shared cache of the public list included); then, each for
SECONDS with CLIENTS closed-loop clients (asyncio + aiohttp with keep-alive, bench/_load.py):

- a view with no query (`GET /healthz/`): the floor of Django's middleware and gunicorn;
- the trivial view (`GET /api/v1/regions/`, one small query, DRF): the ceiling the issue
  compares with;
- the filtered list, the same URL again and again (served from the portal's cache);
- the filtered list with varying filters, dates and pages (nearly every request misses the
  cache: the database's figure);
- the search 道路, the same URL, then varying region, date and page (misses).

Every measurement draws URLs of its own and every run has its own cache key space, so a
"miss" is a miss. Latency is measured at the client (queueing included) and at the server
(gunicorn's own request time from its access log); the CPU of gunicorn, PostgreSQL, the
load generator and nginx is read from /proc for each scenario. EXPLAIN ANALYZE of the two
queries is written to the log directory. Drops the database at the end unless --keep.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import (
    REPO,
    CpuMeter,
    Gunicorn,
    Nginx,
    Sandbox,
    distribution_ms,
    get,
    load_average,
    machine,
    percentile,
    tree_cpu_seconds,
    wait_until_quiet,
    write_json,
)
from _load import LoadResult, closed_loop

from publicportal.search import search_document

SEED = Path(__file__).resolve().parent / "_portal_search_seed.py"

DISTRICTS = {
    "350100": ["鼓楼区", "台江区", "仓山区", "晋安区", "长乐区", "闽侯县"],
    "350200": ["思明区", "湖里区", "集美区", "海沧区", "同安区", "翔安区"],
    "350300": ["城厢区", "涵江区", "荔城区", "秀屿区", "仙游县"],
    "350400": ["三元区", "沙县区", "永安市", "尤溪县", "大田县"],
    "350500": ["丰泽区", "鲤城区", "洛江区", "晋江市", "石狮市", "南安市", "惠安县"],
    "350600": ["芗城区", "龙文区", "龙海区", "长泰区", "漳浦县", "云霄县", "诏安县"],
    "350700": ["延平区", "建阳区", "建瓯市", "武夷山市", "邵武市"],
    "350800": ["新罗区", "永定区", "漳平市", "上杭县", "长汀县"],
    "350900": ["蕉城区", "福安市", "福鼎市", "霞浦县", "古田县"],
}
PLACES = [
    "滨江",
    "东环",
    "西湖",
    "北峰",
    "南山",
    "金山",
    "龙江",
    "九龙江",
    "双溪",
    "沿河",
    "迎宾",
    "工业园",
    "高新区",
    "滨海新城",
    "古城",
    "大学城",
    "火车站片区",
    "中心城区",
    "开发区",
    "海湾",
]
ENGINEERING_OBJECTS = [
    ("城市道路", "改造"),
    ("道路", "维修"),
    ("市政道路", "新建"),
    ("桥梁", "加固"),
    ("隧道", "照明提升"),
    ("供水管网", "改造"),
    ("排水管网", "新建"),
    ("污水处理厂", "扩建"),
    ("小学教学楼", "新建"),
    ("中学综合楼", "改建"),
    ("人民医院门诊楼", "扩建"),
    ("体育馆", "新建"),
    ("公园", "景观提升"),
    ("河道", "综合整治"),
    ("水库", "除险加固"),
    ("安置房", "新建"),
    ("停车场", "新建"),
    ("老旧小区", "改造"),
    ("农村公路", "提级改造"),
    ("防洪堤", "加固"),
]
PROCUREMENT_OBJECTS = [
    "办公设备",
    "信息化系统",
    "物业管理服务",
    "食堂食材配送",
    "医疗设备",
    "公务车辆",
    "视频监控系统",
    "消防设施维保",
    "教学设备",
    "图书",
    "绿化养护服务",
    "道路清扫保洁服务",
    "路灯维护服务",
    "网络安全服务",
    "审计服务",
]
KINDS = [  # (kind, weight, suffix of the title, status)
    ("tender", 40, "招标公告", "bidding"),
    ("change", 10, "变更公告", "bidding"),
    ("opening_record", 10, "开标记录", "evaluating"),
    ("candidates", 10, "中标候选人公示", "evaluating"),
    ("result", 20, "中标结果公告", "awarded"),
    ("contract", 8, "合同公告", "awarded"),
    ("failure", 2, "流标公告", "failed"),
]
COLUMNS = [
    "source", "source_key", "project_key", "project_title", "transaction_code", "kind",
    "title", "body", "data", "category_id", "method_id", "region_id", "centre_id", "status",
    "amount", "published_at", "updated_at", "detail_path", "project_path", "search_document",
]  # fmt: skip


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--gunicorn-config",
        type=Path,
        default=REPO / "deploy" / "gunicorn.conf.py",
        help="the shipped configuration (workers, worker class, threads, keep-alive); "
        "--workers/--worker-class/--threads override it",
    )
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--worker-class", default=None, choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=None, help="per worker (gthread)")
    parser.add_argument(
        "--conn-max-age",
        default="production",
        help="CONN_MAX_AGE of the server: a number of seconds, or 'production' (the "
        "production profile's default, persistent connections with health checks)",
    )
    parser.add_argument(
        "--client",
        default="aiohttp",
        choices=["aiohttp", "threads"],
        help="aiohttp: asyncio clients in --client-processes processes (bench/_load.py); "
        "threads: the first version's threads with http.client, a new connection each time",
    )
    parser.add_argument("--client-processes", type=int, default=1)
    parser.add_argument(
        "--no-keepalive",
        dest="keepalive",
        action="store_false",
        help="a new TCP connection per request (aiohttp client)",
    )
    parser.add_argument(
        "--proxy",
        default="none",
        choices=["none", "nginx", "both"],
        help="none: the clients talk to gunicorn; nginx: through deploy/nginx.conf.template "
        "(its response cache included); both: every scenario each way",
    )
    parser.add_argument(
        "--scenarios",
        default="",
        help="comma-separated scenario keys to run (default all): " + ", ".join(SCENARIO_KEYS),
    )
    parser.add_argument("--seed", type=int, default=20260323)
    parser.add_argument("--wait-quiet", type=float, default=0, help="seconds to wait at most")
    parser.add_argument(
        "--database",
        default="portal_bench_portal_search",
        help="the bench database (portal_bench…): give each person or helper their own, so "
        "that no run drops or reuses another's",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database")
    return parser.parse_args(argv)


def generate(rows: int, refs: dict, rng: random.Random):
    """Yields COPY lines of `rows` announcements over the three years to 2026-11."""
    engineering = refs["categories"]["engineering"]
    procurement = refs["categories"]["procurement"]
    open_tender = refs["methods"]["open_tender"]
    centres = {region_id: centre_id for centre_id, _, region_id in refs["centres"]}
    regions = refs["regions"]
    kinds = [k for k in KINDS for _ in range(k[1])]
    start = datetime(2023, 12, 1, tzinfo=UTC)
    span = int((datetime(2026, 11, 20, tzinfo=UTC) - start).total_seconds())
    for i in range(rows):
        region_id, code, city = rng.choice(regions)
        district = rng.choice(DISTRICTS[code])
        place = rng.choice(PLACES)
        if rng.random() < 0.55:
            category = engineering
            thing, work = rng.choice(ENGINEERING_OBJECTS)
            project = f"{city}{district}{place}{thing}{work}工程"
        else:
            category = procurement
            project = f"{city}{district}{rng.choice(PROCUREMENT_OBJECTS)}采购项目"
        if rng.random() < 0.2:
            project += f"（{rng.randint(2024, 2026)}年第{rng.randint(1, 9)}批）"
        kind, _, suffix, status = rng.choice(kinds)
        title = f"{project}{suffix}"
        published = start + timedelta(seconds=rng.randrange(span))
        amount = f"{rng.randint(50_000, 90_000_000)}.00"
        yield (
            "\t".join(
                [
                    "trading",
                    f"bench:{i}",
                    f"bench:p{i // 4}",
                    project,
                    "",
                    kind,
                    title,
                    f"{title}。详见附件。",
                    "{}",
                    str(category),
                    str(open_tender),
                    str(region_id),
                    str(centres[region_id]),
                    status,
                    amount,
                    published.isoformat(),
                    published.isoformat(),
                    f"/trading/announcements/{i}/",
                    f"/public/projects/bench:p{i // 4}/",
                    search_document(title, project),
                ]
            )
            + "\n"
        )


def load(sandbox: Sandbox, rows: int, refs: dict, rng: random.Random, step) -> dict:
    connection = psycopg2.connect(sandbox.database_url)
    connection.autocommit = True
    timings = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
            "'publicportal_publication' AND indexname NOT LIKE '%%pkey' "
            "AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        began = time.monotonic()
        batch = 100_000
        lines = generate(rows, refs, rng)
        done = 0
        while done < rows:
            buffer = io.StringIO()
            for _ in range(min(batch, rows - done)):
                buffer.write(next(lines))
            buffer.seek(0)
            cursor.copy_expert(
                f"COPY publicportal_publication ({', '.join(COLUMNS)}) FROM STDIN", buffer
            )
            done += min(batch, rows - done)
            step(f"  {done:,} rows in {time.monotonic() - began:.0f} s")
        timings["copy_s"] = round(time.monotonic() - began, 1)
        began = time.monotonic()
        for _name, definition in indexes:
            cursor.execute(definition)
        timings["indexes_s"] = round(time.monotonic() - began, 1)
        # As autovacuum would soon after a bulk load: statistics and the visibility map
        # (index-only scans need it).
        cursor.execute("VACUUM (ANALYZE) publicportal_publication")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('publicportal_publication'))")
        timings["table_size"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM publicportal_publication WHERE search_document LIKE '%%道路%%'"
        )
        timings["rows_with_道路"] = cursor.fetchone()[0]
    connection.close()
    return timings


def hammer(server: Gunicorn, paths, seconds: float, clients: int, seed: str = "") -> dict:
    """The first version's client (`--client threads`): `clients` Python threads, each a new
    http.client connection per request. It costs the client ≈ 1 ms of CPU per request under
    the GIL, on the same two cores as the server."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(n: int):
        rng = random.Random(f"{seed}:{n}")
        while time.monotonic() < stop:
            path = paths(rng) if callable(paths) else paths
            began = time.monotonic()
            try:
                status, _ = get(server.host, server.port, path, timeout=60)
            except OSError:
                status = 0
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200:
                    latencies.append(time.monotonic() - began)

    before = os.times()
    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = os.times()
    return LoadResult(
        latencies=latencies,
        statuses=statuses,
        cache={},
        wall_s=time.monotonic() - began,
        client_cpu_s=(after.user - before.user) + (after.system - before.system),
        connections_opened=sum(statuses.values()),
    )


SCENARIO_NAMES = {
    "noquery": "no-query view (GET /healthz/)",
    "trivial": "trivial view (GET /api/v1/regions/)",
    "list-cached": "filtered list, cached",
    "list-varying": "filtered list, varying (cache misses)",
    "search-cached": "search 道路, cached",
    "search-varying": "search 道路, varying (cache misses)",
}
SCENARIO_KEYS = list(SCENARIO_NAMES)
TRIVIAL = "trivial"
TARGETS = ("list-varying", "search-varying")


def measure(args, server: Gunicorn, front, paths, proxy_pid: int | None) -> dict:
    """One scenario against `front` (gunicorn or nginx): throughput, latency at the client,
    gunicorn's own time, and where the CPU went."""
    meter = CpuMeter(server.process.pid)
    log_before = len(server.access_records())
    nginx_before = tree_cpu_seconds(proxy_pid) if proxy_pid else 0.0
    cpu_before = meter.read()
    # Every measurement asks for its own URLs: the same seeds again would find the pages the
    # previous scenario (or run) left in the portal's cache or nginx's, and "misses" would hit.
    seed = f"{time.time_ns()}"
    if args.client == "threads":
        load = hammer(front, paths, args.seconds, args.clients, seed)
    else:
        load = closed_loop(
            front.host,
            front.port,
            paths,
            seconds=args.seconds,
            clients=args.clients,
            processes=args.client_processes,
            keepalive=args.keepalive,
            seed=seed,
        )
    cpu = CpuMeter.between(cpu_before, meter.read())
    nginx_cpu = (tree_cpu_seconds(proxy_pid) - nginx_before) if proxy_pid else 0.0
    capacity = cpu["wall_s"] * cpu["cores"]
    other = max(0.0, cpu["other_cpu_s"] - load.client_cpu_s - nginx_cpu)
    served = [us / 1e6 for _, us, _, _ in server.access_records()[log_before:]]
    return {
        "requests": load.ok,
        "statuses": load.statuses,
        "nginx_cache": load.cache,
        "connections_opened": load.connections_opened,
        "requests_per_s": round(load.per_s, 1),
        **distribution_ms(load.latencies),
        "server_requests": len(served),
        "server_p50_ms": round((percentile(served, 50) or 0) * 1000, 1),
        "server_p99_ms": round((percentile(served, 99) or 0) * 1000, 1),
        "cpu": {
            "machine_busy_pct": cpu["machine_busy_pct"],
            "gunicorn_pct": round(100 * cpu["gunicorn_cpu_s"] / capacity, 1),
            "postgres_pct": round(100 * cpu["postgres_cpu_s"] / capacity, 1),
            "client_pct": round(100 * load.client_cpu_s / capacity, 1),
            "nginx_pct": round(100 * nginx_cpu / capacity, 1),
            "other_pct": round(100 * other / capacity, 1),
            # per request served: what a request costs each process (ms of CPU)
            "gunicorn_ms_per_request": round(1000 * cpu["gunicorn_cpu_s"] / max(load.ok, 1), 2),
            "postgres_ms_per_request": round(1000 * cpu["postgres_cpu_s"] / max(load.ok, 1), 2),
            "client_ms_per_request": round(1000 * load.client_cpu_s / max(load.ok, 1), 2),
        },
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    log_dir = Path(tempfile.mkdtemp(prefix="portal-bench-portal-search-"))

    def step(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    quiet = wait_until_quiet(args.wait_quiet)
    step(f"machine {quiet.get('busy_pct')} % busy before the run; logs in {log_dir}")
    sandbox = Sandbox("portal_search", database=args.database)
    # A key space of this run's own in Redis: no page cached by an earlier run is served.
    sandbox.extra_env["CACHE_KEY_PREFIX"] = f"portal-bench-portal-search-{time.time_ns()}"
    # The production profile's default (portal/settings.py): persistent connections, checked
    # before reuse. The benchmark runs the test profile, so it says so explicitly.
    conn_max_age = "60" if args.conn_max_age == "production" else str(int(args.conn_max_age))
    sandbox.extra_env["CONN_MAX_AGE"] = conn_max_age
    result: dict = {"machine": machine(), "quiet_before": quiet, "args": vars(args)}
    server = proxy = None
    try:
        if not args.reuse:
            step(f"database {sandbox.database}: drop, create, migrate")
            sandbox.create()
            sandbox.manage("migrate", "--noinput")
            refs_file = log_dir / "refs.json"
            sandbox.script(SEED, "refs", "--out", str(refs_file))
            refs = json.loads(refs_file.read_text())
            step(f"generating and loading {args.rows:,} announcements (COPY)")
            result["load"] = load(sandbox, args.rows, refs, rng, step)
            step(f"loaded: {result['load']}")
        else:
            sandbox.media_root = Path(tempfile.mkdtemp(prefix="portal-bench-portal_search-media-"))
        (log_dir / "explain.txt").write_text(sandbox.script(SEED, "explain"))
        step(f"EXPLAIN ANALYZE written to {log_dir / 'explain.txt'}")

        server = Gunicorn(
            sandbox,
            workers=args.workers,
            threads=args.threads or 1,
            worker_class=args.worker_class,
            log_dir=log_dir,
            config=args.gunicorn_config,
            extra_args=(("--threads", str(args.threads)) if args.threads else ()),
        )
        server.start()
        step(
            f"gunicorn {server.describe()} on port {server.port}, CONN_MAX_AGE {conn_max_age}; "
            f"client {args.client}"
            + (
                f" ({args.client_processes} process(es), keep-alive {args.keepalive})"
                if args.client == "aiohttp"
                else ""
            )
        )
        fronts = {"gunicorn": server}
        if args.proxy in {"nginx", "both"}:
            proxy = Nginx(f"{server.host}:{server.port}", log_dir=log_dir)
            proxy.start(wait_path="/api/v1/regions/")
            step(f"nginx on port {proxy.port} in front of it")
            fronts = {"nginx": proxy} if args.proxy == "nginx" else {**fronts, "nginx": proxy}
        cities = list(DISTRICTS)
        statuses = ["bidding", "evaluating", "awarded", "failed"]

        def varied_list(r: random.Random) -> str:
            day = (datetime(2024, 1, 1) + timedelta(days=r.randrange(1000))).date()
            return (
                f"/api/v1/announcements/?category={r.choice(['engineering', 'procurement'])}"
                f"&region={r.choice(cities)}&status={r.choice(statuses)}"
                f"&from={day.isoformat()}&page={r.randint(1, 5)}"
            )

        def varied_search(r: random.Random) -> str:
            day = (datetime(2024, 1, 1) + timedelta(days=r.randrange(1000))).date()
            return (
                f"/api/v1/announcements/?q=%E9%81%93%E8%B7%AF&region={r.choice(cities)}"
                f"&from={day.isoformat()}&page={r.randint(1, 5)}"
            )

        paths = {
            "noquery": "/healthz/",
            "trivial": "/api/v1/regions/",
            "list-cached": (
                "/api/v1/announcements/?category=engineering&region=350600&status=bidding"
            ),
            "list-varying": varied_list,
            "search-cached": "/api/v1/announcements/?q=%E9%81%93%E8%B7%AF",
            "search-varying": varied_search,
        }
        wanted = [k.strip() for k in args.scenarios.split(",") if k.strip()] or SCENARIO_KEYS
        unknown = set(wanted) - set(SCENARIO_KEYS)
        if unknown:
            raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
        # Warm up the workers and the database's cache, as a running portal would be.
        warm = argparse.Namespace(**{**vars(args), "seconds": 3, "clients": 4})
        for key in ("list-varying", "search-varying"):
            measure(warm, server, server, paths[key], None)
        result["load_average_before"] = load_average()
        result["scenarios"] = {}
        for front_name, front in fronts.items():
            proxy_pid = proxy.process.pid if front is proxy else None
            for key in wanted:
                name = f"{SCENARIO_NAMES[key]}" + (" via nginx" if front is proxy else "")
                step(f"{name}: {args.clients} clients for {args.seconds} s")
                figures = measure(args, server, front, paths[key], proxy_pid)
                figures["front"] = front_name
                figures["key"] = key
                result["scenarios"][name] = figures
                c = figures["cpu"]
                step(
                    f"  {figures['requests_per_s']}/s  p50 {figures['p50_ms']} ms  "
                    f"p99 {figures['p99_ms']} ms  (server p50 {figures['server_p50_ms']}, p99 "
                    f"{figures['server_p99_ms']} ms, {figures['server_requests']} requests)  "
                    f"statuses {figures['statuses']} {figures['nginx_cache'] or ''}\n"
                    f"  CPU % of the machine: gunicorn {c['gunicorn_pct']} postgres "
                    f"{c['postgres_pct']} client {c['client_pct']} nginx {c['nginx_pct']} other "
                    f"{c['other_pct']} (busy {c['machine_busy_pct']}); ms/request: gunicorn "
                    f"{c['gunicorn_ms_per_request']} postgres {c['postgres_ms_per_request']} "
                    f"client {c['client_ms_per_request']}; connections "
                    f"{figures['connections_opened']}"
                )
        result["load_average_after"] = load_average()
    finally:
        if proxy is not None:
            proxy.stop()
        if server is not None:
            server.stop()
        if not args.keep:
            sandbox.drop()

    s = result["scenarios"]
    headline = {}
    for name, f in s.items():
        trivial = next(
            (t for t in s.values() if t["key"] == TRIVIAL and t["front"] == f["front"]), None
        )
        per_s = trivial["requests_per_s"] if trivial else 0
        headline[name] = {
            "per_s": f["requests_per_s"],
            "p50_ms": f["p50_ms"],
            "p99_ms": f["p99_ms"],
            "server_p50_ms": f["server_p50_ms"],
            "server_p99_ms": f["server_p99_ms"],
            "of_trivial": round(f["requests_per_s"] / per_s, 2) if per_s else None,
        }
    result["headline"] = headline
    verdicts = {}
    for front_name in fronts:
        rows = {f["key"]: headline[n] for n, f in s.items() if f["front"] == front_name}
        if all(k in rows for k in (*TARGETS, TRIVIAL)):
            verdicts[front_name] = (
                all((rows[k]["p99_ms"] or 1e9) < 100 for k in TARGETS)
                and (rows["list-varying"]["of_trivial"] or 0) >= 0.5
            )
    result["target_met"] = verdicts
    print()
    print(
        f"{'scenario':54} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'srv p50':>8} "
        f"{'srv p99':>8} {'÷trivial':>8}"
    )
    for name, h in headline.items():
        print(
            f"{name:54} {h['per_s']:>8} {h['p50_ms']:>8} {h['p99_ms']:>8} "
            f"{h['server_p50_ms']:>8} {h['server_p99_ms']:>8} {h['of_trivial']!s:>8}"
        )
    print(
        f"\nload average before {result['load_average_before']}, after "
        f"{result['load_average_after']}"
    )
    print(
        "targets (p99 < 100 ms for the varying list and search, list ≥ 50 % of the trivial "
        f"view) met: {verdicts or 'not measured (needs trivial, list-varying, search-varying)'}"
    )
    write_json(log_dir / "result.json", result)
    if os.environ.get("BENCH_RESULT_JSON"):
        write_json(Path(os.environ["BENCH_RESULT_JSON"]), result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
