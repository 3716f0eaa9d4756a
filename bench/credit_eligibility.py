"""Benchmark: the credit eligibility query with 1,000,000 records for 200,000 entities.

Creates its own database (portal_credit_bench), migrates it, loads the records, measures and
scopes with COPY, then times `credit.eligibility.entity_eligibility` — the function every bid
calls, ORM and round trip included — over random (entity, category, region) lookups at the
present instant, and prints the median and p99, the SQL-only timings of the index variants
considered, and EXPLAIN ANALYZE of the query. Drops the database at the end (--keep keeps it).

    PORTAL_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \\
        .venv/bin/python bench/credit_eligibility.py

DATABASE_URL names the server (and a database to connect to while creating the bench one).
"""

import argparse
import csv
import io
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

BENCH_DB = "portal_credit_bench"
COMMAND = (
    "PORTAL_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal "
    ".venv/bin/python bench/credit_eligibility.py"
)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20260323)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    return parser.parse_args()


def server_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def recreate_database(url: str) -> None:
    import psycopg2

    connection = psycopg2.connect(server_url(url, "postgres"))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {BENCH_DB}")
    connection.close()


def drop_database(url: str) -> None:
    import psycopg2

    connection = psycopg2.connect(server_url(url, "postgres"))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    connection.close()


def load_average() -> str:
    """The machine's load: timings on a shared machine are only as quiet as it is."""
    one, five, _ = os.getloadavg()
    return f"· load average {one:.2f} (1 min), {five:.2f} (5 min)"


