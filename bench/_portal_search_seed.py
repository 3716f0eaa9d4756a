"""The Django side of the portal-search benchmark, in a child process with the benchmark's
environment: the regions and centres the generated announcements belong to, and EXPLAIN of
the list's queries once the data is in.

    python bench/_portal_search_seed.py refs --out /tmp/….json
    python bench/_portal_search_seed.py explain --region 350600
    python bench/_portal_search_seed.py count-cost [--requests 300]

`count-cost` is an A/B of the CPU a cache miss costs, measured in-process: the same varied
requests as the benchmark's cache misses (search 道路 or the filtered list, a city, a date,
a page) built by the portal's own selector with the cache bypassed, once with every search
counted (the old behaviour: `ESTIMATE_SEARCHES_ABOVE = None`) and once as shipped. For each:
this process's CPU (`time.process_time`) and the PostgreSQL backend's (utime + stime from
/proc/<pid>/stat: the database must run on this machine), per request.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, os.environ.get("PORTAL_SOURCE") or str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
if os.environ.get("PORTAL_ENV") != "test" or "portal_bench" not in os.environ.get(
    "DATABASE_URL", ""
):
    sys.exit("refusing to run outside a benchmark database (PORTAL_ENV=test, portal_bench…)")

import django

django.setup()

from django.db import connection  # noqa: E402

from catalog.models import Category, TradingMethod  # noqa: E402
from portal.centres.models import Centre, Region  # noqa: E402
from publicportal.selectors import PublicationFilters, publications  # noqa: E402

CITIES = [
    ("350100", "福州市"),
    ("350200", "厦门市"),
    ("350300", "莆田市"),
    ("350400", "三明市"),
    ("350500", "泉州市"),
    ("350600", "漳州市"),
    ("350700", "南平市"),
    ("350800", "龙岩市"),
    ("350900", "宁德市"),
]


def refs(out: Path) -> None:
    province, _ = Region.objects.get_or_create(
        code="350000", defaults={"name": "福建省", "level": Region.Level.PROVINCE}
    )
    regions, centres = [], []
    for code, name in CITIES:
        city, _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": Region.Level.CITY, "parent": province}
        )
        centre, _ = Centre.objects.get_or_create(
            code=f"bench-{code}",
            defaults={
                "name": f"{name}公共资源交易中心",
                "level": Centre.Level.CITY,
                "region": city,
            },
        )
        regions.append([city.pk, code, name])
        centres.append([centre.pk, centre.code, city.pk])
    out.write_text(
        json.dumps(
            {
                "categories": dict(Category.objects.values_list("code", "id")),
                "methods": dict(TradingMethod.objects.values_list("code", "id")),
                "regions": regions,
                "centres": centres,
            },
            ensure_ascii=False,
        )
    )


def explain(region: str) -> None:
    cases = {
        "filtered list": PublicationFilters(category="engineering", region=region),
        "search 道路": PublicationFilters(q="道路"),
    }
    for name, filters in cases.items():
        queryset = publications(filters)
        for label, query in (
            ("page", queryset[:20]),
            ("capped count", queryset.order_by()[:501]),
        ):
            sql, params = query.query.sql_with_params()
            if label == "capped count":
                sql = f"SELECT count(*) FROM ({sql}) AS capped"  # noqa: S608
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"--- {name}: {label}\n{plan}\n")


def _backend_cpu_seconds() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def count_cost(requests: int, seed: int) -> None:
    from publicportal import cache, selectors

    cache.cached = lambda name, params, compute: compute()  # every request a miss
    cities = [code for code, _ in CITIES]

    def varied(r: random.Random, search: bool) -> tuple[PublicationFilters, int]:
        day = date(2024, 1, 1) + timedelta(days=r.randrange(1000))
        if search:
            filters = PublicationFilters(q="道路", region=r.choice(cities), date_from=day)
        else:
            filters = PublicationFilters(
                category=r.choice(["engineering", "procurement"]),
                region=r.choice(cities),
                status=r.choice(["bidding", "evaluating", "awarded", "failed"]),
                date_from=day,
            )
        return filters, r.randint(1, 5)

    shipped = selectors.ESTIMATE_SEARCHES_ABOVE
    for search in (True, False):
        for label, threshold in (("every search counted", None), ("as shipped", shipped)):
            selectors.ESTIMATE_SEARCHES_ABOVE = threshold
            r = random.Random(seed)
            cases = [varied(r, search) for _ in range(requests)]
            for filters, page in cases[:20]:  # warm the database's cache and the process
                selectors.publication_page(filters, page=page, per_page=20)
            estimated = 0
            backend, own, wall = _backend_cpu_seconds(), time.process_time(), time.perf_counter()
            for filters, page in cases:
                result = selectors.publication_page(filters, page=page, per_page=20)
                estimated += result["count_estimated"]
            backend = _backend_cpu_seconds() - backend
            own, wall = time.process_time() - own, time.perf_counter() - wall
            name = "search 道路 + city + date + page" if search else "list + filters + date + page"
            print(
                f"{name:34} {label:21}: PostgreSQL {1000 * backend / requests:5.1f} ms, "
                f"Django {1000 * own / requests:5.1f} ms CPU, wall {1000 * wall / requests:5.1f}"
                f" ms per request; {estimated}/{requests} counts estimated"
            )
    selectors.ESTIMATE_SEARCHES_ABOVE = shipped


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    refs_parser = commands.add_parser("refs")
    refs_parser.add_argument("--out", type=Path, required=True)
    explain_parser = commands.add_parser("explain")
    explain_parser.add_argument("--region", default="350600")
    cost_parser = commands.add_parser("count-cost")
    cost_parser.add_argument("--requests", type=int, default=300)
    cost_parser.add_argument("--seed", type=int, default=20260323)
    args = parser.parse_args()
    if args.command == "refs":
        refs(args.out)
    elif args.command == "count-cost":
        count_cost(args.requests, args.seed)
    else:
        explain(args.region)


if __name__ == "__main__":
    main()
