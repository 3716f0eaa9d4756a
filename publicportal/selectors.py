"""Reads of the portal: the public list with its filters and the Chinese search."""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import monotonic

from django.core.cache import cache as django_cache
from django.db import OperationalError, connection, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from auctions.models import AuctionAnnouncement
from catalog.models import Category
from portal.centres.models import Centre, Region
from publicportal import cache, search
from publicportal.models import Publication
from trading.models import Announcement

#: A count beyond this is shown as "more than": counting a million rows on every page view
#: would cost more than the page itself.
COUNT_CAP = 500
KIND_LABELS = {**dict(AuctionAnnouncement.Kind.choices), **dict(Announcement.Kind.choices)}
#: Longer than this (milliseconds), a count gives way to the planner's estimate.
COUNT_TIMEOUT_MS = 20
#: Results of a single-character search: the most recent ones only, and the page says so.
SINGLE_CHARACTER_LIMIT = 200
#: A text search the planner expects to match more than this many rows is not counted: its
#: estimate is given at once. Counting even 501 rows of a common bigram means building the
#: whole GIN bitmap of its posting list (道路: 112,000 of a million rows, 25–60 ms of the
#: database's CPU with a region and a date), so such a count always ran into
#: COUNT_TIMEOUT_MS and fell back to this very estimate, after burning the 20 ms
#: (docs/PERFORMANCE.md, "Announcement search (issue 8)").
ESTIMATE_SEARCHES_ABOVE = 4 * COUNT_CAP


@dataclass(frozen=True)
class PublicationFilters:
    """The list's filters, already validated (codes known, dates parsed)."""

    q: str = ""
    category: str = ""
    kind: str = ""
    method: str = ""
    region: str = ""
    centre: str = ""
    status: str = ""
    source: str = ""
    system: str = ""
    project: str = ""
    date_from: date | None = None
    date_to: date | None = None
    oldest_first: bool = False

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(self).items()}


#: How long the reference tables (categories, regions, centres, systems) are cached besides
#: the portal's version (bumped on every publication and every new connected system).
REFERENCE_TIMEOUT = 60


_memo: dict = {}


def references() -> dict:
    """The small reference tables the list needs, cached: the filters' choices, the names of
    the ids a publication refers to, and what a category or region code covers. The list's
    own query then joins nothing. Kept in the process too, per cache version (unpickling
    them for every row would cost more than the query)."""
    key = f"publicportal:references:{cache.current_version()}"
    if _memo.get("key") == key and _memo["expires"] > monotonic():
        return _memo["value"]
    value = django_cache.get(key)
    if value is None:
        value = _load_references()
        django_cache.set(key, value, REFERENCE_TIMEOUT)
    _memo.update(key=key, value=value, expires=monotonic() + REFERENCE_TIMEOUT)
    return value


def _load_references() -> dict:
    from catalog.models import TradingMethod
    from publicportal.models import SourceSystem

    categories = list(Category.objects.values_list("id", "code", "name", "parent_id", "is_active"))
    regions = list(Region.objects.values_list("id", "code", "name", "parent_id", "level"))
    children: dict[int | None, list[int]] = {}
    for region_id, _code, _name, parent_id, _level in regions:
        children.setdefault(parent_id, []).append(region_id)

    def below(region_id: int) -> list[int]:
        found, frontier = [region_id], [region_id]
        while frontier:
            frontier = [child for parent in frontier for child in children.get(parent, [])]
            found += frontier
        return sorted(found)

    code_of_category = {cid: code for cid, code, *_ in categories}
    category_ids: dict[str, list[int]] = {}
    for cid, code, _name, parent_id, _active in categories:
        category_ids.setdefault(code, []).append(cid)
        if parent_id is not None:
            category_ids.setdefault(code_of_category[parent_id], []).append(cid)
    methods = list(TradingMethod.objects.values_list("id", "code", "name_zh", "is_active"))
    centres = list(Centre.objects.values_list("id", "code", "name"))
    systems = list(SourceSystem.objects.values_list("id", "code", "name"))
    return {
        "choices": {
            "category": [(code, name) for _, code, name, _, active in categories if active],
            "method": [(code, name) for _, code, name, active in methods if active],
            "region": [
                (code, name)
                for _, code, name, _, level in sorted(regions, key=lambda r: r[1])
                if level in {Region.Level.PROVINCE, Region.Level.CITY}
            ],
            "centre": [(code, name) for _, code, name in sorted(centres, key=lambda c: c[1])],
            "system": [(code, name) for _, code, name in sorted(systems, key=lambda c: c[1])],
        },
        "category": {cid: (code, name) for cid, code, name, *_ in categories},
        "region": {rid: (code, name) for rid, code, name, *_ in regions},
        "centre": {cid: (code, name) for cid, code, name in centres},
        "method": {mid: code for mid, code, *_ in methods},
        "system": {sid: (code, name) for sid, code, name in systems},
        "category_ids": category_ids,
        "region_ids": {code: below(rid) for rid, code, *_ in regions},
    }