def percentile(sorted_values: list[float], share: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


def figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    return (
        f"median {statistics.median(ordered):.3f} ms, p95 {percentile(ordered, 0.95):.3f} ms, "
        f"p99 {percentile(ordered, 0.99):.3f} ms, max {ordered[-1]:.3f} ms"
    )


# --- Data -----------------------------------------------------------------------------------

FUJIAN_CITIES = [
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


def make_regions():
    from portal.centres.models import Region

    province, _ = Region.objects.get_or_create(
        code="350000", defaults={"name": "福建省", "level": "province"}
    )
    cities, counties = [], []
    for code, name in FUJIAN_CITIES:
        city, _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": "city", "parent": province}
        )
        cities.append(city)
        for n in range(1, 9):
            county, _ = Region.objects.get_or_create(
                code=f"{code[:4]}{20 + n:02d}",
                defaults={"name": f"{name}第{n}县", "level": "county", "parent": city},
            )
            counties.append(county)
    return province, cities, counties


def make_codes(count: int, rng: random.Random) -> list[str]:
    from portal.entities.uscc import CHARSET, check_character

    codes = set()
    while len(codes) < count:
        body = "91350" + "".join(rng.choice(CHARSET[:10]) for _ in range(3))
        body += "".join(rng.choice(CHARSET) for _ in range(9))
        codes.add(body + check_character(body))
    return sorted(codes)


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([r"\N" if value is None else value for value in row])
    buffer.seek(0)
    cursor.copy_expert(
        f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
    )


LOADED_TABLES = ("credit_creditrecord", "credit_measure", "credit_measurescope")


def without_secondary_indexes(cursor) -> list[str]:
    """Drop the tables' indexes that back no constraint, for a bulk load; return how to make
    them again (one build after the load is far faster than a million inserts into them)."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
        [list(LOADED_TABLES)],
    )
    definitions = []
    for name, definition in cursor.fetchall():
        cursor.execute(f'DROP INDEX "{name}"')
        definitions.append(definition)
    return definitions


def load(arguments, rng: random.Random) -> tuple[list[str], list, list]:
    started = time.perf_counter()
    from django.db import connection

    from catalog.models import Category
    from credit.models import MeasureType
    from portal.accounts.models import Department, Role, User

    _province, cities, counties = make_regions()
    regulator = User.objects.create(
        username="bench_regulator",
        role=Role.REGULATOR,
        department=Department.DEVELOPMENT_REFORM,
        region=_province,
    )
    categories = list(Category.objects.filter(is_active=True))
    top_categories = [c for c in categories if c.parent_id is None]
    types = {t.code: t for t in MeasureType.objects.all()}
    codes = make_codes(arguments.entities, rng)
    now = datetime.now(UTC).replace(microsecond=0)
    now_text = now.isoformat()
    # Cumulative weights: penalties 40 %, misconduct 20 %, judgments 10 %, performance 20 %,
    # honours 10 %; a third of the records carry a measure.
    kinds = [
        (0.40, "administrative_penalty", ["general", "serious", "severe"]),
        (0.60, "platform_misconduct", ["general", "serious", "severe"]),
        (0.70, "court_judgment", ["general", "serious", "severe"]),
        (0.90, "performance", ["none", "general"]),
        (1.00, "honour", ["none"]),
    ]
    negative_types = [
        (0.35, types["market_ban"]),
        (0.45, types["negative_list"]),
        (0.80, types["restriction"]),
        (1.00, types["higher_bid_security"]),
    ]
    # Periods within the last five years, 30 days to 3 years long, formatted once.
    periods = []
    for _ in range(50_000):
        start = now - timedelta(seconds=rng.randrange(5 * 365 * 86400))
        end = start + timedelta(days=rng.randrange(30, 3 * 365))
        periods.append((start.isoformat(), end.isoformat()))
    category_ids = [c.pk for c in top_categories]
    county_ids = [c.pk for c in counties]
    city_ids = [c.pk for c in cities]
    random_ = rng.random
    records, measures, scopes = [], [], []
    measure_id = scope_id = 0
    for record_id in range(1, arguments.records + 1):
        uscc = codes[int(random_() * len(codes))]
        draw = random_()
        kind, severities = next((k, s) for limit, k, s in kinds if draw < limit)
        severity = severities[int(random_() * len(severities))]
        category_id = category_ids[int(random_() * len(category_ids))]
        start, end = periods[int(random_() * len(periods))]
        records.append(
            (
                record_id, uscc, f"企业{uscc[-6:]}", kind, severity, category_id,
                county_ids[int(random_() * len(county_ids))], "福建省发展和改革委员会",
                "招标投标法 第54条", f"BENCH-{record_id}", "bench", start, end, random_() < 0.9,
                "", "platform", None, regulator.pk, now_text,
            )
        )  # fmt: skip
        if random_() >= 0.35:
            continue
        if severity == "none":
            mtype = types["red_list_reduced_security"]
        else:
            draw = random_()
            mtype = next(t for limit, t in negative_types if draw < limit)
        measure_id += 1
        region_id = city_ids[int(random_() * len(city_ids))] if random_() < 0.3 else None
        all_categories = random_() < 0.2
        scoped = {None} if all_categories else {category_id}
        if not all_categories and random_() < 0.2:
            scoped.add(category_ids[int(random_() * len(category_ids))])
        measures.append(
            (
                measure_id, record_id, uscc, mtype.pk, mtype.effect, mtype.security_percent,
                region_id, all_categories, start, end, None, now_text,
            )
        )  # fmt: skip
        for scope_category in scoped:
            scope_id += 1
            scopes.append(
                (scope_id, measure_id, uscc, mtype.effect, scope_category, region_id, start, end)
            )
    generated = time.perf_counter()
    print(f"generated in {generated - started:.1f} s", end="; ")
    with connection.cursor() as cursor:
        # The rows are valid by construction: no foreign-key triggers while loading, and the
        # secondary indexes are built once afterwards.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        index_definitions = without_secondary_indexes(cursor)
        copy_rows(
            cursor.cursor,
            "credit_creditrecord",
            [
                "id", "uscc", "entity_name", "kind", "severity", "category_id", "region_id",
                "authority", "legal_basis", "decision_no", "reason", "valid_from", "valid_to",
                "public", "external_id", "source", "credit_import_id", "recorded_by_id",
                "recorded_at",
            ],
            records,
        )  # fmt: skip
        copy_rows(
            cursor.cursor,
            "credit_measure",
            [
                "id", "record_id", "uscc", "measure_type_id", "effect", "security_percent",
                "region_id", "all_categories", "valid_from", "valid_to", "decided_valid_to",
                "created_at",
            ],
            measures,
        )  # fmt: skip
        copy_rows(
            cursor.cursor,
            "credit_measurescope",
            [
                "id", "measure_id", "uscc", "effect", "category_id", "region_id",
                "valid_from", "valid_to",
            ],
            scopes,
        )  # fmt: skip
        for definition in index_definitions:
            cursor.execute(definition)
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in LOADED_TABLES:
            last_id = f"(SELECT max(id) FROM {table})"  # noqa: S608 - fixed table names
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last_id})")
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"copied, indexed and analysed in {time.perf_counter() - generated:.1f} s")
    print(
        f"loaded {len(records):,} records, {len(measures):,} measures, "
        f"{len(scopes):,} scope rows for {len(codes):,} entities"
    )
    return codes, categories, cities + counties


# --- Measuring ------------------------------------------------------------------------------

RANGE_CONDITION = (
    "tstzrange(s.valid_from, s.valid_to, '[]') @> %s::timestamptz AND %s::timestamptz IS NOT NULL"
)


def sql_for(range_condition: bool) -> str:
    from credit.selectors import ELIGIBILITY_SQL

    sql = ELIGIBILITY_SQL.format(effects="%s")
    if range_condition:
        sql = sql.replace("s.valid_to >= %s AND s.valid_from <= %s", RANGE_CONDITION)
    return sql


INDEX_VARIANTS = {
    "btree (uscc, effect, valid_to) — chosen, in migration 0001": (None, False),
    "btree (uscc) only": ("CREATE INDEX bench_scope_uscc ON credit_measurescope (uscc)", False),
    "GiST (uscc, effect, tstzrange(valid_from, valid_to, '[]'))": (
        "CREATE EXTENSION IF NOT EXISTS btree_gist; CREATE INDEX bench_scope_gist ON "
        "credit_measurescope USING gist (uscc, effect, tstzrange(valid_from, valid_to, '[]'))",
        True,
    ),
}


def random_lookups(count, codes, categories, regions, rng):
    return [
        (rng.choice(codes), rng.choice(categories).code, rng.choice(regions).code)
        for _ in range(count)
    ]


def time_function(lookups) -> tuple[list[float], int]:
    from django.utils import timezone

    from credit.eligibility import entity_eligibility

    class Party:
        __slots__ = ("uscc",)

        def __init__(self, uscc):
            self.uscc = uscc

    samples, refused = [], 0
    for uscc, category, region in lookups:
        started = time.perf_counter()
        answer = entity_eligibility(
            entity=Party(uscc), category_code=category, region_code=region, at=timezone.now()
        )
        samples.append((time.perf_counter() - started) * 1000)
        refused += not answer.eligible
    return samples, refused


def time_sql(sql: str, lookups, at) -> list[float]:
    from django.db import connection

    samples = []
    with connection.cursor() as cursor:
        for uscc, category, region in lookups:
            params = [uscc, "refuse", at, at, category, category, region, region, region]
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def add_long_histories(codes, rng, *, entities: int = 100, expired: int = 2_000) -> list[str]:
    """Some entities with long histories: many ended refusals and security measures in force.
    The index has to skip them; this is where the index variants differ."""
    from django.db import connection

    heavy = rng.sample(codes, entities)
    now = datetime.now(UTC).replace(microsecond=0)
    rows = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM credit_measure")
        measure_id = cursor.fetchone()[0]  # the rows only need a valid reference...
        # ...and, being synthetic, share it: lift the one-row-per-category rule here only.
        cursor.execute(
            "DROP INDEX measure_scope_category_once; DROP INDEX measure_scope_every_category_once"
        )
        for uscc in heavy:
            for n in range(expired):
                end = now - timedelta(days=1 + n)
                rows.append(
                    (measure_id, uscc, "refuse", None, None, end - timedelta(days=365), end)
                )
            for _ in range(expired // 10):
                start, end = now - timedelta(days=1), now + timedelta(days=300)
                rows.append((measure_id, uscc, "raise_security", None, None, start, end))
        copy_rows(
            cursor.cursor,
            "credit_measurescope",
            ["measure_id", "uscc", "effect", "category_id", "region_id", "valid_from", "valid_to"],
            ((m, u, e, c, r, a.isoformat(), b.isoformat()) for m, u, e, c, r, a, b in rows),
        )
        cursor.execute("ANALYZE credit_measurescope")
    print(
        f"\nadded {len(rows):,} scope rows: {entities} entities with {expired:,} ended refusals "
        f"and {expired // 10} security measures each"
    )
    return heavy


def compare_indexes(lookups, heavy_lookups, at) -> None:
    from django.db import connection

    print("SQL only, the same lookups, one index at a time (typical entities | long histories):")
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX credit_scope_lookup")
        for name, (create, range_condition) in INDEX_VARIANTS.items():
            sql = sql_for(range_condition)
            cursor.execute(create or "CREATE INDEX credit_scope_lookup ON credit_measurescope "
                           "(uscc, effect, valid_to)")  # fmt: skip
            cursor.execute("ANALYZE credit_measurescope")
            cursor.execute(
                "SELECT pg_size_pretty(sum(pg_relation_size(indexrelid))) FROM pg_index "
                "WHERE indrelid = 'credit_measurescope'::regclass AND indexrelid::regclass::text "
                "IN ('credit_scope_lookup', 'bench_scope_uscc', 'bench_scope_gist')"
            )
            size = cursor.fetchone()[0]
            time_sql(sql, lookups[:500], at)  # warm up
            typical = figures(time_sql(sql, lookups, at))
            long_histories = figures(time_sql(sql, heavy_lookups, at))
            print(f"  {name} [{size}]:\n    {typical}\n    {long_histories}")
            cursor.execute(
                "DROP INDEX IF EXISTS credit_scope_lookup; DROP INDEX IF EXISTS bench_scope_uscc; "
                "DROP INDEX IF EXISTS bench_scope_gist"
            )
        cursor.execute(
            "CREATE INDEX credit_scope_lookup ON credit_measurescope (uscc, effect, valid_to)"
        )
        cursor.execute("ANALYZE credit_measurescope")


def explain(uscc: str, category: str, region: str) -> None:
    from django.db import connection
    from django.utils import timezone

    from credit.selectors import eligibility_query

    sql, params = eligibility_query(
        uscc=uscc, effects=["refuse"], category_code=category, region_code=region, at=timezone.now()
    )
    print(f"\nEXPLAIN ANALYZE of the eligibility query (uscc={uscc}, {category}, {region}):")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        for (line,) in cursor.fetchall():
            print(line)


def main() -> None:
    arguments = parse_arguments()
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal")
    os.environ["DATABASE_URL"] = server_url(base_url, BENCH_DB)
    os.environ.setdefault("PORTAL_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    print(f"command: {COMMAND}")
    print(f"database: {BENCH_DB} (created, migrated, {'kept' if arguments.keep else 'dropped'})")
    recreate_database(base_url)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrated in {time.perf_counter() - started:.1f} s")
        rng = random.Random(arguments.seed)
        started = time.perf_counter()
        codes, categories, regions = load(arguments, rng)
        print(f"generated and loaded in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            print(cursor.fetchone()[0].split(",")[0], f"· {os.cpu_count()} CPUs", load_average())
            cursor.execute(
                "SELECT count(*) FROM credit_measurescope WHERE effect = 'refuse' "
                "AND valid_from <= now() AND valid_to >= now()"
            )
            print(f"refusing scope rows in force now: {cursor.fetchone()[0]:,}")

        lookups = random_lookups(arguments.lookups, codes, categories, regions, rng)
        time_function(lookups[:500])  # warm the connection and the caches
        samples, refused = time_function(lookups)
        print(
            f"\nentity_eligibility(), {len(lookups):,} random lookups at now() "
            f"({refused:,} refused): {figures(samples)}"
        )
        heavy = add_long_histories(codes, rng)
        heavy_lookups = random_lookups(2_000, heavy, categories, regions, rng)
        samples, _refused = time_function(heavy_lookups)
        print(f"entity_eligibility(), 2,000 lookups of those entities: {figures(samples)}\n")
        compare_indexes(lookups, heavy_lookups, timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.uscc, c.code FROM credit_measurescope s JOIN catalog_category c "
                "ON c.id = s.category_id WHERE s.effect = 'refuse' AND s.valid_from <= now() "
                "AND s.valid_to >= now() AND s.region_id IS NULL LIMIT 1"
            )
            uscc, category = cursor.fetchone()
        explain(uscc, category, "350623")
        explain(heavy[0], category, "350623")
        print(f"\nfinished {load_average()}")
        connection.close()
    finally:
        if not arguments.keep:
            drop_database(base_url)


if __name__ == "__main__":
    main()
