"""The Django side of the portal-search benchmark, in a child process with the benchmark's
environment: the regions and centres the generated announcements belong to, and EXPLAIN of
the list's queries once the data is in.

    python bench/_portal_search_seed.py refs --out /tmp/….json
    python bench/_portal_search_seed.py explain --region 350600
"""

import argparse
import json
import os
import sys
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


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    refs_parser = commands.add_parser("refs")
    refs_parser.add_argument("--out", type=Path, required=True)
    explain_parser = commands.add_parser("explain")
    explain_parser.add_argument("--region", default="350600")
    args = parser.parse_args()
    if args.command == "refs":
        refs(args.out)
    else:
        explain(args.region)


if __name__ == "__main__":
    main()