def _category_ids(code: str) -> list[int]:
    return references()["category_ids"].get(code, [])


def _region_ids(code: str) -> list[int]:
    """The region and every division under it (province → cities → districts)."""
    return references()["region_ids"].get(code, [])


def region_and_below(region: Region) -> QuerySet[Region]:
    """The region and every division under it, read from the database (not the cache: a
    connected system's scope is checked against the current divisions)."""
    ids, frontier = {region.pk}, {region.pk}
    while frontier:
        frontier = set(Region.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        frontier -= ids
        ids |= frontier
    return Region.objects.filter(id__in=ids)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def text_search(queryset: QuerySet[Publication], q: str) -> QuerySet[Publication]:
    """Chinese search: the bigram/unigram GIN index on PostgreSQL (see `search`), a plain
    `icontains` on the title and project on the embedded SQLite default."""
    q = (q or "").strip()[: search.MAX_QUERY_CHARS]
    if not q:
        return queryset
    if connection.vendor == "postgresql":
        tsquery = search.tsquery(q)
        if tsquery is None:
            return queryset.none()
        return queryset.filter(
            RawSQL(
                "search_vector @@ to_tsquery('simple', %s)", (tsquery,), output_field=BooleanField()
            )
        )
    words = search.runs(q) or [q]
    for word in words:
        queryset = queryset.filter(Q(title__icontains=word) | Q(project_title__icontains=word))
    return queryset


def publications(filters: PublicationFilters) -> QuerySet[Publication]:
    queryset = Publication.objects.all()
    if filters.category:
        queryset = queryset.filter(category_id__in=_category_ids(filters.category))
    if filters.region:
        queryset = queryset.filter(region_id__in=_region_ids(filters.region))
    refs = references()
    if filters.centre:
        queryset = queryset.filter(
            centre_id__in=[i for i, (code, _) in refs["centre"].items() if code == filters.centre]
        )
    if filters.method:
        queryset = queryset.filter(
            method_id__in=[i for i, code in refs["method"].items() if code == filters.method]
        )
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    if filters.system:
        queryset = queryset.filter(
            system_id__in=[i for i, (code, _) in refs["system"].items() if code == filters.system]
        )
    if filters.project:
        project = filters.project
        queryset = queryset.filter(
            project_key=f"trading:{project}" if project.isdigit() else project
        )
    if filters.date_from:
        queryset = queryset.filter(published_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(published_at__lt=_start_of(filters.date_to + timedelta(days=1)))
    queryset = text_search(queryset, filters.q)
    order = ["published_at", "id"] if filters.oldest_first else ["-published_at", "-id"]
    return queryset.order_by(*order)


def planner_estimate(queryset: QuerySet) -> int:
    """The rows PostgreSQL's planner expects `queryset` to return (planning only)."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def bounded_count(
    queryset: QuerySet, cap: int, *, estimate_above: int | None = None
) -> tuple[int, bool, bool]:
    """(count, capped, estimated): the exact count up to `cap`, unless counting takes longer
    than `COUNT_TIMEOUT_MS` on PostgreSQL (sparse matches in a million rows), in which case
    the planner's estimate is given instead and said to be one. With `estimate_above`, an
    estimate above it is given at once, without trying to count."""
    if queryset.query.is_empty():  # `none()`: nothing searchable in the words
        return 0, False, False
    counted = queryset.order_by()[: cap + 1]
    if connection.vendor != "postgresql":
        count = counted.count()
        return min(count, cap), count > cap, False
    if estimate_above is not None:
        estimate = planner_estimate(queryset)
        if estimate > estimate_above:
            return min(estimate, cap), estimate > cap, True
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {int(COUNT_TIMEOUT_MS)}")
            count = counted.count()
        return min(count, cap), count > cap, False
    except OperationalError:  # the statement timed out: estimate
        estimate = planner_estimate(queryset)
        return min(estimate, cap), estimate > cap, True


def publication_page(filters: PublicationFilters, *, page: int, per_page: int) -> dict:
    """One page of the list, cached under the portal's version (bumped on every publish).

    `count` is exact up to `COUNT_CAP` (`count_capped` says when there are more) or, when
    counting would be slow, the planner's estimate (`count_estimated`); a single-character
    query returns the `SINGLE_CHARACTER_LIMIT` most recent matches.
    """

    def compute() -> dict:
        queryset = publications(filters)
        refs = references()
        single = search.is_single_character(filters.q)
        cap = SINGLE_CHARACTER_LIMIT if single else COUNT_CAP
        start = (page - 1) * per_page
        end = start + per_page + 1  # one more: is there a next page?
        if single:
            end = min(end, cap)
        rows = list(queryset[start:end]) if start < end else []
        if page == 1 and len(rows) <= per_page:
            count, capped, estimated = len(rows), False, False  # all of it is on this page
        else:
            count, capped, estimated = bounded_count(
                queryset, cap, estimate_above=ESTIMATE_SEARCHES_ABOVE if filters.q else None
            )
        has_next = len(rows) > per_page and (not single or end < cap)
        pages = max(1, -(-count // per_page), page + 1 if has_next else page)
        return {
            "count": count,
            "count_capped": capped,
            "count_estimated": estimated,
            "single_character": single,
            "page": page,
            "pages": pages,
            "has_next": has_next,
            "results": [listed(p, refs) for p in rows[:per_page]],
        }

    return cache.cached("page", {**filters.as_dict(), "page": page, "n": per_page}, compute)


def publication_links(publication: Publication) -> dict:
    return {
        "system_name": publication.system.name if publication.system_id else None,
        "category_name": publication.category.name,
        "region_name": publication.region.name,
        "centre_name": publication.centre.name if publication.centre_id else None,
        "kind_label": kind_label(publication.kind),
        "status_label": _status_label(publication.status),
        "detail_path": publication.detail_path,
        "project_path": publication.project_path,
    }


def listed(publication: Publication, refs: dict | None = None) -> dict:
    """`publication_payload` and `publication_links` with the names from the cached reference
    tables instead of joins (the shape is the same)."""
    refs = refs or references()
    category = refs["category"].get(publication.category_id, ("", ""))
    region = refs["region"].get(publication.region_id, ("", ""))
    centre = refs["centre"].get(publication.centre_id) if publication.centre_id else None
    system = refs["system"].get(publication.system_id) if publication.system_id else None
    return {
        "id": publication.pk,
        "source": publication.source,
        "source_key": publication.source_key,
        "system": system[0] if system else None,
        "project_key": publication.project_key,
        "project_title": publication.project_title,
        "transaction_code": publication.transaction_code,
        "kind": publication.kind,
        "title": publication.title,
        "body": publication.body,
        "data": publication.data,
        "category": category[0],
        "method": refs["method"].get(publication.method_id) if publication.method_id else None,
        "region": region[0],
        "centre": centre[0] if centre else None,
        "status": publication.status,
        "amount": None if publication.amount is None else str(publication.amount),
        "published_at": publication.published_at.isoformat(),
        "system_name": system[1] if system else None,
        "category_name": category[1],
        "region_name": region[1],
        "centre_name": centre[1] if centre else None,
        "kind_label": kind_label(publication.kind),
        "status_label": _status_label(publication.status),
        "detail_path": publication.detail_path,
        "project_path": publication.project_path,
    }


def _status_label(status: str) -> str:
    if status in Publication.Status.values:
        return str(Publication.Status(status).label)
    return status


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def project_publications(project_key: str) -> QuerySet[Publication]:
    """A project's whole history in the index, oldest first (any source)."""
    return (
        Publication.objects.filter(project_key=project_key)
        .select_related("category", "region", "centre", "system")
        .order_by("published_at", "id")
    )


def centre_exists(code: str) -> bool:
    return Centre.objects.filter(code=code).exists()
