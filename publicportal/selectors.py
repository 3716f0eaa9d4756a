"""Reads of the portal: the public list with its filters and the Chinese search."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from catalog.models import Category
from portal.centres.models import Centre, Region
from publicportal import cache, search
from publicportal.index import publication_payload
from publicportal.models import Publication

#: A count beyond this is shown as "more than": counting a million rows on every page view
#: would cost more than the page itself.
COUNT_CAP = 10_000
#: Results of a single-character search: the most recent ones only, and the page says so.
SINGLE_CHARACTER_LIMIT = 200


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


def _category_ids(code: str) -> list[int]:
    return list(
        Category.objects.filter(Q(code=code) | Q(parent__code=code)).values_list("id", flat=True)
    )


def _region_ids(code: str) -> list[int]:
    """The region and every division under it (province → cities → districts)."""
    ids = set(Region.objects.filter(code=code).values_list("id", flat=True))
    frontier = set(ids)
    while frontier:
        frontier = set(Region.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        frontier -= ids
        ids |= frontier
    return sorted(ids)


def region_and_below(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(id__in=_region_ids(region.code))


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
    queryset = Publication.objects.select_related(
        "category", "method", "region", "centre", "system"
    )
    if filters.category:
        queryset = queryset.filter(category_id__in=_category_ids(filters.category))
    if filters.region:
        queryset = queryset.filter(region_id__in=_region_ids(filters.region))
    if filters.centre:
        queryset = queryset.filter(centre__code=filters.centre)
    if filters.method:
        queryset = queryset.filter(method__code=filters.method)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    if filters.system:
        queryset = queryset.filter(system__code=filters.system)
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


def publication_page(filters: PublicationFilters, *, page: int, per_page: int) -> dict:
    """One page of the list, cached under the portal's version (bumped on every publish).

    `count` is exact up to `COUNT_CAP` (`count_capped` says when there are more); a
    single-character query returns the `SINGLE_CHARACTER_LIMIT` most recent matches.
    """

    def compute() -> dict:
        queryset = publications(filters)
        single = search.is_single_character(filters.q)
        cap = SINGLE_CHARACTER_LIMIT if single else COUNT_CAP
        count = queryset.order_by()[: cap + 1].count()
        capped = count > cap
        count = min(count, cap)
        start = (page - 1) * per_page
        rows = list(queryset[start : min(start + per_page, count)]) if start < count else []
        return {
            "count": count,
            "count_capped": capped,
            "single_character": single,
            "page": page,
            "pages": max(1, -(-count // per_page)),
            "results": [publication_payload(p) | publication_links(p) for p in rows],
        }

    return cache.cached("page", {**filters.as_dict(), "page": page, "n": per_page}, compute)


def publication_links(publication: Publication) -> dict:
    return {
        "system_name": publication.system.name if publication.system_id else None,
        "category_name": publication.category.name,
        "region_name": publication.region.name,
        "centre_name": publication.centre.name if publication.centre_id else None,
        "kind_label": kind_label(publication.kind),
        "status_label": str(Publication.Status(publication.status).label)
        if publication.status in Publication.Status.values
        else publication.status,
        "detail_path": publication.detail_path,
        "project_path": publication.project_path,
    }


def kind_label(kind: str) -> str:
    from trading.models import Announcement

    labels = dict(Announcement.Kind.choices)
    return str(labels.get(kind, kind))


def project_publications(project_key: str) -> QuerySet[Publication]:
    """A project's whole history in the index, oldest first (any source)."""
    return (
        Publication.objects.filter(project_key=project_key)
        .select_related("category", "region", "centre", "system")
        .order_by("published_at", "id")
    )


def centre_exists(code: str) -> bool:
    return Centre.objects.filter(code=code).exists()
